import { X509Certificate, constants, createHash, timingSafeEqual, verify, type KeyObject } from 'node:crypto'
import { readFile, readdir } from 'node:fs/promises'
import { extname, join } from 'node:path'
import { findIssuer } from '../signing/chain'
import { SOD_OID, type SignatureScheme, type Sod } from './datagroups/sod'
import { IcaoError } from './icao/errors'

/**
 * Passive authentication (ICAO 9303 Part 11, 5.1): the document signer signed the SOD, the SOD's hashes match the
 * data groups read, and a CSCA in the trust list issued the document signer.
 */

export type PassiveAuthenticationVerdict =
  | { verdict: 'valid'; csca: X509Certificate }
  | { verdict: 'signatureInvalid' }
  /** `dataGroup` is the first data group read whose hash differs from the SOD's, or that the SOD does not list. */
  | { verdict: 'hashMismatch'; dataGroup: number }
  | { verdict: 'unknownCsca' }

export type TrustListErrorCode = 'unreadableTrustList'

export class TrustListError extends IcaoError<TrustListErrorCode> {}

const CERTIFICATE_EXTENSIONS = new Set(['.pem', '.crt', '.cer', '.der'])
const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g

/**
 * Every certificate in the directory's .pem/.crt/.cer/.der files; a PEM file may hold several (a converted master list).
 * A file that does not read as certificates is skipped and logged: one bad file must not stop every card from verifying.
 */
export async function loadTrustList(directory: string, log: (line: string) => void): Promise<X509Certificate[]> {
  let names: string[]
  try {
    names = await readdir(directory)
  } catch (error) {
    throw new TrustListError('unreadableTrustList', `cannot list ${directory}: ${String(error)}`, { cause: error })
  }
  const certificates: X509Certificate[] = []
  for (const name of names.filter((entry) => CERTIFICATE_EXTENSIONS.has(extname(entry).toLowerCase())).sort()) {
    try {
      const bytes = await readFile(join(directory, name))
      const blocks = bytes.toString('latin1').match(PEM_CERTIFICATE) ?? [bytes]
      certificates.push(...blocks.map((block) => new X509Certificate(block)))
    } catch (error) {
      log(`CSCA trust list: skipped ${join(directory, name)}, not readable as certificates: ${String(error)}`)
    }
  }
  return certificates
}

function signatureVerifies(scheme: SignatureScheme, key: KeyObject, data: Buffer, signature: Buffer): boolean {
  try {
    if (scheme.kind === 'rsaPss') {
      return verify(scheme.hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: scheme.saltLength }, signature)
    }
    const keyType = key.asymmetricKeyType
    if ((scheme.kind === 'ecdsa') !== (keyType === 'ec')) return false
    return verify(scheme.hash, data, key, signature)
  } catch {
    // OpenSSL throws, rather than answering false, for signatures that do not even decode.
    return false
  }
}

function digestsEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b)
}

/** The document signer's signature over the signed attributes, which must name the LDS security object and carry its digest. */
function sodSignatureValid(sod: Sod): boolean {
  const digest = createHash(sod.digestAlgorithm).update(sod.securityObject).digest()
  return (
    sod.contentType === SOD_OID.ldsSecurityObject &&
    digestsEqual(digest, sod.messageDigest) &&
    signatureVerifies(sod.signatureScheme, sod.documentSigner.publicKey, sod.signedAttributes, sod.signature)
  )
}

function mismatchedDataGroup(sod: Sod, dataGroups: ReadonlyMap<number, Uint8Array>): number | undefined {
  for (const [dataGroup, bytes] of [...dataGroups].sort(([a], [b]) => a - b)) {
    const expected = sod.dataGroupHashes.get(dataGroup)
    if (!expected || !digestsEqual(createHash(sod.hashAlgorithm).update(bytes).digest(), expected)) return dataGroup
  }
  return undefined
}

/**
 * One verdict, the most serious first: a bad signature makes the hashes meaningless, and tampered data matters more
 * than an unknown issuer. An SOD that could not be parsed (undefined) verifies nothing: signatureInvalid. Certificate validity periods are not checked: a document signer stops signing long before
 * the cards it signed expire, as ICAO expects.
 */
export function verifyPassiveAuthentication(
  sod: Sod | undefined,
  dataGroups: ReadonlyMap<number, Uint8Array>,
  trustList: readonly X509Certificate[],
): PassiveAuthenticationVerdict {
  if (!sod || !sodSignatureValid(sod)) return { verdict: 'signatureInvalid' }
  const dataGroup = mismatchedDataGroup(sod, dataGroups)
  if (dataGroup !== undefined) return { verdict: 'hashMismatch', dataGroup }
  const csca = findIssuer(sod.documentSigner, trustList)
  return csca ? { verdict: 'valid', csca } : { verdict: 'unknownCsca' }
}
