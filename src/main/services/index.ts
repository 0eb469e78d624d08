import { EventEmitter } from 'node:events'
import type { EventName, EventPayload } from '../../shared/contract/contract'
import type { OperationHandlers } from '../../shared/contract/dispatch'
import type { DeviceConfig, DeviceInfo } from '../../shared/contract/schemas'
import { loadSampleServiceCatalog } from './catalog/service-catalog'
import { loadWards } from './catalog/wards'
import { DeviceConfigStore } from './device/device-config-store'

export interface ServicesOptions {
  /** Where this device keeps its configuration and keys. */
  readonly dataDir: string
  /** The app's resources folder (catalogue, reference data, fonts). */
  readonly resourcesDir: string
  readonly appVersion: string
  readonly runtime: DeviceInfo['runtime']
  readonly log: (line: string) => void
}

export type EventListener = <E extends EventName>(event: E, payload: EventPayload<E>) => void

export interface Services {
  readonly handlers: OperationHandlers
  /** Events for every adapter to forward to its screens; returns the unsubscribe function. */
  subscribe(listener: EventListener): () => void
}

/**
 * The one service layer behind Electron IPC, the loopback web host and the command line. Plain
 * Node: nothing here may import electron.
 */
export async function createServices(options: ServicesOptions): Promise<Services> {
  const [wards, catalog] = await Promise.all([loadWards(options.resourcesDir), loadSampleServiceCatalog(options.resourcesDir)])
  const deviceConfig = new DeviceConfigStore(options.dataDir, wards, options.log)
  const emitter = new EventEmitter()

  const deviceInfo = (config: DeviceConfig): DeviceInfo => ({
    config,
    ward: deviceConfig.wardOf(config),
    appVersion: options.appVersion,
    runtime: options.runtime,
    notices: [...deviceConfig.getNotices()],
  })

  const handlers: OperationHandlers = {
    getDeviceInfo: async () => deviceInfo(await deviceConfig.get()),
    updateDeviceConfig: async (patch) => {
      const info = deviceInfo(await deviceConfig.update(patch))
      emitter.emit('event', 'deviceConfigChanged', info)
      return info
    },
    listServices: async () => catalog,
    listWards: async () => [...wards],
  }

  return {
    handlers,
    subscribe(listener) {
      const forward = (event: EventName, payload: unknown): void => listener(event, payload as never)
      emitter.on('event', forward)
      return () => emitter.off('event', forward)
    },
  }
}
