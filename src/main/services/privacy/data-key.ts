import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import { MotcuaError } from '../../../shared/contract/dispatch'
import type { SealedValue } from '../../../shared/domain/eventlog/envelope'
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

const KeyFileSchema = z.object({ kid: z.string().min(1).max(64), wrapping: z.enum(['os', 'fileOnly']), key: z.base64() }).strict()
const ALGORITHM = 'aes-256-gcm'
const ASSOCIATED_DATA_PREFIX = 'motcua-personal-v1:'

/**
 * The device data key: seals residents' personal fields before they reach IndexedDB or the wire
 * (AES-256-GCM, bound to the key id). It never leaves main; screens ask main to seal and open.
 */
export class DataKey {
  private loaded: Promise<{ kid: string; key: Buffer }> | undefined

  constructor(
    private readonly dataDir: string,
    private readonly wrapper: KeyWrapper,
  ) {}

  async seal(fields: Readonly<Record<string, string>>): Promise<SealedValue> {
    const { kid, key } = await this.key()
    const iv = randomBytes(12)
    const cipher = createCipheriv(ALGORITHM, key, iv).setAAD(Buffer.from(ASSOCIATED_DATA_PREFIX + kid))
    const ciphertext = Buffer.concat([cipher.update(JSON.stringify(fields), 'utf8'), cipher.final(), cipher.getAuthTag()])
    return { alg: 'A256GCM', kid, iv: iv.toString('base64'), ct: ciphertext.toString('base64') }
  }

  async open(sealed: SealedValue): Promise<Record<string, string>> {
    const { kid, key } = await this.key()
    if (sealed.kid !== kid) throw new MotcuaError('forbidden', `Sealed with another device's key (${sealed.kid})`)
    const data = Buffer.from(sealed.ct, 'base64')
    if (data.length < 16) throw new MotcuaError('invalidInput', 'Sealed value too short')
    try {
      const decipher = createDecipheriv(ALGORITHM, key, Buffer.from(sealed.iv, 'base64')).setAAD(Buffer.from(ASSOCIATED_DATA_PREFIX + kid))
      decipher.setAuthTag(data.subarray(data.length - 16))
      const plaintext = Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]).toString('utf8')
      return z.record(z.string(), z.string()).parse(JSON.parse(plaintext))
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
    let text: string | undefined
    try {
      text = await readFile(file, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    }
    if (text !== undefined) {
      // A damaged key file is never replaced: that would make every sealed field unreadable for good.
      const stored = KeyFileSchema.parse(JSON.parse(text))
      if (stored.wrapping !== this.wrapper.kind) throw new Error(`Data key wrapped by ${stored.wrapping}, but this runtime unwraps ${this.wrapper.kind}`)
      return { kid: stored.kid, key: this.wrapper.unwrap(Buffer.from(stored.key, 'base64')) }
    }
    const created = { kid: randomUUID(), key: randomBytes(32) }
    await writeFileAtomic(file, JSON.stringify({ kid: created.kid, wrapping: this.wrapper.kind, key: this.wrapper.wrap(created.key).toString('base64') }))
    return created
  }
}
