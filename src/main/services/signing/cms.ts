import { createHash } from 'node:crypto'
import {
  OID,
  algorithmIdentifier,
  asUniversalSet,
  certificateFields,
  derSetOf,
  explicitTag,
  fromDer,
  implicitConstructedTag,
  objectIdentifier,
  octetString,
  sequence,
  smallInteger,
  toDer,
  type Asn1,
  type CertificateFields,
} from './der'
import type { SignatureAlgorithm, Signer } from './signer'

/**
 * Detached CMS SignedData (RFC 5652) shaped for PAdES baseline B-B (ETSI EN 319 142-1): the signed
 * attributes are exactly content-type, message-digest and signing-certificate-v2. signing-time is left
 * out because PAdES puts the claimed time in the signature dictionary's /M instead.
 */

const SIGNATURE_ALGORITHM_IDENTIFIERS: Record<SignatureAlgorithm, () => Asn1> = {
  'RSA-SHA256': () => algorithmIdentifier(OID.rsaEncryption, true),
  'ECDSA-P256-SHA256': () => algorithmIdentifier(OID.ecdsaWithSha256),
}

const attribute = (type: string, value: Asn1): Asn1 => sequence([objectIdentifier(type), derSetOf([value])])

/** SigningCertificateV2 with one ESSCertIDv2 (RFC 5035); hashAlgorithm is omitted because SHA-256 is its DEFAULT. */
function signingCertificateV2(signerCertificate: Buffer, { issuer, serialNumber }: CertificateFields): Asn1 {
  const directoryName = explicitTag(4, issuer)
  const issuerSerial = sequence([sequence([directoryName]), serialNumber])
  const essCertIdV2 = sequence([octetString(createHash('sha256').update(signerCertificate).digest()), issuerSerial])
  return sequence([sequence([essCertIdV2])])
}

function signedAttributes(messageDigest: Buffer, signerCertificate: Buffer, signerFields: CertificateFields): Asn1 {
  return derSetOf(
    [
      attribute(OID.contentType, objectIdentifier(OID.data)),
      attribute(OID.messageDigest, octetString(messageDigest)),
      attribute(OID.signingCertificateV2, signingCertificateV2(signerCertificate, signerFields)),
    ],
    0,
  )
}

/**
 * One SignerInfo, version 1 with an issuerAndSerialNumber sid. A signature timestamp (PAdES B-T) would
 * be requested over `signature` afterwards and appended as unsignedAttrs [1].
 */
async function signerInfo(messageDigest: Buffer, signer: Signer, signerCertificate: Buffer): Promise<Asn1> {
  const signerFields = certificateFields(signerCertificate)
  const signedAttrs = signedAttributes(messageDigest, signerCertificate, signerFields)
  const signature = await signer.sign(toDer(asUniversalSet(signedAttrs)))
  return sequence([
    smallInteger(1),
    sequence([signerFields.issuer, signerFields.serialNumber]),
    algorithmIdentifier(OID.sha256),
    signedAttrs,
    SIGNATURE_ALGORITHM_IDENTIFIERS[signer.algorithm](),
    octetString(signature),
  ])
}

/** DER ContentInfo holding a detached SignedData over content whose SHA-256 is `messageDigest`. */
export async function buildDetachedSignedData(messageDigest: Buffer, signer: Signer): Promise<Buffer> {
  const [signerCertificate] = signer.certificateChain
  if (signerCertificate === undefined) throw new TypeError('The signer has no certificate')
  const signedData = sequence([
    smallInteger(1),
    derSetOf([algorithmIdentifier(OID.sha256)]),
    sequence([objectIdentifier(OID.data)]),
    implicitConstructedTag(0, signer.certificateChain.map((certificate) => fromDer(certificate))),
    derSetOf([await signerInfo(messageDigest, signer, signerCertificate)]),
  ])
  return toDer(sequence([objectIdentifier(OID.signedData), explicitTag(0, signedData)]))
}
