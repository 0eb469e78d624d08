import { createCipheriv, createDecipheriv, randomBytes, randomUUID, type Decipher } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import { MotcuaError } from '../../../shared/contract/dispatch'
import type { SealedBlob, SealedValue } from '../../../shared/domain/eventlog/envelope'
import { writeFileAtomic } from '../fs/atomic-file'

/**
 * How the data key rests on disk. In the desktop app the OS protects it (Electron safeStorage:
 * DPAPI, Keychain, libsecret); in browser and CLI mode only the file's permissions do.
 */
export interface KeyWrapper {
  readonly kind: 'os' | 'fileOnly'
  wrap(key: Buffer): Buffer
  unwrap(wrapped: Buffer): Buffer
}

export const FILE_ONLY_WRAPPER: KeyWrapper = { kind: 'fileOnly', wrap: (key) => key, unwrap: (wrapped) => wrapped }

/**
 * A key file in the data folder, or undefined when there is none yet. A file that does not parse,
 * or was wrapped by another runtime, throws: callers never replace a key they cannot read.
 */
export async function readWrappedKeyFile<T extends { wrapping: KeyWrapper['kind'] }>(file: string, schema: z.ZodType<T>, wrapper: KeyWrapper, what: string): Promise<T | undefined> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
  const stored = schema.parse(JSON.parse(text))
  if (stored.wrapping !== wrapper.kind) throw new Error(`${what} wrapped by ${stored.wrapping}, but this runtime unwraps ${wrapper.kind}`)
  return stored
}

const KeyFileSchema = z.object({ kid: z.string().min(1).max(64), wrapping: z.enum(['os', 'fileOnly']), key: z.base64() }).strict()
const ALGORITHM = 'aes-256-gcm'
// Associated data: the purpose and the key id, so a ciphertext opens only as what it was sealed as.
const FIELDS_PURPOSE = 'motcua-personal-v1:'
const BYTES_PURPOSE = 'motcua-blob-v1:'

/**
 * The device data key: seals residents' personal fields and scanned papers before they reach
 * IndexedDB or the wire (AES-256-GCM, bound to the key id and the purpose). It never leaves main; screens ask main to seal and open.
 */
export class DataKey {
  private loaded: Promise<{ kid: string; key: Buffer }> | undefined

  constructor(
    private readonly dataDir: string,
    private readonly wrapper: KeyWrapper,
  ) {}

  async seal(fields: Readonly<Record<string, string>>): Promise<SealedValue> {
    return this.encrypt(Buffer.from(JSON.stringify(fields), 'utf8'), FIELDS_PURPOSE)
  }

  async open(sealed: SealedValue): Promise<Record<string, string>> {
    const plaintext = await this.decrypt(sealed, FIELDS_PURPOSE)
    try {
      return z.record(z.string(), z.string()).parse(JSON.parse(plaintext.toString('utf8')))
    } catch {
      throw new MotcuaError('invalidInput', 'Sealed value does not open: altered or damaged')
    }
  }

  /** Seals a file (a page image, a PDF): same key and cipher, bound to another purpose so a blob never opens as fields. */
  async sealBytes(bytes: Uint8Array): Promise<SealedBlob> {
    return this.encrypt(bytes, BYTES_PURPOSE)
  }

  async openBytes(sealed: SealedBlob): Promise<Buffer> {
    return this.decrypt(sealed, BYTES_PURPOSE)
  }

  /**
   * Opens a sealed blob as a stream (sync checks a staged 48 MB blob without holding it in
   * memory): feed the ciphertext to update(), then final() throws if the tag does not match.
   */
  async openBytesStream(sealed: Pick<SealedBlob, 'kid' | 'iv'>, tag: Buffer): Promise<Decipher> {
    const { key } = await this.keyFor(sealed.kid)
    return createDecipheriv(ALGORITHM, key, Buffer.from(sealed.iv, 'base64')).setAAD(Buffer.from(BYTES_PURPOSE + sealed.kid)).setAuthTag(tag)
  }

  /**
   * Decrypts the plaintext from byte `offset` of a sealed blob whose whole ciphertext was already
   * checked with openBytesStream: GCM is counter mode, so block i of the plaintext is the
   * ciphertext XOR AES(iv ‖ i + 2). This lets sync upload any chunk without opening the rest.
   */
  async openBytesFrom(sealed: Pick<SealedBlob, 'kid' | 'iv'>, offset: number, ciphertext: Uint8Array): Promise<Buffer> {
    const { key } = await this.keyFor(sealed.kid)
    const counter = Buffer.alloc(16)
    Buffer.from(sealed.iv, 'base64').copy(counter)
    counter.writeUInt32BE((Math.floor(offset / 16) + 2) % 2 ** 32, 12)
    const decipher = createDecipheriv('aes-256-ctr', key, counter)
    const skip = offset % 16
    return Buffer.concat([decipher.update(Buffer.concat([Buffer.alloc(skip), ciphertext])), decipher.final()]).subarray(skip)
  }

  private async keyFor(kid: string): Promise<{ kid: string; key: Buffer }> {
    const loaded = await this.key()
    if (kid !== loaded.kid) throw new MotcuaError('forbidden', `Sealed with another device's key (${kid})`)
    return loaded
  }

  private async encrypt(plaintext: Uint8Array, purpose: string): Promise<SealedValue & SealedBlob> {
    const { kid, key } = await this.key()
    const iv = randomBytes(12)
    const cipher = createCipheriv(ALGORITHM, key, iv).setAAD(Buffer.from(purpose + kid))
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()])
    return { alg: 'A256GCM', kid, iv: iv.toString('base64'), ct: ciphertext.toString('base64') }
  }

  private async decrypt(sealed: SealedValue | SealedBlob, purpose: string): Promise<Buffer> {
    const { kid, key } = await this.key()
    if (sealed.kid !== kid) throw new MotcuaError('forbidden', `Sealed with another device's key (${sealed.kid})`)
    const data = Buffer.from(sealed.ct, 'base64')
    if (data.length < 16) throw new MotcuaError('invalidInput', 'Sealed value too short')
    try {
      const decipher = createDecipheriv(ALGORITHM, key, Buffer.from(sealed.iv, 'base64')).setAAD(Buffer.from(purpose + kid))
      decipher.setAuthTag(data.subarray(data.length - 16))
      return Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()])
    } catch {
      throw new MotcuaError('invalidInput', 'Sealed value does not open: altered or damaged')
    }
  }

  private key(): Promise<{ kid: string; key: Buffer }> {
    this.loaded ??= this.loadOrCreate()
    return this.loaded
  }

  private async loadOrCreate(): Promise<{ kid: string; key: Buffer }> {
    const file = join(this.dataDir, 'data-key.json')
    // A damaged key file is never replaced: that would make every sealed field unreadable for good.
    const stored = await readWrappedKeyFile(file, KeyFileSchema, this.wrapper, 'Data key')
    if (stored) return { kid: stored.kid, key: this.wrapper.unwrap(Buffer.from(stored.key, 'base64')) }
    const created = { kid: randomUUID(), key: randomBytes(32) }
    await writeFileAtomic(file, JSON.stringify({ kid: created.kid, wrapping: this.wrapper.kind, key: this.wrapper.wrap(created.key).toString('base64') }))
    return created
  }
}
