import { createHash, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto'
import { Ed25519PublicJwkSchema, type Ed25519PublicJwk } from '../../shared/sync/protocol'

/** A device's signing key for the relay (Ed25519): main keeps the private half, the server learns the public JWK at enrolment. */
export function generateDeviceKey(): KeyObject {
  return generateKeyPairSync('ed25519').privateKey
}

/** The public half as the JWK the enrolment request carries (RFC 8037); accepts the private or the public key. */
export function publicJwkOf(key: KeyObject): Ed25519PublicJwk {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key
  const jwk = publicKey.export({ format: 'jwk' })
  return Ed25519PublicJwkSchema.parse({ kty: jwk.kty, crv: jwk.crv, x: jwk.x })
}

export function publicKeyFromJwk(jwk: Ed25519PublicJwk): KeyObject {
  return createPublicKey({ key: { ...jwk }, format: 'jwk' })
}

/** The JWK thumbprint (RFC 7638, SHA-256, base64url): a relay's key id, and what a provisioning QR pins. */
export function jwkThumbprint(jwk: Ed25519PublicJwk): string {
  // The required members in lexicographic order, no white space (RFC 7638 §3.2).
  return createHash('sha256').update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x })).digest('base64url')
}
