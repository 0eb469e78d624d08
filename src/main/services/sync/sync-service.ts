import { networkInterfaces } from 'node:os'
import { join } from 'node:path'
import { MotcuaError } from '../../../shared/contract/dispatch'
import type { OperationHandlers } from '../../../shared/contract/dispatch'
import type { DeviceConfig } from '../../../shared/contract/schemas'
import type { ConfigureSyncInput, EnrollTarget, SyncConfig, SyncProblem, SyncStatus } from '../../../shared/contract/sync-schemas'
import type { BackoffPolicy } from '../../../shared/sync/backoff'
import { parseSyncProvisioning, SYNC_PROVISIONING_PREFIX, type HealthResponse, type ServerKey } from '../../../shared/sync/protocol'
import { createSyncClient, SyncClientError, type SyncClient } from '../../../relay/client'
import type { DeviceConfigStore } from '../device/device-config-store'
import type { DataKey, KeyWrapper } from '../privacy/data-key'
import { BlobStaging } from './blob-staging'
import { DeviceSigningKey } from './device-key'
import { startHubRelay, type HubRelay } from './hub-relay'

export type SyncOperation = 'configureSync' | 'getSyncStatus' | 'syncPushEvents' | 'syncPullEvents' | 'syncBlobOffset' | 'syncStageBlob' | 'syncUploadBlobChunk'
export type SyncHandlers = Pick<OperationHandlers, SyncOperation>

export interface SyncServiceOptions {
  readonly dataDir: string
  readonly deviceConfig: DeviceConfigStore
  readonly dataKey: DataKey
  readonly keyWrapper: KeyWrapper
  readonly log: (line: string) => void
  /** Run the ward hub's relay when the device is configured as hub (desktop app and browser mode; never the CLI). */
  readonly runHub: boolean
  readonly fetch?: typeof fetch
  readonly now?: () => number
  /** Per request to the server; a long-poll adds its wait. */
  readonly timeoutMs?: number
  /** Where the hub listens; 0.0.0.0 so the ward's LAN reaches it (tests use 127.0.0.1). */
  readonly hubHost?: string
  /** After configureSync changed the device configuration (screens restart their engine). */
  readonly onConfigChanged?: (config: DeviceConfig) => void
  /** Tests: how soon the hub retries the city. */
  readonly hubUpstreamBackoff?: BackoffPolicy
}

export interface SyncService {
  readonly handlers: SyncHandlers
  /** Starts the hub relay if this device is the hub. */
  start(): Promise<void>
  close(): Promise<void>
}

interface LinkRecord {
  lastSuccessAt?: number
  lastError?: SyncProblem
}

/**
 * The device's side of sync in main: enrolment, the signed requests to the hub or the city, and
 * the ward's hub relay when this PC is the hub. The screen's engine decides what to send; every
 * answer is checked by the relay client before it reaches the screen, and the key stays here.
 */
export function createSyncService(options: SyncServiceOptions): SyncService {
  const now = options.now ?? Date.now
  const signingKey = new DeviceSigningKey(options.dataDir, options.keyWrapper)
  const staging = new BlobStaging(join(options.dataDir, 'sync', 'outgoing'), options.dataKey)
  const link: LinkRecord = {}
  /**
   * The server's upload offset per blob as last told (undefined: it has never heard of the blob), so a
   * chunk needs no question first; dropped on any doubt and asked again, so no acknowledged byte is sent twice.
   */
  const uploadOffsets = new Map<string, number | undefined>()
  let hub: HubRelay | undefined
  let client: { key: string; client: SyncClient } | undefined

  /** A client that trusts answers signed by `serverKey` only (none: health() alone, to learn the key at enrolment). */
  async function clientFor(baseUrl: string, deviceId: string, serverKey?: ServerKey): Promise<SyncClient> {
    const key = `${baseUrl} ${deviceId} ${serverKey?.kid ?? ''}`
    if (client?.key !== key) {
      client = { key, client: createSyncClient({ baseUrl, deviceId, privateKey: await signingKey.get(), ...(serverKey && { serverKey }), ...(options.fetch && { fetch: options.fetch }), now, ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }) }) }
    }
    return client.client
  }

  /** The server this device's own events go to: its hub or the city, or its own relay when it is the hub. */
  async function linkClient(): Promise<SyncClient> {
    const config = await options.deviceConfig.get()
    const sync = config.sync
    if (!sync || sync.role === 'none' || sync.enrolledAt === undefined) throw new MotcuaError('notConfigured', 'Sync is not set up on this device')
    if (sync.role === 'hub') {
      if (!hub) throw new MotcuaError('unavailable', 'The hub relay is not running on this device')
      return clientFor(hub.localUrl, config.deviceId, hub.serverKey)
    }
    // Enrolled before servers signed their answers: nothing to check them against, so nothing is sent until the technician enrols again.
    if (!sync.serverKey) throw new MotcuaError('notConfigured', 'Sync was set up before server keys were pinned: enrol this device again')
    return clientFor(sync.upstreamUrl!, config.deviceId, sync.serverKey)
  }

  /** Runs one request on the link, keeping its outcome for the status screen; protocol errors become contract errors. */
  async function onLink<T>(what: string, run: (client: SyncClient) => Promise<T>): Promise<T> {
    try {
      const result = await run(await linkClient())
      link.lastSuccessAt = now()
      delete link.lastError
      return result
    } catch (error) {
      if (error instanceof MotcuaError) {
        // Not the link's fault (a blob not staged, say), except a device that was never set up.
        if (error.code === 'notConfigured') link.lastError = problem('notConfigured', error.message)
        throw error
      }
      throw recordFailure(what, error)
    }
  }

  function recordFailure(what: string, error: unknown): MotcuaError {
    if (!(error instanceof SyncClientError)) {
      options.log(`Sync ${what} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
      link.lastError = problem('unavailable', error instanceof Error ? error.message : String(error))
      return new MotcuaError('failed', `Sync ${what} failed`)
    }
    link.lastError = problem(error.code, error.message, error.details.serverTimeMs)
    options.log(`Sync ${what}: ${error.code}: ${error.message}`)
    return new MotcuaError(contractCode(error.code), `${error.code}: ${error.message}`)
  }

  function problem(code: SyncProblem['code'], message: string, serverTimeMs?: number): SyncProblem {
    return { code, message: message.slice(0, 2000), at: new Date(now()).toISOString(), ...(serverTimeMs !== undefined && { serverTime: new Date(serverTimeMs).toISOString() }) }
  }

  /** `serverKey`: the thumbprint the provisioning QR pins, when enrolment goes through one. */
  async function resolveTarget(target: EnrollTarget, wardCode: string): Promise<{ url: string; enrollmentCode: string; serverKey?: string }> {
    if ('url' in target) return target
    const provisioning = parseSyncProvisioning(target.provisioning.trim())
    if (!provisioning) throw new MotcuaError('invalidInput', `Not a sync provisioning code (expected ${SYNC_PROVISIONING_PREFIX}{url, role, wardCode, enrollmentCode})`)
    if (provisioning.wardCode !== wardCode) throw new MotcuaError('invalidInput', `The provisioning code is for ward ${provisioning.wardCode}, this device belongs to ward ${wardCode}`)
    return provisioning
  }

  /**
   * Checks that the address answers as a relay of our ward with the expected key (the QR's thumbprint,
   * else the one already pinned for this address, else trust on first use), then registers the device
   * key there. The key in the answer is the one to pin.
   */
  async function enrollAt(target: { url: string; enrollmentCode: string; serverKey?: string }, config: DeviceConfig, kind: 'device' | 'hub'): Promise<HealthResponse> {
    const expectedKid = target.serverKey ?? (config.sync?.upstreamUrl === target.url ? config.sync.serverKey?.kid : undefined)
    try {
      const health = await (await clientFor(target.url, config.deviceId)).health()
      if (expectedKid !== undefined && health.key.kid !== expectedKid) throw new SyncClientError('serverKeyChanged', `${target.url} answers with key ${health.key.kid}, not the expected ${expectedKid}`)
      const server = await clientFor(target.url, config.deviceId, health.key)
      if (health.wardCode !== undefined && health.wardCode !== config.wardCode) throw new MotcuaError('invalidInput', `The hub at ${target.url} serves ward ${health.wardCode}, this device belongs to ward ${config.wardCode}`)
      // A hub replicates to the city only: checked before enrolling, so a wrong address leaves no hub enrolled at another hub.
      if (kind === 'hub' && health.role !== 'city') throw new MotcuaError('invalidInput', `${target.url} is a ward hub, not the city server`)
      await server.enroll({ wardCode: config.wardCode, kind, enrollmentCode: target.enrollmentCode })
      link.lastSuccessAt = now()
      delete link.lastError
      return health
    } catch (error) {
      if (error instanceof MotcuaError) throw error
      throw recordFailure(`enrolment at ${target.url}`, error)
    }
  }

  async function startHub(config: DeviceConfig, sync: SyncConfig): Promise<HubRelay> {
    if (hub && hub.port === sync.hubPort && hub.upstreamUrl === sync.upstreamUrl && hub.upstreamServerKid === sync.serverKey?.kid) return hub
    await hub?.close()
    hub = undefined
    if (sync.upstreamUrl !== undefined && !sync.serverKey) options.log('Sync hub: the city link was set up before server keys were pinned; enrol the hub at the city again to resume replication')
    hub = await startHubRelay({
      dataDir: join(options.dataDir, 'hub'),
      host: options.hubHost ?? '0.0.0.0',
      port: sync.hubPort!,
      wardCode: config.wardCode,
      deviceId: config.deviceId,
      privateKey: await signingKey.get(),
      ...(sync.upstreamUrl !== undefined && { upstreamUrl: sync.upstreamUrl }),
      ...(sync.serverKey && { upstreamServerKey: sync.serverKey }),
      log: options.log,
      ...(options.hubUpstreamBackoff && { upstreamBackoff: options.hubUpstreamBackoff }),
    })
    return hub
  }

  async function stopHub(): Promise<void> {
    await hub?.close()
    hub = undefined
  }

  async function status(): Promise<SyncStatus> {
    const config = await options.deviceConfig.get()
    const sync = config.sync ?? { role: 'none' as const }
    const linkStatus = { ...(link.lastSuccessAt !== undefined && { lastSuccessAt: new Date(link.lastSuccessAt).toISOString() }), ...(link.lastError && { lastError: link.lastError }) }
    let hubStatus: SyncStatus['hub']
    if (sync.role === 'hub' && hub) {
      const enrollmentCode = hub.enrollmentCode()
      const lanUrls = lanAddresses(options.hubHost).map((address) => `http://${address}:${hub!.port}`)
      const provisioning = { url: lanUrls[0] ?? hub.localUrl, role: 'hub', wardCode: config.wardCode, enrollmentCode, serverKey: hub.serverKey.kid }
      hubStatus = { lanUrls, enrollmentCode, provisioningText: SYNC_PROVISIONING_PREFIX + JSON.stringify(provisioning), ...(sync.upstreamUrl !== undefined && { city: hub.upstreamStatus() }) }
    }
    return {
      role: sync.role,
      topology: config.topology,
      ...(sync.upstreamUrl !== undefined && { upstreamUrl: sync.upstreamUrl }),
      ...(sync.upstreamRole !== undefined && { upstreamRole: sync.upstreamRole }),
      enrolled: sync.enrolledAt !== undefined,
      link: linkStatus,
      ...(hubStatus && { hub: hubStatus }),
    }
  }

  async function configure(input: ConfigureSyncInput): Promise<SyncStatus> {
    const status = await configureAndReport(input)
    options.onConfigChanged?.(await options.deviceConfig.get())
    return status
  }

  async function configureAndReport(input: ConfigureSyncInput): Promise<SyncStatus> {
    const config = await options.deviceConfig.get()
    if (input.mode === 'none') {
      await stopHub()
      await options.deviceConfig.setSync('standalone', { role: 'none' })
      return status()
    }
    if (input.mode === 'device') {
      const target = await resolveTarget(input.target, config.wardCode)
      const health = await enrollAt(target, config, 'device')
      await stopHub()
      const sync: SyncConfig = { role: 'device', upstreamUrl: target.url, upstreamRole: health.role, enrolledAt: new Date(now()).toISOString(), serverKey: health.key }
      await options.deviceConfig.setSync(health.role === 'hub' ? 'ward' : 'city', sync)
      return status()
    }
    if (!options.runHub) throw new MotcuaError('unavailable', 'The hub relay runs in the desktop app or browser mode, not from the command line')
    let city: { url: string; key: ServerKey } | undefined
    if (input.city) {
      const target = await resolveTarget(input.city, config.wardCode)
      city = { url: target.url, key: (await enrollAt(target, config, 'hub')).key }
    }
    const sync: SyncConfig = { role: 'hub', hubPort: input.port, ...(city && { upstreamUrl: city.url, upstreamRole: 'city' as const, serverKey: city.key }) }
    let relay: HubRelay
    try {
      relay = await startHub(config, sync)
    } catch (error) {
      throw new MotcuaError('unavailable', `The hub relay did not start on port ${input.port}: ${error instanceof Error ? error.message : String(error)}`)
    }
    // The hub PC's own screens sync through its relay, like any device of the ward.
    await enrollAt({ url: relay.localUrl, enrollmentCode: relay.enrollmentCode(), serverKey: relay.serverKey.kid }, config, 'device')
    await options.deviceConfig.setSync('ward', { ...sync, enrolledAt: new Date(now()).toISOString() })
    return status()
  }

  const handlers: SyncHandlers = {
    configureSync: configure,
    getSyncStatus: status,
    syncPushEvents: ({ events }) =>
      onLink('push', async (server) => {
        try {
          return await server.push(events)
        } catch (error) {
          // The server holds another prefix of our log than the screen thought: tell it where to continue.
          const expected = error instanceof SyncClientError && error.code === 'sequenceGap' ? error.details.expected : undefined
          if (expected?.deviceId === server.deviceId) return { gap: expected }
          throw error
        }
      }),
    syncPullEvents: ({ after, limit, waitSeconds }) => onLink('pull', (server) => server.pull({ after, limit, waitSeconds })),
    syncBlobOffset: async ({ sha256, length }) => {
      const staged = await staging.progress(sha256)
      const uploaded = await onLink('blob offset', (server) => server.blobOffset(sha256))
      uploadOffsets.set(sha256, uploaded)
      return { ...staged, ...(uploaded !== undefined && { uploaded }), length, complete: uploaded !== undefined && uploaded >= length }
    },
    syncStageBlob: async ({ sha256, kid, iv, sealedLength, offset, sliceBase64 }) => {
      const staged = await staging.stage({ sha256, kid, iv, sealedLength, offset, slice: Buffer.from(sliceBase64, 'base64') })
      return { ...staged, complete: false }
    },
    syncUploadBlobChunk: async ({ sha256, maxBytes }) => {
      const staged = await staging.progress(sha256)
      const length = await staging.plaintextLength(sha256)
      if (!staged.ready || length === undefined) throw new MotcuaError('invalidInput', `Blob ${sha256} is not staged in full yet`)
      const offset = await onLink('blob upload', async (server) => {
        let known = uploadOffsets.has(sha256) ? uploadOffsets.get(sha256) : await server.blobOffset(sha256)
        if (known === undefined) known = await server.createBlob(sha256, length)
        uploadOffsets.set(sha256, known)
        if (known >= length) return known
        const chunk = await staging.read(sha256, known, Math.min(maxBytes, length - known))
        uploadOffsets.delete(sha256)
        const next = await server.uploadBlobChunk(sha256, known, chunk)
        uploadOffsets.set(sha256, next)
        return next
      }).catch((error: unknown) => {
        uploadOffsets.delete(sha256)
        throw error
      })
      const complete = offset >= length
      if (complete) {
        await staging.clear(sha256)
        uploadOffsets.delete(sha256)
      }
      return { staged: complete ? 0 : staged.staged, ready: !complete, uploaded: offset, length, complete }
    },
  }

  return {
    handlers,
    async start() {
      const config = await options.deviceConfig.get()
      if (!options.runHub || config.sync?.role !== 'hub') return
      try {
        await startHub(config, config.sync)
      } catch (error) {
        link.lastError = problem('unavailable', `The hub relay did not start: ${error instanceof Error ? error.message : String(error)}`)
        options.log(`Sync hub did not start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
      }
    },
    close: stopHub,
  }
}

/** Retry-worthy trouble is `unavailable`; what the technician must fix is `forbidden` or `invalidInput`. */
function contractCode(code: SyncClientError['code']): MotcuaError['code'] {
  switch (code) {
    case 'network':
    case 'timeout':
    case 'badResponse':
    case 'unavailable':
      return 'unavailable'
    case 'unauthenticated':
    case 'serverKeyChanged':
    case 'clockSkew':
    case 'unknownDevice':
    case 'enrollmentRefused':
    case 'wrongWard':
    case 'notYourEvents':
      return 'forbidden'
    default:
      return 'invalidInput'
  }
}

/** The PC's IPv4 addresses on its networks: what the ward's devices type or scan to reach the hub (only itself when it listens on loopback). */
function lanAddresses(hubHost = '0.0.0.0'): string[] {
  if (hubHost !== '0.0.0.0') return [hubHost]
  return Object.values(networkInterfaces())
    .flatMap((addresses) => addresses ?? [])
    .filter((address) => address.family === 'IPv4' && !address.internal)
    .map((address) => address.address)
}
