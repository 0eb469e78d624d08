import type { KeyObject } from 'node:crypto'
import type { SyncStatus } from '../../../shared/contract/sync-schemas'
import type { BackoffPolicy } from '../../../shared/sync/backoff'
import type { ServerKey } from '../../../shared/sync/protocol'

export interface HubRelayOptions {
  readonly dataDir: string
  readonly host: string
  readonly port: number
  readonly wardCode: string
  readonly deviceId: string
  /** The hub signs its requests to the city with this device's key (enrolled there as kind 'hub'). */
  readonly privateKey: KeyObject
  readonly upstreamUrl?: string
  /** The city's key, pinned when the hub enrolled there. */
  readonly upstreamServerKey?: ServerKey
  readonly log: (line: string) => void
  /** Tests: retry sooner than a device in the field would. */
  readonly upstreamBackoff?: BackoffPolicy
}

export interface HubRelay {
  readonly port: number
  /** How this PC's own screens reach it. */
  readonly localUrl: string
  readonly upstreamUrl?: string
  readonly upstreamServerKid?: string
  /** The key that signs this hub's answers: its own screens trust it, and its provisioning QR carries its thumbprint. */
  readonly serverKey: ServerKey
  enrollmentCode(): string
  upstreamStatus(): NonNullable<NonNullable<SyncStatus['hub']>['city']>
  close(): Promise<void>
}

/** The ward hub: the relay server (PGlite in the data folder), replicating to the city when one is set. */
export async function startHubRelay(options: HubRelayOptions): Promise<HubRelay> {
  // Loaded only on the hub: PGlite has no business in the other devices' main process.
  const { startRelayServer } = await import('../../../relay/server')
  const server = await startRelayServer({
    role: 'hub',
    dataDir: options.dataDir,
    host: options.host,
    port: options.port,
    wardCode: options.wardCode,
    log: options.log,
    ...(options.upstreamBackoff && { upstreamBackoff: options.upstreamBackoff }),
    ...(options.upstreamUrl !== undefined && options.upstreamServerKey && { upstream: { baseUrl: options.upstreamUrl, deviceId: options.deviceId, privateKey: options.privateKey, serverKey: options.upstreamServerKey } }),
  })
  return {
    port: server.port,
    localUrl: `http://127.0.0.1:${server.port}`,
    ...(options.upstreamUrl !== undefined && { upstreamUrl: options.upstreamUrl }),
    ...(options.upstreamServerKey && { upstreamServerKid: options.upstreamServerKey.kid }),
    serverKey: server.serverKey,
    enrollmentCode: () => server.enrollmentCode(options.wardCode),
    upstreamStatus: () => {
      const city = server.upstreamStatus()
      if (!city) return {}
      const { lastSuccessAt, lastError, pendingEvents, pendingBlobs } = city
      return {
        pendingEvents,
        pendingBlobs,
        ...(lastSuccessAt !== undefined && { lastSuccessAt }),
        ...(lastError && { lastError: { code: lastError.code === 'internal' ? 'unavailable' : lastError.code, message: lastError.message.slice(0, 2000), at: lastError.at } }),
      }
    },
    close: () => server.close(),
  }
}
