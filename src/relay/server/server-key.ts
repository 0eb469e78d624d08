import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto'
import type { ServerKey } from '../../shared/sync/protocol'
import { jwkThumbprint, publicJwkOf } from '../auth/device-key'
import { loadOrCreateDataFile } from './data-file'

const KEY_FILE = 'relay-signing-key.pem'

/** The relay's own Ed25519 key: it signs every answer to a signed request, so a device can tell its server from an impostor on the LAN. */
export interface ServerIdentity {
  readonly kid: string
  readonly privateKey: KeyObject
  /** What /health publishes and a device pins. */
  readonly publicKey: ServerKey
}

/** Made in the data folder on first start (PKCS#8 PEM, mode 0600); `create: false` for the enroll-code command, which only reads it. */
export async function loadServerIdentity(dataDir: string, options: { create: boolean } = { create: true }): Promise<ServerIdentity> {
  const privateKey = await loadOrCreateDataFile(dataDir, KEY_FILE, {
    create: options.create,
    make: () => generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    parse: (text) => {
      try {
        const key = createPrivateKey(text)
        return key.asymmetricKeyType === 'ed25519' ? key : undefined
      } catch {
        return undefined
      }
    },
    what: 'an Ed25519 private key in PEM (devices pinned its public half: a new key means enrolling them again)',
  })
  const jwk = publicJwkOf(privateKey)
  const kid = jwkThumbprint(jwk)
  return { kid, privateKey, publicKey: { ...jwk, kid } }
}
