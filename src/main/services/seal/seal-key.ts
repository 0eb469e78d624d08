import { createHash, sign, X509Certificate, type KeyObject } from 'node:crypto'
import forge from 'node-forge'
import { SEAL_KEY_ID_BYTES, type SealKey, type Sha256 } from '../../../shared/seal/seal'
import { children, fromDer, primitiveBytes } from '../signing/der'
import { SigningError } from '../signing/errors'
import type { Signer } from '../signing/signer'

/** Signing keys for the QR seal (src/shared/seal/seal.ts): ES256 only, as COSE names it. */

export type SealKeyErrorCode = 'keyNotP256' | 'certificateNotForKey'

export class SealKeyError extends SigningError<SealKeyErrorCode> {}

const COORDINATE_BYTES = 32

export const sha256: Sha256 = (data) => createHash('sha256').update(data).digest()

/** The kid a seal names its certificate by: the first 8 bytes of SHA-256 over the DER, as the EU DCC does. */
export function keyIdOf(certificate: X509Certificate): Uint8Array {
  return sha256(certificate.raw).subarray(0, SEAL_KEY_ID_BYTES)
}

/** An unsigned big-endian INTEGER as exactly 32 bytes: DER drops leading zeros and adds one before a high bit. */
function coordinate(integer: Buffer): Buffer {
  const magnitude = integer.subarray(integer.findIndex((byte) => byte !== 0))
  if (magnitude.length > COORDINATE_BYTES) throw new RangeError('An ECDSA P-256 coordinate longer than 32 bytes')
  return Buffer.concat([Buffer.alloc(COORDINATE_BYTES - magnitude.length), magnitude])
}

/** DER Ecdsa-Sig-Value (what CMS and the Signer interface use) to the r||s form COSE requires (RFC 9053 section 2.1). */
function p1363FromDer(der: Buffer): Uint8Array {
  const [r, s] = children(fromDer(der)).map((integer) => coordinate(primitiveBytes(integer, forge.asn1.Type.INTEGER)))
  if (r === undefined || s === undefined) throw new RangeError('An ECDSA signature holds two integers')
  return Buffer.concat([r, s])
}

/** A seal key over a Signer: keyFileSigner's PKCS#12 today, a token later. */
export function sealKeyFromSigner(signer: Signer): SealKey {
  const [certificateDer] = signer.certificateChain
  if (signer.algorithm !== 'ECDSA-P256-SHA256' || certificateDer === undefined) throw new SealKeyError('keyNotP256', 'A seal is signed with ES256: the key must be ECDSA on P-256')
  return { keyId: keyIdOf(new X509Certificate(certificateDer)), sign: async (data) => p1363FromDer(await signer.sign(Buffer.from(data))) }
}

/** A seal key over a P-256 private key held in memory, with the certificate verifiers will look up. */
export function sealKeyFromPrivateKey(privateKey: KeyObject, certificate: X509Certificate): SealKey {
  if (privateKey.asymmetricKeyType !== 'ec' || privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new SealKeyError('keyNotP256', 'A seal is signed with ES256: the key must be ECDSA on P-256')
  }
  if (!certificate.checkPrivateKey(privateKey)) throw new SealKeyError('certificateNotForKey', 'The certificate is not for this private key')
  return { keyId: keyIdOf(certificate), sign: async (data) => sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' }) }
}
