import { createPrivateKey, type KeyObject } from 'node:crypto'
import { join } from 'node:path'
import { z } from 'zod'
import { generateDeviceKey } from '../../../relay/client'
import { writeFileAtomic } from '../fs/atomic-file'
import { readWrappedKeyFile, type KeyWrapper } from '../privacy/data-key'

const KeyFileSchema = z.object({ alg: z.literal('Ed25519'), wrapping: z.enum(['os', 'fileOnly']), pkcs8: z.base64() }).strict()

/**
 * The device's signing key for the relay (Ed25519, RFC 9421 signatures): made on first use in the
 * data folder (mode 0600), at rest wrapped the way the data key is (by the OS in the desktop app).
 * Only main ever holds the private half; the server learns the public JWK at enrolment.
 */
export class DeviceSigningKey {
  private loaded: Promise<KeyObject> | undefined

  constructor(
    private readonly dataDir: string,
    private readonly wrapper: KeyWrapper,
  ) {}

  get(): Promise<KeyObject> {
    this.loaded ??= this.loadOrCreate()
    return this.loaded
  }

  private async loadOrCreate(): Promise<KeyObject> {
    const file = join(this.dataDir, 'sync-device-key.json')
    // A damaged key file is never replaced silently: the server knows this device by that key.
    const stored = await readWrappedKeyFile(file, KeyFileSchema, this.wrapper, 'Device key')
    if (stored) return createPrivateKey({ key: this.wrapper.unwrap(Buffer.from(stored.pkcs8, 'base64')), format: 'der', type: 'pkcs8' })
    const key = generateDeviceKey()
    const pkcs8 = key.export({ format: 'der', type: 'pkcs8' })
    await writeFileAtomic(file, JSON.stringify({ alg: 'Ed25519', wrapping: this.wrapper.kind, pkcs8: this.wrapper.wrap(pkcs8).toString('base64') }))
    return key
  }
}
