import { X509Certificate, createPrivateKey, sign, type KeyObject } from 'node:crypto'
import forge from 'node-forge'
import { findIssuer } from './chain'
import { SigningError } from './errors'

export type SignatureAlgorithm = 'RSA-SHA256' | 'ECDSA-P256-SHA256'

/** Whatever holds the signing key: a PKCS#12 key file (keyFileSigner) or a PKCS#11 token (pkcs11Signer). */
export interface Signer {
  /** DER certificates, the signer's first, then its issuers up to the root. */
  readonly certificateChain: readonly Buffer[]
  readonly algorithm: SignatureAlgorithm
  /** Hashes `dataToBeSigned` with SHA-256 and signs it; ECDSA signatures are DER Ecdsa-Sig-Value, as CMS carries them. */
  sign(dataToBeSigned: Buffer): Promise<Buffer>
}

export type KeyFileErrorCode = 'unreadableKeyFile' | 'wrongPassphrase' | 'noPrivateKey' | 'noCertificateForKey' | KeyPolicyViolation

export class KeyFileError extends SigningError<KeyFileErrorCode> {}

/** Circular 15/2025/TT-BKHCN: RSA of at least 2048 bits, or ECDSA on P-256. */
const MIN_RSA_MODULUS_BITS = 2048
const ALLOWED_EC_CURVE = 'prime256v1'

const { oids } = forge.pki
const toForgeBinary = (bytes: Buffer): string => bytes.toString('binary')
const fromForgeAsn1 = (node: forge.asn1.Asn1): Buffer => Buffer.from(forge.asn1.toDer(node).getBytes(), 'binary')

function isMacFailure(error: unknown): boolean {
  return error instanceof Error && error.message.includes('MAC could not be verified')
}

/**
 * Decrypts a PFX. The PKCS#12 MAC and legacy PBE derive keys from the passphrase as UTF-16, but PBES2
 * (OpenSSL 3's default) takes its UTF-8 bytes, and forge uses one string for both. So a non-ASCII
 * passphrase whose MAC matched is retried with the UTF-8 bytes, the already-verified MAC left out.
 */
function decryptPfx(pfx: forge.asn1.Asn1, passphrase: string): forge.pkcs12.Pkcs12Pfx {
  try {
    return forge.pkcs12.pkcs12FromAsn1(pfx, passphrase)
  } catch (error) {
    const isAscii = /^[\x20-\x7e]*$/.test(passphrase)
    if (isMacFailure(error) || isAscii) throw new KeyFileError('wrongPassphrase', 'The PKCS#12 file could not be decrypted with this passphrase', { cause: error })
    const [version, authSafe] = Array.isArray(pfx.value) ? pfx.value : []
    if (version === undefined || authSafe === undefined) throw new KeyFileError('unreadableKeyFile', 'The PKCS#12 file has no content', { cause: error })
    const withoutMac = forge.asn1.create(pfx.tagClass, pfx.type, true, [version, authSafe])
    try {
      return forge.pkcs12.pkcs12FromAsn1(withoutMac, forge.util.encodeUtf8(passphrase))
    } catch (retryError) {
      throw new KeyFileError('wrongPassphrase', 'The PKCS#12 file could not be decrypted with this passphrase', { cause: retryError })
    }
  }
}

/** PKCS#8 DER of a key bag: forge decodes RSA keys into objects and leaves other key types as ASN.1. */
function privateKeyInfoDer(bag: forge.pkcs12.Bag): Buffer {
  return bag.key ? fromForgeAsn1(forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(bag.key))) : fromForgeAsn1(bag.asn1)
}

/** DER of a certificate bag; forge keeps the parsed TBSCertificate node, so re-encoding reproduces the original bytes. */
function certificateDer(bag: forge.pkcs12.Bag): Buffer {
  return bag.cert ? fromForgeAsn1(forge.pki.certificateToAsn1(bag.cert)) : fromForgeAsn1(bag.asn1)
}

export type KeyPolicyViolation = 'keyTooWeak' | 'keyTypeNotAllowed'

/** The algorithm `key` (private, or the certificate's public key) may sign with, or why it may not. */
export function signatureAlgorithmOf(key: KeyObject): SignatureAlgorithm | { readonly violation: KeyPolicyViolation; readonly message: string } {
  const details = key.asymmetricKeyDetails ?? {}
  if (key.asymmetricKeyType === 'rsa') {
    const bits = details.modulusLength ?? 0
    if (bits < MIN_RSA_MODULUS_BITS) return { violation: 'keyTooWeak', message: `RSA keys need at least ${MIN_RSA_MODULUS_BITS} bits; this one has ${bits}` }
    return 'RSA-SHA256'
  }
  if (key.asymmetricKeyType === 'ec' && details.namedCurve === ALLOWED_EC_CURVE) return 'ECDSA-P256-SHA256'
  return { violation: 'keyTypeNotAllowed', message: `Only RSA-${MIN_RSA_MODULUS_BITS}+ and ECDSA P-256 keys may sign; this key is ${key.asymmetricKeyType} ${details.namedCurve ?? ''}`.trim() }
}

/** The signer certificate followed by as much of its issuer chain as the file holds. */
export function orderedChain(signerCertificate: X509Certificate, others: X509Certificate[]): Buffer[] {
  const chain = [signerCertificate]
  for (let issuer = findIssuer(signerCertificate, others); issuer && !chain.includes(issuer); issuer = findIssuer(issuer, others)) {
    chain.push(issuer)
  }
  return chain.map((certificate) => certificate.raw)
}

/** A signer backed by a PKCS#12 (.p12/.pfx) file holding one private key, its certificate and optionally the CA chain. */
export function keyFileSigner(pkcs12: Buffer, passphrase: string): Signer {
  let pfxAsn1: forge.asn1.Asn1
  try {
    pfxAsn1 = forge.asn1.fromDer(toForgeBinary(pkcs12))
  } catch (error) {
    throw new KeyFileError('unreadableKeyFile', 'The key file is not DER-encoded PKCS#12', { cause: error })
  }
  const bags = decryptPfx(pfxAsn1, passphrase).safeContents.flatMap((contents) => contents.safeBags)

  const keyBag = bags.find((bag) => bag.type === oids.pkcs8ShroudedKeyBag || bag.type === oids.keyBag)
  if (keyBag === undefined) throw new KeyFileError('noPrivateKey', 'The PKCS#12 file holds no private key')
  const privateKey = createPrivateKey({ key: privateKeyInfoDer(keyBag), format: 'der', type: 'pkcs8' })
  const algorithm = signatureAlgorithmOf(privateKey)
  if (typeof algorithm !== 'string') throw new KeyFileError(algorithm.violation, algorithm.message)

  const certificates = bags.filter((bag) => bag.type === oids.certBag).map((bag) => new X509Certificate(certificateDer(bag)))
  const signerCertificate = certificates.find((certificate) => certificate.checkPrivateKey(privateKey))
  if (signerCertificate === undefined) throw new KeyFileError('noCertificateForKey', 'The PKCS#12 file holds no certificate for its private key')

  return {
    certificateChain: orderedChain(signerCertificate, certificates.filter((certificate) => certificate !== signerCertificate)),
    algorithm,
    sign: async (dataToBeSigned) => sign('sha256', dataToBeSigned, { key: privateKey, dsaEncoding: 'der' }),
  }
}
