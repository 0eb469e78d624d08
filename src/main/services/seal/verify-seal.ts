import { verify, type X509Certificate } from 'node:crypto'
import { trimScannerFraming } from '../../../shared/domain/scan/scan-input'
import type { SealRejection } from '../../../shared/seal/describe-vi'
import { openSeal, type SealFields } from '../../../shared/seal/seal'
import { assessTrust, signerIdentity } from '../signing/verify-pdf'
import { keyIdOf } from './seal-key'

export interface SealTrust {
  /** Where the signer certificate is looked up by kid, and its issuers found. */
  readonly certificates: readonly X509Certificate[]
  /** The CAs a chain must end at. */
  readonly anchors: readonly X509Certificate[]
}

/** Plain data, ready for JSON and for a screen (SEAL_REJECTION_VI, sealFieldsVi). */
export interface SealVerification {
  readonly valid: boolean
  readonly reason?: SealRejection
  /** What the seal says; absent when the text does not decode as a seal. Trust them only when valid. */
  readonly fields?: SealFields
  /** Whose certificate the kid names; absent when none of the given certificates matches. */
  readonly signer?: { readonly commonName: string | undefined; readonly organization: string | undefined }
}

const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex')

/**
 * Checks a seal offline: decodes it, finds the certificate its kid names, verifies the ES256 signature
 * over the Sig_structure, then the chain to an anchor with every certificate valid `now`. Validity is
 * judged at verification time because the seal carries no signing time of its own; so a seal key must
 * be retired well before its certificate expires (at least the longest time a receipt is held).
 */
export function verifySeal(text: string, trust: SealTrust, now: Date = new Date()): SealVerification {
  const opened = openSeal(trimScannerFraming(text))
  if (!opened.ok) return { valid: false, reason: opened.error.code }
  const { fields, signedData, signature } = opened.value

  const certificate = [...trust.certificates, ...trust.anchors].find((candidate) => toHex(keyIdOf(candidate)) === fields.keyId)
  if (certificate === undefined) return { valid: false, reason: 'unknownKey', fields }
  const identity = signerIdentity(certificate)
  const signer = { commonName: identity.commonName, organization: identity.organization }
  const { publicKey } = certificate
  if (publicKey.asymmetricKeyType !== 'ec' || publicKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') return { valid: false, reason: 'unsupportedAlgorithm', fields, signer }
  if (!verify('sha256', signedData, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature)) return { valid: false, reason: 'badSignature', fields, signer }

  const trustVerdict = assessTrust(certificate, trust.certificates, trust.anchors, now)
  if (trustVerdict === 'untrusted') return { valid: false, reason: 'untrustedSigner', fields, signer }
  if (trustVerdict === 'expired') return { valid: false, reason: 'certificateExpired', fields, signer }
  return { valid: true, fields, signer }
}
