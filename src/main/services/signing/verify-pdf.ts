import { X509Certificate, createHash, verify } from 'node:crypto'
import forge from 'node-forge'
import { findIssuer } from './chain'
import {
  OID,
  asUniversalSet,
  certificateFields,
  children,
  fromDer,
  isContextTag,
  primitiveBytes,
  readOctetString,
  readOid,
  required,
  sequence,
  toDer,
  type Asn1,
} from './der'
import { SigningError } from './errors'
import { parsePdfDate } from './pdf-date'

/**
 * Our own check of the last signature in a PDF: byte range, digest, CMS signature, ESS signing
 * certificate and the chain to the given trust anchors. Malformed input gives `{ error }`, never a throw.
 */

export type PdfVerifyErrorCode =
  | 'notPdf'
  | 'noSignature'
  | 'malformedSignatureDictionary'
  | 'invalidByteRange'
  | 'malformedContents'
  | 'missingSigningTime'
  | 'malformedCms'
  | 'unsupportedAlgorithm'
  | 'signerCertificateMissing'

export interface SignerIdentity {
  readonly commonName: string | undefined
  /** The certificate's serial number in upper-case hex. */
  readonly serialNumber: string
  readonly organization: string | undefined
}

export interface SignatureVerdict {
  /** Whether the signed bytes still hash to the signed message-digest. */
  readonly integrity: 'intact' | 'modified'
  /** Whether the signer's key signed these attributes and they name the signer's certificate. */
  readonly signature: 'valid' | 'invalid'
  /** 'expired': the chain reaches an anchor, but a certificate in it was not valid at the signing time. */
  readonly trust: 'trusted' | 'untrusted' | 'expired'
  readonly signer: SignerIdentity
  /** The claimed time from the signature dictionary's /M. */
  readonly signingTime: Date
  /** False when bytes were appended after the signed revision (a later incremental update). */
  readonly coversWholeDocument: boolean
}

export type PdfVerification = SignatureVerdict | { readonly error: PdfVerifyErrorCode; readonly message: string }

class PdfVerifyError extends SigningError<PdfVerifyErrorCode> {}

const MAX_CHAIN_LENGTH = 8
const { Type } = forge.asn1
/** The key type each accepted signatureAlgorithm needs; SHA-256 is implied by the digest algorithm check. */
const KEY_TYPE_OF_SIGNATURE_ALGORITHM = new Map<string, 'rsa' | 'ec'>([
  [OID.rsaEncryption, 'rsa'],
  [OID.sha256WithRsaEncryption, 'rsa'],
  [OID.ecdsaWithSha256, 'ec'],
])

interface LocatedSignature {
  readonly byteRange: readonly [number, number, number, number]
  readonly cms: Buffer
  readonly signingTime: Date
}

/** The last signature dictionary, found textually because a damaged file may not parse as a PDF at all. */
function locateSignature(pdf: Buffer): LocatedSignature {
  if (!pdf.subarray(0, 1024).includes('%PDF-')) throw new PdfVerifyError('notPdf', 'No %PDF- header')
  const text = pdf.toString('latin1')
  const byteRangeAt = text.lastIndexOf('/ByteRange')
  if (byteRangeAt < 0) throw new PdfVerifyError('noSignature', 'The document has no signature dictionary')
  const objectStart = text.lastIndexOf(' obj', byteRangeAt)
  const objectEnd = text.indexOf('endobj', byteRangeAt)
  if (objectStart < 0 || objectEnd < 0) throw new PdfVerifyError('malformedSignatureDictionary', 'The signature dictionary is not inside an object')

  const numbers = /^\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/.exec(text.slice(byteRangeAt, objectEnd))
  if (numbers === null) throw new PdfVerifyError('invalidByteRange', '/ByteRange is not four integers')
  const [start, gapStart, gapEnd, tailLength] = numbers.slice(1).map(Number) as [number, number, number, number]
  // The gap must be exactly this dictionary's /Contents string; everything else in the revision is covered.
  const gapIsContents =
    start === 0 && objectStart < gapStart && gapStart < gapEnd && gapEnd < objectEnd && /\/Contents\s*$/.test(text.slice(objectStart, gapStart)) && text[gapStart] === '<' && text[gapEnd - 1] === '>'
  if (!gapIsContents || gapEnd + tailLength > pdf.length) throw new PdfVerifyError('invalidByteRange', '/ByteRange does not exclude exactly this /Contents')

  const hex = /^<([0-9A-Fa-f]*)>$/.exec(text.slice(gapStart, gapEnd))?.[1]
  if (hex === undefined || hex.length % 2 !== 0) throw new PdfVerifyError('malformedContents', '/Contents is not a hex string')

  const claimedTime = /\/M\s*\(([^)]*)\)/.exec(text.slice(objectStart, objectEnd))?.[1]
  const signingTime = claimedTime === undefined ? undefined : parsePdfDate(claimedTime)
  if (signingTime === undefined) throw new PdfVerifyError('missingSigningTime', 'The signature dictionary has no readable /M')
  return { byteRange: [start, gapStart, gapEnd, tailLength], cms: Buffer.from(hex, 'hex'), signingTime }
}

interface ParsedSignedData {
  readonly certificates: X509Certificate[]
  readonly signerCertificate: X509Certificate
  readonly signedAttrs: Asn1
  readonly signerKeyType: 'rsa' | 'ec'
  readonly signature: Buffer
}

const algorithmOf = (identifier: Asn1 | undefined): string => readOid(children(identifier)[0])

/** SignedData with one SignerInfo whose signed attributes are present and whose content is detached. */
function parseSignedData(cms: Buffer): ParsedSignedData {
  const [contentType, explicitContent] = children(fromDer(cms, true))
  if (readOid(contentType) !== OID.signedData) throw new PdfVerifyError('malformedCms', 'The CMS is not SignedData')
  const signedData = children(children(explicitContent)[0])
  const [, , encapContentInfo] = signedData
  if (children(encapContentInfo).length !== 1) throw new PdfVerifyError('malformedCms', 'The signed content is not detached')
  const certificatesNode = signedData.find((node) => isContextTag(node, 0))
  const certificateDers = certificatesNode === undefined ? [] : children(certificatesNode).map(toDer)
  const signerInfos = children(signedData.at(-1))
  if (signerInfos.length !== 1) throw new PdfVerifyError('malformedCms', `Expected one SignerInfo, found ${signerInfos.length}`)
  const [, sid, digestAlgorithm, signedAttrs, signatureAlgorithm, signature] = children(signerInfos[0])
  if (signedAttrs === undefined || !isContextTag(signedAttrs, 0)) throw new PdfVerifyError('malformedCms', 'The SignerInfo has no signed attributes')

  if (algorithmOf(digestAlgorithm) !== OID.sha256) throw new PdfVerifyError('unsupportedAlgorithm', 'Only SHA-256 digests are supported')
  const signatureAlgorithmOid = algorithmOf(signatureAlgorithm)
  const signerKeyType = KEY_TYPE_OF_SIGNATURE_ALGORITHM.get(signatureAlgorithmOid)
  if (signerKeyType === undefined) throw new PdfVerifyError('unsupportedAlgorithm', `Unsupported signature algorithm ${signatureAlgorithmOid}`)

  const sidDer = toDer(required(sid))
  const signerIndex = certificateDers.findIndex((der) => {
    const { issuer, serialNumber } = certificateFields(der)
    return toDer(sequence([issuer, serialNumber])).equals(sidDer)
  })
  const certificates = certificateDers.map((der) => new X509Certificate(der))
  const signerCertificate = certificates[signerIndex]
  if (signerCertificate === undefined) throw new PdfVerifyError('signerCertificateMissing', 'No certificate in the CMS matches the signer identifier')
  return { certificates, signerCertificate, signedAttrs, signerKeyType, signature: readOctetString(signature) }
}

/** Signed attribute values by type; a type present more than once maps to undefined, which fails every check. */
function attributeValues(signedAttrs: Asn1): Map<string, Asn1[] | undefined> {
  const values = new Map<string, Asn1[] | undefined>()
  for (const attribute of children(signedAttrs)) {
    const [type, set] = children(attribute)
    const oid = readOid(type)
    values.set(oid, values.has(oid) ? undefined : children(set))
  }
  return values
}

const singleValue = (values: Map<string, Asn1[] | undefined>, oid: string): Asn1 | undefined => {
  const found = values.get(oid)
  return found?.length === 1 ? found[0] : undefined
}

/** The first ESSCertIDv2 must hash (SHA-256, its default) to the signer certificate and, if given, name its issuer and serial. */
function signingCertificateMatches(value: Asn1 | undefined, signerCertificate: X509Certificate): boolean {
  if (value === undefined) return false
  const [essCertIdV2] = children(children(value)[0])
  const fields = children(essCertIdV2)
  const hasHashAlgorithm = fields[0]?.type === Type.SEQUENCE
  if (hasHashAlgorithm && algorithmOf(fields[0]) !== OID.sha256) return false
  const [certHash, issuerSerial] = hasHashAlgorithm ? fields.slice(1) : fields
  if (!readOctetString(certHash).equals(createHash('sha256').update(signerCertificate.raw).digest())) return false
  if (issuerSerial === undefined) return true
  const [generalNames, serialNumber] = children(issuerSerial)
  const directoryName = children(generalNames).find((name) => isContextTag(name, 4))
  const expected = certificateFields(signerCertificate.raw)
  return directoryName !== undefined && toDer(required(children(directoryName)[0])).equals(toDer(expected.issuer)) && toDer(required(serialNumber)).equals(toDer(expected.serialNumber))
}

function signatureVerifies(parsed: ParsedSignedData): boolean {
  const { publicKey } = parsed.signerCertificate
  return publicKey.asymmetricKeyType === parsed.signerKeyType && verify('sha256', toDer(asUniversalSet(parsed.signedAttrs)), publicKey, parsed.signature)
}

const validAt = (certificate: X509Certificate, instant: Date): boolean =>
  new Date(certificate.validFrom) <= instant && instant <= new Date(certificate.validTo)

/** Walks issuer links from the signer through the CMS certificates until one is or is issued by a trust anchor. */
export function assessTrust(signer: X509Certificate, pool: readonly X509Certificate[], anchors: readonly X509Certificate[], signingTime: Date): SignatureVerdict['trust'] {
  const chain = [signer]
  for (let current = signer; chain.length <= MAX_CHAIN_LENGTH; ) {
    const anchor = anchors.find((candidate) => candidate.raw.equals(current.raw)) ?? findIssuer(current, anchors)
    if (anchor !== undefined) return [...chain, anchor].every((certificate) => validAt(certificate, signingTime)) ? 'trusted' : 'expired'
    const issuer = findIssuer(current, pool.filter((candidate) => !chain.includes(candidate)))
    if (issuer === undefined) return 'untrusted'
    chain.push(issuer)
    current = issuer
  }
  return 'untrusted'
}

/** Reads a DirectoryString: UTF8String and BMPString as Unicode, the older string types byte for byte. */
function directoryString(node: Asn1): string {
  const bytes = primitiveBytes(node, node.type)
  if (node.type === Type.UTF8) return bytes.toString('utf8')
  if (node.type === Type.BMPSTRING) return Buffer.from(bytes).swap16().toString('utf16le')
  return bytes.toString('latin1')
}

export function signerIdentity(certificate: X509Certificate): SignerIdentity {
  const attributes = children(certificateFields(certificate.raw).subject).flatMap((rdn) => children(rdn).map(children))
  const valueOf = (oid: string) => {
    const value = attributes.find(([type]) => readOid(type) === oid)?.[1]
    return value === undefined ? undefined : directoryString(value)
  }
  return { commonName: valueOf(OID.commonName), serialNumber: certificate.serialNumber.toUpperCase(), organization: valueOf(OID.organization) }
}

function verifyLocated(pdf: Buffer, located: LocatedSignature, trustAnchors: readonly X509Certificate[]): SignatureVerdict {
  const parsed = parseSignedData(located.cms)
  const attributes = attributeValues(parsed.signedAttrs)
  const signedDigest = singleValue(attributes, OID.messageDigest)
  if (signedDigest === undefined) throw new PdfVerifyError('malformedCms', 'The signed attributes have no single message-digest')

  const [, gapStart, gapEnd, tailLength] = located.byteRange
  const digest = createHash('sha256').update(pdf.subarray(0, gapStart)).update(pdf.subarray(gapEnd, gapEnd + tailLength)).digest()
  const contentTypeValue = singleValue(attributes, OID.contentType)
  const signatureValid =
    contentTypeValue !== undefined &&
    readOid(contentTypeValue) === OID.data &&
    signingCertificateMatches(singleValue(attributes, OID.signingCertificateV2), parsed.signerCertificate) &&
    signatureVerifies(parsed)
  return {
    integrity: readOctetString(signedDigest).equals(digest) ? 'intact' : 'modified',
    signature: signatureValid ? 'valid' : 'invalid',
    trust: assessTrust(parsed.signerCertificate, parsed.certificates, trustAnchors, located.signingTime),
    signer: signerIdentity(parsed.signerCertificate),
    signingTime: located.signingTime,
    coversWholeDocument: gapEnd + tailLength === pdf.length,
  }
}

export function verifyPdfSignature(pdf: Buffer, trustAnchors: readonly X509Certificate[]): PdfVerification {
  try {
    return verifyLocated(pdf, locateSignature(pdf), trustAnchors)
  } catch (error) {
    if (error instanceof PdfVerifyError) return { error: error.code, message: error.message }
    // locateSignature throws only PdfVerifyError: anything else failed decoding the CMS or its certificates.
    return { error: 'malformedCms', message: `The CMS could not be decoded: ${String(error)}` }
  }
}
