import type { SealedBlob } from '../../../shared/domain/eventlog/envelope'
import type { MotcuaDatabase } from './db'

export type BlobMime = 'image/jpeg' | 'image/x-ccitt-g4' | 'application/pdf'

/**
 * A file sealed by main with the device data key. `sha256` is the hex SHA-256 of the plaintext:
 * the content address events refer to and sync moves files by. Only the ciphertext rests here.
 */
export interface BlobRecord {
  readonly sha256: string
  readonly mime: BlobMime
  /** Plaintext bytes. */
  readonly size: number
  readonly sealed: SealedBlob
  readonly createdAt: number
}

/** Stores a sealed file once: the same content address again keeps the first copy (content is the same by definition). */
export async function putBlob(db: MotcuaDatabase, blob: Omit<BlobRecord, 'createdAt'>, now: number = Date.now()): Promise<void> {
  await db.transaction('rw', db.blobs, async () => {
    if ((await db.blobs.get(blob.sha256)) === undefined) await db.blobs.add({ ...blob, createdAt: now })
  })
}

export function getBlob(db: MotcuaDatabase, sha256: string): Promise<BlobRecord | undefined> {
  return db.blobs.get(sha256)
}

/** Deletes the files among `candidates` that nothing in `stillNeeded` refers to. */
export async function deleteBlobsNotNeeded(db: MotcuaDatabase, candidates: readonly string[], stillNeeded: ReadonlySet<string>): Promise<void> {
  await db.blobs.bulkDelete(candidates.filter((sha256) => !stillNeeded.has(sha256)))
}
