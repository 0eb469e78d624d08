import { createHash } from 'node:crypto'
import { createReadStream, type ReadStream } from 'node:fs'
import { mkdir, open, rename, rm, stat, type FileHandle } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { Readable } from 'node:stream'
import { KeyedMutex } from './keyed-mutex'
import { ClientGone, RelayHttpError } from './http'
import type { BlobRecord, RelayStorage } from './storage/relay-storage'

export interface ChunkUpload {
  readonly sha256: string
  readonly offset: number
  readonly length: number
  readonly body: Readable
  /** Base64 SHA-256 of the chunk from Upload-Checksum. */
  readonly checksumBase64: string
  /** Base64 SHA-256 from the signed Content-Digest: the chunk must be what was signed. */
  readonly signedDigestBase64: string
}

/**
 * Blob bytes in files under DATA/blobs/ab/<sha256>: a partial upload grows in `<sha256>.part`; on
 * completion its SHA-256 is checked against the address and it is renamed into place, so a
 * visible blob file is always whole. Chunks of one blob are written one at a time.
 */
export class BlobStore {
  private readonly locks = new KeyedMutex()

  constructor(
    private readonly root: string,
    private readonly storage: RelayStorage,
  ) {}

  private finalPath(record: Pick<BlobRecord, 'storagePath'>): string {
    return join(this.root, record.storagePath)
  }

  private partPath(record: Pick<BlobRecord, 'storagePath'>): string {
    return `${this.finalPath(record)}.part`
  }

  /**
   * tus creation: 'created' with offset 0, or the row as it stands (resumable, or complete: never
   * stored twice). An unfinished upload declared with another length is started over: only one
   * length can hash to the address, so a wrong one must not keep the right one out.
   */
  create(sha256: string, length: number, ward: string): Promise<{ created: boolean; record: BlobRecord }> {
    return this.locks.run(sha256, async () => {
      let existing = await this.storage.blob(sha256)
      if (existing?.complete && existing.length !== length) throw new RelayHttpError('malformedRequest', `This blob is held with Upload-Length ${existing.length}`)
      if (existing && existing.length !== length) {
        await this.storage.deleteBlob(sha256)
        existing = undefined
      }
      // Knowing a content's SHA-256 stands for holding it: the ward may read what it can name.
      await this.storage.grantBlob(sha256, ward)
      if (existing) return { created: false, record: existing }
      const storagePath = join(sha256.slice(0, 2), sha256)
      await (await this.emptyPart({ storagePath })).close()
      const record = await this.storage.createBlob(sha256, length, storagePath)
      if (length === 0) return { created: true, record: await this.finish(record) }
      return { created: true, record }
    })
  }

  /** tus PATCH: appends the chunk at the current offset, checked; returns the new offset. */
  appendChunk(upload: ChunkUpload): Promise<number> {
    return this.locks.run(upload.sha256, async () => {
      const record = await this.storage.blob(upload.sha256)
      if (!record) throw new RelayHttpError('notFound', 'No upload at this address: create it first (POST /v1/blobs)')
      if (upload.offset !== record.offset || record.complete) {
        throw new RelayHttpError('offsetMismatch', `Upload-Offset ${upload.offset} but the server holds ${record.offset} bytes`, { headers: { 'upload-offset': String(record.offset) } })
      }
      if (upload.offset + upload.length > record.length) throw new RelayHttpError('malformedRequest', `The chunk would end past Upload-Length ${record.length}`)
      const end = await this.writeChunk(record, upload)
      await this.storage.setBlobOffset(record.sha256, end)
      if (end === record.length) await this.finish({ ...record, offset: end })
      return end
    })
  }

  private async emptyPart(record: Pick<BlobRecord, 'storagePath'>): Promise<FileHandle> {
    await mkdir(dirname(this.finalPath(record)), { recursive: true })
    return open(this.partPath(record), 'w')
  }

  /** The part file, made again empty when it went missing (disk restored from an older backup): then the upload starts over at 0. */
  private async openPart(record: BlobRecord): Promise<FileHandle> {
    try {
      return await open(this.partPath(record), 'r+')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    }
    const handle = await this.emptyPart(record)
    if (record.offset === 0) return handle
    await handle.close()
    await this.storage.setBlobOffset(record.sha256, 0)
    throw new RelayHttpError('offsetMismatch', 'The partial upload was lost: start again at offset 0', { headers: { 'upload-offset': '0' } })
  }

  private async writeChunk(record: BlobRecord, upload: ChunkUpload): Promise<number> {
    const handle = await this.openPart(record)
    const hash = createHash('sha256')
    let position = upload.offset
    try {
      try {
        for await (const chunk of upload.body as AsyncIterable<Buffer>) {
          if (position + chunk.length > upload.offset + upload.length) throw new RelayHttpError('malformedRequest', 'The body is longer than its Content-Length')
          hash.update(chunk)
          await handle.write(chunk, 0, chunk.length, position)
          position += chunk.length
        }
      } catch (error) {
        if (error instanceof RelayHttpError) throw error
        throw new ClientGone('The chunk was cut off', { cause: error })
      }
      if (position !== upload.offset + upload.length) throw new ClientGone('The chunk was cut off')
      const digest = hash.digest('base64')
      if (digest !== upload.signedDigestBase64) throw new RelayHttpError('unauthenticated', 'Content-Digest does not match the body')
      if (digest !== upload.checksumBase64) throw new RelayHttpError('checksumMismatch', 'Upload-Checksum does not match the chunk')
      await handle.truncate(position)
      await handle.datasync()
      return position
    } catch (error) {
      // A chunk that did not arrive whole and checked is forgotten: the offset stays where it was.
      await handle.truncate(upload.offset)
      throw error
    } finally {
      await handle.close()
    }
  }

  /** The whole content must hash to its address; otherwise the upload is discarded. */
  private async finish(record: BlobRecord): Promise<BlobRecord> {
    const part = this.partPath(record)
    const hash = createHash('sha256')
    for await (const chunk of createReadStream(part) as AsyncIterable<Buffer>) hash.update(chunk)
    if (hash.digest('hex') !== record.sha256) {
      await rm(part, { force: true })
      await this.storage.deleteBlob(record.sha256)
      throw new RelayHttpError('digestMismatch', 'The uploaded content does not hash to its address: the upload was discarded, send it again')
    }
    await rename(part, this.finalPath(record))
    await this.storage.completeBlob(record.sha256)
    return { ...record, offset: record.length, complete: true }
  }

  /** A complete blob's bytes, or undefined when it is not (yet) whole here. */
  async read(sha256: string, range?: { offset: number; length: number }): Promise<{ record: BlobRecord; stream: ReadStream } | undefined> {
    const record = await this.storage.blob(sha256)
    if (!record?.complete) return undefined
    const path = this.finalPath(record)
    const size = (await stat(path).catch(() => undefined))?.size
    if (size !== record.length) return undefined
    const stream = range && range.length > 0 ? createReadStream(path, { start: range.offset, end: range.offset + range.length - 1 }) : createReadStream(path)
    return { record, stream }
  }

  /** Bytes of a complete blob, for the hub's upload to the city. */
  async readBytes(sha256: string, offset: number, length: number): Promise<Buffer> {
    const record = await this.storage.blob(sha256)
    if (!record?.complete) throw new Error(`Blob ${sha256} is not complete here`)
    const handle = await open(this.finalPath(record), 'r')
    try {
      const buffer = Buffer.alloc(length)
      const { bytesRead } = await handle.read(buffer, 0, length, offset)
      if (bytesRead !== length) throw new Error(`Blob ${sha256} is shorter than its record`)
      return buffer
    } finally {
      await handle.close()
    }
  }
}
