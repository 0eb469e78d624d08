import type { KeyObject } from 'node:crypto'
import type { EventEnvelope, VersionVector } from '../../shared/domain/eventlog/envelope'
import { fullJitterDelay, SYNC_BACKOFF, type BackoffPolicy } from '../../shared/sync/backoff'
import { SYNC_LIMITS, VersionVectorSchema, type ServerKey } from '../../shared/sync/protocol'
import { createSyncClient, SyncClientError, type SyncClientErrorCode } from '../client/sync-client'
import type { BlobStore } from './blob-store'
import type { RelayStorage } from './storage/relay-storage'
import type { WardSignals } from './ward-signals'

/** What the technician screen shows about the hub's link to the city. Times are ISO strings. */
export interface UpstreamStatus {
  readonly state: 'syncing' | 'idle' | 'retrying' | 'stopped'
  /** Ward events the city has not acknowledged, and their payload bytes plus the blob bytes it lacks. */
  readonly pendingEvents: number
  readonly pendingBlobs: number
  readonly pendingBytes: number
  readonly lastSuccessAt?: string
  readonly lastError?: { readonly code: SyncClientErrorCode | 'internal'; readonly message: string; readonly at: string }
  readonly nextAttemptAt?: string
  /** What the city holds of each device's log, as far as the hub knows. */
  readonly cityFrontier: VersionVector
}

export interface UpstreamReplicator {
  status(): UpstreamStatus
  /** Local events committed: push them now rather than at the end of the idle wait. */
  wake(): void
  stop(): Promise<void>
}

export interface UpstreamOptions {
  readonly wardCode: string
  readonly storage: RelayStorage
  readonly blobs: BlobStore
  readonly signals: WardSignals
  readonly client: { readonly baseUrl: string; readonly deviceId: string; readonly privateKey: KeyObject; readonly serverKey: ServerKey; readonly fetch?: typeof fetch }
  readonly log: (line: string) => void
  readonly backoff?: BackoffPolicy
  readonly random?: () => number
}

const CITY_FRONTIER_KEY = 'upstream.cityFrontier'
/** How long one push or chunk should take on the measured link: short enough that a cut costs little. */
const TARGET_REQUEST_SECONDS = 5
/** Decoded JSON per push, well under the server's decoded-body limit. */
const MAX_PUSH_JSON_BYTES = SYNC_LIMITS.maxDecodedBodyBytes / 2
const IDLE_WAIT_SECONDS = SYNC_LIMITS.maxPullWaitSeconds
const PULL_BATCH = SYNC_LIMITS.maxEventsPerPull

/** Throughput of the link to the city (bytes per second, moving average), to size pushes and chunks. */
class LinkEstimate {
  private bytesPerSecond: number | undefined

  record(bytes: number, milliseconds: number): void {
    if (bytes < 4096) return
    const sample = (bytes * 1000) / Math.max(milliseconds, 1)
    this.bytesPerSecond = this.bytesPerSecond === undefined ? sample : 0.7 * this.bytesPerSecond + 0.3 * sample
  }

  budgetBytes(fallback: number, min: number, max: number): number {
    const budget = this.bytesPerSecond === undefined ? fallback : this.bytesPerSecond * TARGET_REQUEST_SECONDS
    return Math.floor(Math.min(max, Math.max(min, budget)))
  }
}

/**
 * The hub's replication to the city: pulls the ward's events the city has (catalogue, devices that
 * talk to the city directly), pushes every ward event the city lacks in per-device seq order, then
 * uploads the ward's blobs smallest first; idles on a long-poll to the city; retries with full-jitter
 * backoff while the city is unreachable. The city's acknowledged frontier is kept in the database.
 */
export function startUpstreamReplicator(options: UpstreamOptions): UpstreamReplicator {
  const { storage, wardCode } = options
  const client = createSyncClient({ ...options.client, timeoutMs: 60_000 })
  const backoff = options.backoff ?? SYNC_BACKOFF
  const random = options.random ?? Math.random
  const link = new LinkEstimate()
  const stopController = new AbortController()
  let idleController: AbortController | undefined
  let wokenWhileBusy = false
  let cityFrontier: Record<string, number> = {}
  let status: Omit<UpstreamStatus, 'cityFrontier'> = { state: 'syncing', pendingEvents: 0, pendingBlobs: 0, pendingBytes: 0 }

  const setCityFrontier = async (vector: VersionVector): Promise<void> => {
    cityFrontier = { ...vector }
    await storage.setState(CITY_FRONTIER_KEY, cityFrontier)
  }

  async function refreshPending(): Promise<void> {
    const events = await storage.countAbove(wardCode, cityFrontier)
    const blobs = await storage.blobsNotUpstream(wardCode)
    status = { ...status, pendingEvents: events.events, pendingBlobs: blobs.length, pendingBytes: events.bytes + blobs.reduce((sum, blob) => sum + blob.length, 0) }
  }

  async function store(events: readonly EventEnvelope[]): Promise<void> {
    if (events.length === 0) return
    const result = await storage.appendEvents(events)
    if (!result.ok) throw new Error(`The city's events do not continue the hub's log (${result.code} for ${result.deviceId})`)
    options.signals.notify(wardCode)
  }

  /** Until the city has nothing more; then its answer's frontier is exactly what the city holds. */
  async function pullAll(): Promise<void> {
    for (;;) {
      const answer = await client.pull({ after: await storage.wardFrontier(wardCode), limit: PULL_BATCH, signal: stopController.signal })
      await store(answer.events)
      if (!answer.more) return setCityFrontier(answer.frontier)
    }
  }

  async function pushAll(): Promise<void> {
    for (;;) {
      const { events: batch } = await storage.pullEvents(wardCode, cityFrontier, pushBatchSize(), MAX_PUSH_JSON_BYTES)
      if (batch.length === 0) return
      const batchBytes = JSON.stringify(batch).length
      averageEventBytes = Math.max(64, Math.round(batchBytes / batch.length))
      const started = Date.now()
      try {
        const answer = await client.push(batch, { signal: stopController.signal })
        link.record(batchBytes, Date.now() - started)
        await setCityFrontier({ ...cityFrontier, ...answer.frontier })
      } catch (error) {
        // The city holds less (or more) of a device's log than we thought: continue where it says.
        if (!(error instanceof SyncClientError && error.code === 'sequenceGap' && error.details.expected)) throw error
        await setCityFrontier({ ...cityFrontier, [error.details.expected.deviceId]: error.details.expected.seq - 1 })
      }
      await refreshPending()
    }
  }

  let averageEventBytes = 1024
  function pushBatchSize(): number {
    return Math.max(10, Math.min(SYNC_LIMITS.maxEventsPerPush, Math.floor(link.budgetBytes(100 * averageEventBytes, 0, Number.MAX_SAFE_INTEGER) / averageEventBytes)))
  }

  async function uploadBlobs(): Promise<void> {
    for (const blob of await storage.blobsNotUpstream(wardCode)) {
      let lastOffset = 0
      let lastAt = Date.now()
      const upload = await client.uploadBlob(blob.sha256, (offset, length) => options.blobs.readBytes(blob.sha256, offset, length), blob.length, {
        chunkBytes: link.budgetBytes(256 * 1024, 64 * 1024, SYNC_LIMITS.maxChunkBytes),
        signal: stopController.signal,
        // New events go first, between chunks: a large blob on a slow link would hold them for its whole upload. The next pass resumes it from the city's offset.
        yieldNow: () => wokenWhileBusy,
        onProgress: (offset) => {
          link.record(offset - lastOffset, Date.now() - lastAt)
          lastOffset = offset
          lastAt = Date.now()
        },
      })
      if (!upload.complete) return
      await storage.markBlobUpstream(blob.sha256)
      await refreshPending()
    }
  }

  /** Nothing to send: hold a long-poll at the city, cut short when local events arrive. */
  async function idle(): Promise<void> {
    idleController = new AbortController()
    const signal = AbortSignal.any([idleController.signal, stopController.signal])
    try {
      const answer = await client.pull({ after: await storage.wardFrontier(wardCode), limit: PULL_BATCH, waitSeconds: IDLE_WAIT_SECONDS, signal })
      await store(answer.events)
    } catch (error) {
      if (!signal.aborted) throw error
    } finally {
      idleController = undefined
    }
  }

  async function sleep(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms)
      function done(): void {
        clearTimeout(timer)
        stopController.signal.removeEventListener('abort', done)
        resolve()
      }
      stopController.signal.addEventListener('abort', done, { once: true })
    })
  }

  async function run(): Promise<void> {
    let failures = 0
    let frontierLoaded = false
    while (!stopController.signal.aborted) {
      try {
        status = { ...status, state: 'syncing' }
        // Read inside the retry loop: a database not answering yet is retried like the city, never an unhandled rejection.
        if (!frontierLoaded) {
          const saved = VersionVectorSchema.safeParse(await storage.state(CITY_FRONTIER_KEY))
          if (saved.success) cityFrontier = { ...saved.data }
          frontierLoaded = true
        }
        wokenWhileBusy = false
        await pullAll()
        await pushAll()
        await uploadBlobs()
        failures = 0
        const { nextAttemptAt: _cleared, ...rest } = status
        status = { ...rest, state: 'idle', lastSuccessAt: new Date().toISOString() }
        await refreshPending()
        if (!wokenWhileBusy) await idle()
      } catch (error) {
        if (stopController.signal.aborted) break
        failures++
        const delay = fullJitterDelay(failures, backoff, random)
        const code = error instanceof SyncClientError ? error.code : 'internal'
        const message = error instanceof Error ? error.message : String(error)
        options.log(`upstream: ${code}: ${message}; retrying in ${Math.round(delay / 1000)} s`)
        status = { ...status, state: 'retrying', lastError: { code, message, at: new Date().toISOString() }, nextAttemptAt: new Date(Date.now() + delay).toISOString() }
        await refreshPending().catch(() => undefined)
        await sleep(delay)
      }
    }
    status = { ...status, state: 'stopped' }
  }

  const running = run()
  return {
    status: () => ({ ...status, cityFrontier: { ...cityFrontier } }),
    wake() {
      wokenWhileBusy = true
      idleController?.abort()
    },
    async stop() {
      stopController.abort()
      await running
    },
  }
}
