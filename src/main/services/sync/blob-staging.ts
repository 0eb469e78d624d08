import { createHash } from 'node:crypto'
import { open, readFile, rename, rm, stat, truncate } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import { MotcuaError } from '../../../shared/contract/dispatch'
import { writeFileAtomic } from '../fs/atomic-file'
import type { DataKey } from '../privacy/data-key'

const StagedMetaSchema = z.object({ kid: z.string(), iv: z.string(), sealedLength: z.number().int().min(17) }).strict()
type StagedMeta = z.infer<typeof StagedMetaSchema>

export interface StageSlice extends StagedMeta {
  readonly sha256: string
  readonly offset: number
  readonly slice: Buffer
}

export interface StagedProgress {
  /** Ciphertext bytes held. */
  readonly staged: number
  /** All held, opened with the device key and matching its address. */
  readonly ready: boolean
}

const TAG_BYTES = 16
const VERIFY_READ_BYTES = 1024 * 1024

/**
 * Blobs on their way out, kept in main's data folder exactly as IndexedDB holds them (sealed with
 * the device data key): the screen hands the ciphertext over in slices, main checks the whole once
 * and then decrypts only the chunk it uploads. Nothing in clear ever rests on disk, no message
 * carries a whole 48 MB blob, and a restart resumes from the bytes already here.
 */
export class BlobStaging {
  private readonly locks = new Map<string, Promise<unknown>>()

  constructor(
    private readonly dir: string,
    private readonly dataKey: DataKey,
  ) {}

  /** Without its meta file the staged bytes cannot be opened: they count as nothing, and are replaced by the next stage. */
  progress(sha256: string): Promise<StagedProgress> {
    return this.serialized(sha256, async () => {
      const meta = await this.readMeta(sha256)
      return meta ? this.finishIfWhole(sha256, meta, await this.readProgress(sha256)) : { staged: 0, ready: false }
    })
  }

  stage(input: StageSlice): Promise<StagedProgress> {
    return this.serialized(input.sha256, async () => {
      const meta: StagedMeta = { kid: input.kid, iv: input.iv, sealedLength: input.sealedLength }
      const held = await this.readMeta(input.sha256)
      if (held?.kid !== meta.kid || held.iv !== meta.iv || held.sealedLength !== meta.sealedLength) {
        // Sealed again on this device (another iv), or the meta was lost: what is staged cannot be trusted to be this ciphertext.
        await this.clearFiles(input.sha256)
        await writeFileAtomic(this.metaFile(input.sha256), JSON.stringify(meta))
      }
      // A crash between the last slice and the rename leaves the whole ciphertext in the part file.
      let current = await this.finishIfWhole(input.sha256, meta, await this.readProgress(input.sha256))
      // A crash mid-append leaves a ragged end: cut back to whole base64 groups (3 bytes), which the screen slices by.
      if (!current.ready && current.staged % 3 !== 0) {
        await truncate(this.partFile(input.sha256), current.staged - (current.staged % 3))
        current = await this.readProgress(input.sha256)
      }
      if (current.ready || input.offset !== current.staged) return current
      if (input.offset + input.slice.length > input.sealedLength) throw new MotcuaError('invalidInput', `Slice of ${input.slice.length} bytes at ${input.offset} goes past the sealed length ${input.sealedLength}`)
      const handle = await open(this.partFile(input.sha256), 'a', 0o600)
      try {
        await handle.write(input.slice)
        await handle.sync()
      } finally {
        await handle.close()
      }
      return this.finishIfWhole(input.sha256, meta, { staged: current.staged + input.slice.length, ready: false })
    })
  }

  /** Plaintext bytes [offset, offset + length) of a ready blob. */
  async read(sha256: string, offset: number, length: number): Promise<Buffer> {
    const meta = await this.readMeta(sha256)
    if (!meta) throw new MotcuaError('invalidInput', `Blob ${sha256} is not staged`)
    const handle = await open(this.sealedFile(sha256), 'r')
    try {
      const ciphertext = Buffer.alloc(length)
      const { bytesRead } = await handle.read(ciphertext, 0, length, offset)
      if (bytesRead !== length || offset + length > meta.sealedLength - TAG_BYTES) throw new MotcuaError('invalidInput', `Blob ${sha256}: no ${length} bytes at ${offset}`)
      return await this.dataKey.openBytesFrom(meta, offset, ciphertext)
    } finally {
      await handle.close()
    }
  }

  /** The plaintext's length, once ready. */
  async plaintextLength(sha256: string): Promise<number | undefined> {
    const meta = await this.readMeta(sha256)
    return meta ? meta.sealedLength - TAG_BYTES : undefined
  }

  clear(sha256: string): Promise<void> {
    return this.serialized(sha256, () => this.clearFiles(sha256))
  }

  /** A part file holding the whole ciphertext is checked and put in place; a failed check clears the blob and throws. */
  private async finishIfWhole(sha256: string, meta: StagedMeta, progress: StagedProgress): Promise<StagedProgress> {
    if (progress.ready || progress.staged !== meta.sealedLength) return progress
    await this.verify(sha256, meta)
    await rename(this.partFile(sha256), this.sealedFile(sha256))
    return { staged: progress.staged, ready: true }
  }

  private async readProgress(sha256: string): Promise<StagedProgress> {
    const ready = await sizeOf(this.sealedFile(sha256))
    if (ready !== undefined) return { staged: ready, ready: true }
    return { staged: (await sizeOf(this.partFile(sha256))) ?? 0, ready: false }
  }

  /** Streams the ciphertext through AES-GCM: the tag proves it is ours and whole, the hash that it is what the events refer to. */
  private async verify(sha256: string, meta: StagedMeta): Promise<void> {
    const handle = await open(this.partFile(sha256), 'r')
    try {
      const tag = Buffer.alloc(TAG_BYTES)
      await handle.read(tag, 0, TAG_BYTES, meta.sealedLength - TAG_BYTES)
      const decipher = await this.dataKey.openBytesStream(meta, tag)
      const hash = createHash('sha256')
      const buffer = Buffer.alloc(VERIFY_READ_BYTES)
      for (let position = 0; position < meta.sealedLength - TAG_BYTES; ) {
        const wanted = Math.min(buffer.length, meta.sealedLength - TAG_BYTES - position)
        const { bytesRead } = await handle.read(buffer, 0, wanted, position)
        hash.update(decipher.update(buffer.subarray(0, bytesRead)))
        position += bytesRead
      }
      try {
        hash.update(decipher.final())
      } catch {
        throw new MotcuaError('invalidInput', `Blob ${sha256} does not open with this device's key: altered or damaged`)
      }
      if (hash.digest('hex') !== sha256) throw new MotcuaError('invalidInput', `Blob ${sha256} opens to other content than its address`)
    } catch (error) {
      await handle.close()
      await this.clearFiles(sha256)
      throw error
    }
    await handle.close()
  }

  private async readMeta(sha256: string): Promise<StagedMeta | undefined> {
    try {
      return StagedMetaSchema.parse(JSON.parse(await readFile(this.metaFile(sha256), 'utf8')))
    } catch {
      return undefined
    }
  }

  private async clearFiles(sha256: string): Promise<void> {
    await Promise.all([this.partFile(sha256), this.sealedFile(sha256), this.metaFile(sha256)].map((file) => rm(file, { force: true })))
  }

  private partFile = (sha256: string): string => join(this.dir, `${sha256}.part`)
  private sealedFile = (sha256: string): string => join(this.dir, `${sha256}.sealed`)
  private metaFile = (sha256: string): string => join(this.dir, `${sha256}.json`)

  /** One operation per blob at a time: two windows' slices must not interleave in the file. */
  private serialized<T>(sha256: string, run: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(sha256) ?? Promise.resolve()
    const next = previous.then(run, run)
    const settled = next.catch(() => undefined)
    this.locks.set(sha256, settled)
    void settled.then(() => {
      if (this.locks.get(sha256) === settled) this.locks.delete(sha256)
    })
    return next
  }
}

async function sizeOf(file: string): Promise<number | undefined> {
  try {
    return (await stat(file)).size
  } catch {
    return undefined
  }
}
