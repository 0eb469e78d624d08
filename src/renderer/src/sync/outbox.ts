import Dexie from 'dexie'
import type { EventEnvelope, VersionVector } from '../../../shared/domain/eventlog/envelope'
import { blobsReferencedBy } from '../../../shared/domain/dossier/dossiers'
import type { MetaRecord, MotcuaDatabase } from '../data/db'
import { eventJsonBytes } from '../../../shared/sync/protocol'

/**
 * What sync keeps in IndexedDB's `meta` table, so an engine restarted after a crash (or in another
 * window) continues where the last one stopped:
 * - the highest seq of ours the server acknowledged (the outbox is our events above it);
 * - the pull cursor (a version vector), moved in the same transaction as the events it covers;
 * - one record per blob still to upload, added in the same transaction as the acknowledgement of
 *   the event that refers to it (events first, then their files);
 * - the engine's last success and error, for every window's status chip.
 */
export const SYNC_META = {
  pushedSeq: 'sync:pushedSeq',
  pullAfter: 'sync:pullAfter',
  blobPrefix: 'sync:blob:',
  status: 'sync:status',
} as const

export interface LaneRecord {
  readonly lastSuccessAt?: number
  readonly lastError?: { readonly code: string; readonly message: string; readonly at: number }
}
export interface SyncLocalStatus {
  readonly send: LaneRecord
  readonly receive: LaneRecord
}

export async function readPushedSeq(db: MotcuaDatabase): Promise<number> {
  const record = await db.meta.get(SYNC_META.pushedSeq)
  return typeof record?.value === 'number' ? record.value : 0
}

export async function readPullCursor(db: MotcuaDatabase): Promise<VersionVector> {
  const record = await db.meta.get(SYNC_META.pullAfter)
  return isVector(record?.value) ? record.value : {}
}

/** Our events the server has not acknowledged, in seq order. */
export function outboxEvents(db: MotcuaDatabase, deviceId: string, pushedSeq: number, limit?: number): Promise<EventEnvelope[]> {
  const pending = db.events.where(':id').between([deviceId, pushedSeq + 1], [deviceId, Dexie.maxKey])
  return (limit === undefined ? pending : pending.limit(limit)).toArray()
}

/**
 * Records that the server holds our log up to `seq`. Moving forward queues the files the newly
 * acknowledged events refer to; moving back (the server told us it holds less) re-opens the outbox.
 */
export async function acknowledgeUpTo(db: MotcuaDatabase, deviceId: string, seq: number): Promise<void> {
  await db.transaction('rw', db.events, db.meta, db.blobs, async () => {
    const current = await readPushedSeq(db)
    if (seq === current) return
    if (seq > current) {
      const acknowledged = await db.events.where(':id').between([deviceId, current + 1], [deviceId, seq], true, true).toArray()
      const addresses = [...new Set(acknowledged.flatMap((event) => blobsReferencedBy(event)))]
      // The size rides along, so choosing the next upload never loads the sealed files themselves.
      const records = await db.blobs.bulkGet(addresses)
      await db.meta.bulkPut(addresses.map((sha256, index): MetaRecord => ({ key: SYNC_META.blobPrefix + sha256, value: { sha256, size: records[index]?.size ?? 0 } satisfies QueuedBlob })))
    }
    await db.meta.put({ key: SYNC_META.pushedSeq, value: seq })
  })
}

export interface QueuedBlob {
  readonly sha256: string
  /** Plaintext bytes (0: not stored on this device). */
  readonly size: number
}

export async function queuedBlobs(db: MotcuaDatabase): Promise<QueuedBlob[]> {
  const records = await db.meta.where('key').startsWith(SYNC_META.blobPrefix).toArray()
  return records.map((record) => record.value as QueuedBlob)
}

export async function dequeueBlob(db: MotcuaDatabase, sha256: string): Promise<void> {
  await db.meta.delete(SYNC_META.blobPrefix + sha256)
}

export interface OutboxSummary {
  readonly events: number
  readonly eventBytes: number
  readonly blobs: number
  readonly blobBytes: number
}


/** What waits to be sent: for the clerk's chip and the technician's panel. */
export async function readOutboxSummary(db: MotcuaDatabase, deviceId: string): Promise<OutboxSummary> {
  const pushedSeq = await readPushedSeq(db)
  const pending = await outboxEvents(db, deviceId, pushedSeq)
  const blobs = await queuedBlobs(db)
  return {
    events: pending.length,
    eventBytes: pending.reduce((total, event) => total + eventJsonBytes(event), 0),
    blobs: blobs.length,
    blobBytes: blobs.reduce((total, blob) => total + blob.size, 0),
  }
}

export async function readLocalStatus(db: MotcuaDatabase): Promise<SyncLocalStatus> {
  const record = await db.meta.get(SYNC_META.status)
  const value = record?.value as Partial<SyncLocalStatus> | undefined
  return { send: value?.send ?? {}, receive: value?.receive ?? {} }
}

function isVector(value: unknown): value is VersionVector {
  return typeof value === 'object' && value !== null && Object.values(value).every((seq) => Number.isSafeInteger(seq) && (seq as number) >= 0)
}
