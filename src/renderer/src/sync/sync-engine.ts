import type { MotcuaApi } from '../../../shared/contract/contract'
import { base64ByteLength } from '../../../shared/contract/schemas'
import { MAX_STAGE_SLICE_BYTES } from '../../../shared/contract/sync-schemas'
import type { EventEnvelope, VersionVector } from '../../../shared/domain/eventlog/envelope'
import {
  blobUploadOrder,
  chunkBytesFor,
  CITY_PULL_INTERVAL_MS,
  eventsForPush,
  IDLE_CHECK_MS,
  INITIAL_LANE,
  laneFailed,
  laneSucceeded,
  retryDelayMs,
  WARD_PULL_WAIT_SECONDS,
  type LaneState,
} from '../../../shared/sync/engine-state'
import { eventJsonBytes, SYNC_LIMITS } from '../../../shared/sync/protocol'
import type { BlobRecord } from '../data/blobs'
import type { MotcuaDatabase } from '../data/db'
import type { EventStore } from '../data/event-store'
import { acknowledgeUpTo, dequeueBlob, outboxEvents, queuedBlobs, readPullCursor, readPushedSeq, SYNC_META, type LaneRecord } from './outbox'

/** What the engine asks main for: the contract's sync operations (Electron IPC, the web host, or the handlers directly in tests). */
export type SyncTransport = Pick<MotcuaApi, 'syncPushEvents' | 'syncPullEvents' | 'syncBlobOffset' | 'syncStageBlob' | 'syncUploadBlobChunk'>

export interface SyncEngineOptions {
  readonly db: MotcuaDatabase
  readonly store: EventStore
  readonly transport: SyncTransport
  /** ward: long-poll the hub for near-real-time queue events; city: ask every 30 s. */
  readonly topology: 'ward' | 'city'
  readonly now?: () => number
  readonly random?: () => number
  readonly log?: (line: string) => void
}

/** Whole base64 groups: a slice of the ciphertext's base64 text decodes on its own. */
const STAGE_SLICE_BYTES = Math.floor(MAX_STAGE_SLICE_BYTES / 3) * 3

/**
 * The sync engine of one profile (one IndexedDB), run by one window at a time (see leader.ts).
 * Sending: our events above the server's acknowledged seq, in batches sized to take ~2 s, then the
 * files those events refer to, smallest first, one chunk at a time, always yielding to new events.
 * Receiving: pulls after the persisted cursor and applies each batch in one transaction with the
 * cursor, so a crash never loses or skips one. Everything it needs to resume lives in IndexedDB.
 */
export class SyncEngine {
  private send: LaneState = INITIAL_LANE
  private receive: LaneState = INITIAL_LANE
  private wakeUp: (() => void) | undefined
  /** The blob being uploaded and the server's offset as last told; forgotten on any failure. */
  private uploading: { sha256: string; uploaded: number } | undefined
  private stagingBlob: BlobRecord | undefined
  private readonly now: () => number
  private readonly random: () => number

  constructor(private readonly options: SyncEngineOptions) {
    this.now = options.now ?? Date.now
    this.random = options.random ?? Math.random
  }

  private get db(): MotcuaDatabase {
    return this.options.db
  }

  private get deviceId(): string {
    return this.options.store.deviceId
  }

  /** New local events: send them now rather than at the next idle check. */
  wake(): void {
    this.wakeUp?.()
  }

  /** Runs both lanes until the signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    await Promise.all([this.sendLoop(signal), this.receiveLoop(signal)])
  }

  /** Pushes one batch of the outbox; false when it was empty. */
  async pushOnce(): Promise<boolean> {
    const pushedSeq = await readPushedSeq(this.db)
    const candidates = await outboxEvents(this.db, this.deviceId, pushedSeq, this.send.batchSize)
    if (candidates.length === 0) return false
    const sizes = candidates.map(eventJsonBytes)
    const count = eventsForPush(sizes, this.send.batchSize)
    const batch = candidates.slice(0, count)
    const started = this.now()
    const answer = await this.laneCall('send', () => this.options.transport.syncPushEvents({ events: batch }))
    if ('gap' in answer) {
      this.options.log?.(`Sync: the server holds our log up to ${answer.gap.seq - 1}, we thought ${pushedSeq}`)
      await acknowledgeUpTo(this.db, this.deviceId, answer.gap.seq - 1)
      return true
    }
    // A stale answer may name less than we know: never move back on a success.
    const acknowledged = answer.frontier[this.deviceId] ?? 0
    if (acknowledged > pushedSeq) await acknowledgeUpTo(this.db, this.deviceId, acknowledged)
    await this.succeeded('send', { bytes: sizes.slice(0, count).reduce((a, b) => a + b, 0), elapsedMs: this.now() - started, events: count })
    return true
  }

  /** One step of the next blob's upload (a slice handed to main, or a chunk sent); false when none waits. */
  async blobStepOnce(): Promise<boolean> {
    const { transport } = this.options
    let current = this.uploading
    if (!current) {
      const [next] = blobUploadOrder(await queuedBlobs(this.db))
      if (!next) return false
      // Kept while its slices go to main: a 48 MB blob is one 64 MB string, not to be read again per slice.
      const blob = this.stagingBlob?.sha256 === next.sha256 ? this.stagingBlob : await this.db.blobs.get(next.sha256)
      this.stagingBlob = blob
      if (!blob) {
        // Referred to by one of our events, yet not on this device: nothing to send; the server tells whoever asks.
        this.options.log?.(`Sync: blob ${next.sha256} is referred to but not stored on this device`)
        return this.finishBlob(next.sha256)
      }
      const progress = await this.laneCall('send', () => transport.syncBlobOffset({ sha256: blob.sha256, length: blob.size }))
      if (progress.complete) return this.finishBlob(blob.sha256)
      if (!progress.ready) {
        const staged = await this.stageSlice(blob, progress.staged)
        // Fully staged: upload next without asking the server again what it already told us.
        if (staged.ready) this.uploading = { sha256: blob.sha256, uploaded: progress.uploaded ?? 0 }
        return true
      }
      this.stagingBlob = undefined
      current = { sha256: blob.sha256, uploaded: progress.uploaded ?? 0 }
    }
    const started = this.now()
    const chunk = await this.laneCall('send', () => transport.syncUploadBlobChunk({ sha256: current.sha256, maxBytes: chunkBytesFor(this.send) }))
    this.uploading = { sha256: current.sha256, uploaded: chunk.uploaded ?? 0 }
    await this.succeeded('send', { bytes: Math.max(0, (chunk.uploaded ?? 0) - current.uploaded), elapsedMs: this.now() - started })
    if (chunk.complete) return this.finishBlob(current.sha256)
    return true
  }

  /** Pulls once; applies what came in one transaction with the cursor. */
  async pullOnce(waitSeconds: number): Promise<{ applied: number; more: boolean }> {
    const stored = await readPullCursor(this.db)
    // Our own events are here already up to what the server acknowledged: do not fetch them back.
    const after: VersionVector = { ...stored, [this.deviceId]: Math.max(stored[this.deviceId] ?? 0, await readPushedSeq(this.db)) }
    const started = this.now()
    const answer = await this.laneCall('receive', () => this.options.transport.syncPullEvents({ after, limit: SYNC_LIMITS.maxEventsPerPull, waitSeconds }))
    if (answer.events.length > 0) {
      await this.db.transaction('rw', this.db.events, this.db.meta, async () => {
        await this.options.store.ingest(answer.events)
        await this.db.meta.put({ key: SYNC_META.pullAfter, value: advance(await readPullCursor(this.db), answer.events) })
      })
    }
    await this.succeeded('receive', { bytes: answer.events.reduce((total, event) => total + eventJsonBytes(event), 0), elapsedMs: this.now() - started })
    return { applied: answer.events.length, more: answer.more }
  }

  private async sendLoop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        if (await this.pushOnce()) continue
        if (await this.blobStepOnce()) continue
        await this.idle(IDLE_CHECK_MS, signal, true)
      } catch {
        if (signal.aborted) return
        await this.idle(retryDelayMs(this.send, this.random), signal, false)
      }
    }
  }

  private async receiveLoop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        const { more } = await this.pullOnce(this.options.topology === 'ward' ? WARD_PULL_WAIT_SECONDS : 0)
        if (!more && this.options.topology === 'city') await this.idle(CITY_PULL_INTERVAL_MS, signal, false)
      } catch {
        if (signal.aborted) return
        await this.idle(retryDelayMs(this.receive, this.random), signal, false)
      }
    }
  }

  private async stageSlice(blob: { sha256: string; sealed: { kid: string; iv: string; ct: string } }, staged: number): Promise<{ ready: boolean }> {
    const sealedLength = base64ByteLength(blob.sealed.ct)
    const end = Math.min(staged + STAGE_SLICE_BYTES, sealedLength)
    const sliceBase64 = blob.sealed.ct.slice((staged / 3) * 4, end === sealedLength ? undefined : (end / 3) * 4)
    return this.laneCall('send', () => this.options.transport.syncStageBlob({ sha256: blob.sha256, kid: blob.sealed.kid, iv: blob.sealed.iv, sealedLength, offset: staged, sliceBase64 }))
  }

  private async finishBlob(sha256: string): Promise<true> {
    this.uploading = undefined
    this.stagingBlob = undefined
    await dequeueBlob(this.db, sha256)
    return true
  }

  /** Runs one call to main; a failure is counted on its lane, kept for the status, and rethrown. */
  private async laneCall<T>(lane: 'send' | 'receive', call: () => Promise<T>): Promise<T> {
    try {
      return await call()
    } catch (error) {
      if (lane === 'send') this.uploading = undefined
      const message = error instanceof Error ? error.message : String(error)
      // Main words relay errors as "protocolCode: detail": keep the protocol's code (clockSkew, network…) for the status.
      const code = /^([a-zA-Z]+): /.exec(message)?.[1] ?? (typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : 'failed')
      this[lane] = laneFailed(this[lane], { code, message }, this.now())
      await this.saveStatus()
      throw error
    }
  }

  private async succeeded(lane: 'send' | 'receive', measurement: { bytes: number; elapsedMs: number; events?: number }): Promise<void> {
    const hadError = this[lane].lastError !== undefined
    const previous = this[lane].lastSuccessAt
    this[lane] = laneSucceeded(this[lane], measurement, this.now())
    // Written when something changed a reader cares about, not on every chunk.
    if (hadError || previous === undefined || this.now() - previous > 5000) await this.saveStatus()
  }

  private async saveStatus(): Promise<void> {
    const record = (lane: LaneState): LaneRecord => ({ ...(lane.lastSuccessAt !== undefined && { lastSuccessAt: lane.lastSuccessAt }), ...(lane.lastError && { lastError: lane.lastError }) })
    await this.db.meta.put({ key: SYNC_META.status, value: { send: record(this.send), receive: record(this.receive) } })
  }

  /** Waits `ms`, or less when aborted or (if `wakeable`) when new local events arrive. */
  private idle(ms: number, signal: AbortSignal, wakeable: boolean): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer)
        signal.removeEventListener('abort', done)
        if (this.wakeUp === done) this.wakeUp = undefined
        resolve()
      }
      const timer = setTimeout(done, ms)
      signal.addEventListener('abort', done)
      if (wakeable) this.wakeUp = done
    })
  }
}

/** The cursor after a gap-free batch: each device's highest seq in it (the relay client checked the continuity). */
function advance(cursor: VersionVector, events: readonly EventEnvelope[]): VersionVector {
  const next: Record<string, number> = { ...cursor }
  for (const event of events) next[event.deviceId] = Math.max(next[event.deviceId] ?? 0, event.seq)
  return next
}
