import { constants, createHash, createPublicKey, publicDecrypt, timingSafeEqual, verify, type KeyObject } from 'node:crypto'
import { DataGroupError, dataGroupTag, decodeFile } from './datagroups/lds'
import { parseDg14 } from './datagroups/security-infos'

/**
 * Active Authentication (ICAO 9303 Part 11, 6.1): the chip signs our random challenge with the private key whose
 * public half is in DG15, which the SOD signs; a copied chip cannot. RSA keys sign with ISO/IEC 9796-2 scheme 1,
 * EC keys with plain ECDSA (r || s) and the hash named by DG14's ActiveAuthenticationInfo.
 */

export type ActiveAuthenticationResult = 'passed' | 'failed' | 'notSupported'

export const ACTIVE_AUTHENTICATION_CHALLENGE_LENGTH = 8

/** BSI TR-03111 ecdsa-plain-signatures and ANSI X9.62 ecdsa-with-SHA*, by the hash they use. */
export const ECDSA_SIGNATURE_HASHES: Readonly<Record<string, string>> = {
  '0.4.0.127.0.7.1.1.4.1.1': 'sha1',
  '0.4.0.127.0.7.1.1.4.1.2': 'sha224',
  '0.4.0.127.0.7.1.1.4.1.3': 'sha256',
  '0.4.0.127.0.7.1.1.4.1.4': 'sha384',
  '0.4.0.127.0.7.1.1.4.1.5': 'sha512',
  '1.2.840.10045.4.1': 'sha1',
  '1.2.840.10045.4.3.1': 'sha224',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
}

/** DG15: the Active Authentication public key as a SubjectPublicKeyInfo inside tag 6F. */
export function parseDg15(bytes: Uint8Array): KeyObject {
  const file = decodeFile(bytes, dataGroupTag(15), 'DG15')
  try {
    return createPublicKey({ key: file.value, format: 'der', type: 'spki' })
  } catch (error) {
    throw new DataGroupError('malformed', `DG15 holds no usable public key: ${String(error)}`, { cause: error })
  }
}

// ISO/IEC 9796-2: header 6A (partial message recovery), trailer BC (SHA-1 implied) or a hash identifier then CC.
const PARTIAL_RECOVERY_HEADER = 0x6a
const TRAILER_SHA1 = 0xbc
const TRAILER_EXPLICIT = 0xcc
const ISO9796_HASH_IDS: Readonly<Record<number, string>> = { 0x33: 'sha1', 0x34: 'sha256', 0x35: 'sha512', 0x36: 'sha384', 0x38: 'sha224' }

/** Recovers M1 and the digest from the RSA signature and checks the digest over M1 || challenge. */
function verifyIso9796Scheme1(key: KeyObject, challenge: Uint8Array, signature: Uint8Array): boolean {
  let recovered: Buffer
  try {
    recovered = publicDecrypt({ key, padding: constants.RSA_NO_PADDING }, signature)
  } catch {
    return false
  }
  const last = recovered.at(-1)
  const explicitHash = last === TRAILER_EXPLICIT ? ISO9796_HASH_IDS[recovered.at(-2) ?? 0] : undefined
  const hash = last === TRAILER_SHA1 ? 'sha1' : explicitHash
  if (!hash || recovered[0] !== PARTIAL_RECOVERY_HEADER) return false
  const trailerLength = last === TRAILER_SHA1 ? 1 : 2
  const digestEnd = recovered.length - trailerLength
  const digestStart = digestEnd - createHash(hash).digest().length
  if (digestStart < 1) return false
  const expected = createHash(hash).update(recovered.subarray(1, digestStart)).update(challenge).digest()
  return timingSafeEqual(expected, recovered.subarray(digestStart, digestEnd))
}

/**
 * Whether `signature` is the chip's answer to `challenge` under DG15's key. An EC key needs DG14's
 * ActiveAuthenticationInfo to name the hash (Part 11 requires it); without it the signature cannot be checked.
 */
export function verifyActiveAuthentication(dg15: Uint8Array, dg14: Uint8Array | undefined, challenge: Uint8Array, signature: Uint8Array): boolean {
  let key: KeyObject
  let signatureAlgorithm: string | undefined
  try {
    key = parseDg15(dg15)
    signatureAlgorithm = dg14 && parseDg14(dg14).activeAuthentication?.signatureAlgorithm
  } catch (error) {
    if (!(error instanceof DataGroupError)) throw error
    return false
  }
  if (key.asymmetricKeyType === 'rsa') return verifyIso9796Scheme1(key, challenge, signature)
  const hash = signatureAlgorithm && ECDSA_SIGNATURE_HASHES[signatureAlgorithm]
  if (key.asymmetricKeyType !== 'ec' || !hash) return false
  try {
    return verify(hash, challenge, { key, dsaEncoding: 'ieee-p1363' }, signature)
  } catch {
    // A signature of the wrong length for the curve.
    return false
  }
}
