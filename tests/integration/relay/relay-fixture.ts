import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { KeyObject } from 'node:crypto'
import { createSyncClient, generateDeviceKey, type SyncClient, type SyncClientOptions } from '../../../src/relay/client'
import { startRelayServer, type RelayServer, type RelayServerOptions } from '../../../src/relay/server'
import { TEST_WARD } from '../../helpers/events'

export interface TestDevice {
  readonly deviceId: string
  readonly key: KeyObject
  readonly client: SyncClient
}

/** A relay server in a temporary folder, closed and removed by `dispose`. */
export async function startTestRelay(options: Partial<RelayServerOptions> = {}): Promise<{ server: RelayServer; dataDir: string; logs: string[]; dispose(): Promise<void> }> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'motcua-relay-')))
  const logs: string[] = []
  const server = await startRelayServer({ role: 'city', dataDir, port: 0, log: (line) => logs.push(line), ...options })
  return {
    server,
    dataDir,
    logs,
    async dispose() {
      await server.close()
      if (options.dataDir === undefined) await rm(dataDir, { recursive: true, force: true })
    },
  }
}

let deviceCounter = 0

/** A device with a fresh key; enrolled at `server` for `wardCode` unless told otherwise. */
export async function enrolledDevice(
  server: RelayServer,
  options: { kind?: 'device' | 'hub'; wardCode?: string; deviceId?: string; enroll?: boolean; client?: Partial<SyncClientOptions> } = {},
): Promise<TestDevice> {
  const deviceId = options.deviceId ?? `device-${process.pid}-${++deviceCounter}`
  const key = generateDeviceKey()
  const client = createSyncClient({ baseUrl: server.url, deviceId, privateKey: key, serverKey: server.serverKey, ...options.client })
  const wardCode = options.wardCode ?? TEST_WARD
  if (options.enroll !== false) await client.enroll({ wardCode, kind: options.kind ?? 'device', enrollmentCode: server.enrollmentCode(wardCode) })
  return { deviceId, key, client }
}
