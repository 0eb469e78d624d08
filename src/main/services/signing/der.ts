import forge from 'node-forge'

/**
 * Small layer over node-forge's ASN.1 module: forge works on "binary" strings (one char per byte), the
 * rest of the code on Buffers. Shared by the CMS builder and the verifier.
 */

const { asn1 } = forge
export type Asn1 = forge.asn1.Asn1

export const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  sha256: '2.16.840.1.101.3.4.2.1',
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha256WithRsaEncryption: '1.2.840.113549.1.1.11',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
} as const

const { UNIVERSAL, CONTEXT_SPECIFIC } = asn1.Class
const { Type } = asn1

const binary = (bytes: Buffer): string => bytes.toString('binary')

export const sequence = (items: Asn1[]): Asn1 => asn1.create(UNIVERSAL, Type.SEQUENCE, true, items)
export const objectIdentifier = (oid: string): Asn1 => asn1.create(UNIVERSAL, Type.OID, false, asn1.oidToDer(oid).getBytes())
export const octetString = (bytes: Buffer): Asn1 => asn1.create(UNIVERSAL, Type.OCTETSTRING, false, binary(bytes))
export const smallInteger = (value: number): Asn1 => asn1.create(UNIVERSAL, Type.INTEGER, false, asn1.integerToDer(value).getBytes())
export const explicitTag = (tag: number, inner: Asn1): Asn1 => asn1.create(CONTEXT_SPECIFIC, tag, true, [inner])
export const implicitConstructedTag = (tag: number, items: Asn1[]): Asn1 => asn1.create(CONTEXT_SPECIFIC, tag, true, items)

/** AlgorithmIdentifier; RSA identifiers carry an explicit NULL, SHA-2 and ECDSA ones none (RFC 5754, RFC 5758). */
export const algorithmIdentifier = (oid: string, nullParameters = false): Asn1 =>
  sequence([objectIdentifier(oid), ...(nullParameters ? [asn1.create(UNIVERSAL, Type.NULL, false, '')] : [])])

export const toDer = (node: Asn1): Buffer => Buffer.from(asn1.toDer(node).getBytes(), 'binary')

/**
 * DER SET OF: the elements sorted by their encodings (X.690 11.6). `tag` replaces the universal SET tag
 * for IMPLICIT [n] sets such as signedAttrs.
 */
export function derSetOf(items: Asn1[], tag?: number): Asn1 {
  const sorted = items.map((item) => ({ item, der: toDer(item) })).sort((a, b) => Buffer.compare(a.der, b.der))
  const elements = sorted.map(({ item }) => item)
  return tag === undefined ? asn1.create(UNIVERSAL, Type.SET, true, elements) : asn1.create(CONTEXT_SPECIFIC, tag, true, elements)
}

/** The same elements under the universal SET tag: what a signature over signedAttrs covers (RFC 5652 5.4). */
export const asUniversalSet = (node: Asn1): Asn1 => asn1.create(UNIVERSAL, Type.SET, true, children(node))

interface FromDerOptions {
  strict: boolean
  parseAllBytes: boolean
  decodeBitStrings: boolean
}

/**
 * Parses DER without reinterpreting BIT STRING contents, so re-encoding a parsed certificate gives back
 * its exact bytes. `trailingBytesAllowed` is for /Contents, where zero padding follows the CMS.
 */
export function fromDer(bytes: Buffer, trailingBytesAllowed = false): Asn1 {
  const parse = asn1.fromDer as unknown as (bytes: string, options: FromDerOptions) => Asn1
  return parse(binary(bytes), { strict: true, parseAllBytes: !trailingBytesAllowed, decodeBitStrings: false })
}

/** Thrown by the readers below when a structure does not have the expected shape. */
class Asn1ShapeError extends Error {}

export function children(node: Asn1 | undefined): Asn1[] {
  if (node === undefined || !Array.isArray(node.value)) throw new Asn1ShapeError('expected a constructed ASN.1 value')
  return node.value
}

export function required(node: Asn1 | undefined): Asn1 {
  if (node === undefined) throw new Asn1ShapeError('a required ASN.1 element is missing')
  return node
}

export function primitiveBytes(node: Asn1 | undefined, type: number): Buffer {
  if (node === undefined || node.tagClass !== UNIVERSAL || node.type !== type || typeof node.value !== 'string') {
    throw new Asn1ShapeError(`expected a primitive ASN.1 value of type ${type}`)
  }
  return Buffer.from(node.value, 'binary')
}

export const readOid = (node: Asn1 | undefined): string => asn1.derToOid(binary(primitiveBytes(node, Type.OID)))
export const readOctetString = (node: Asn1 | undefined): Buffer => primitiveBytes(node, Type.OCTETSTRING)
export const isContextTag = (node: Asn1 | undefined, tag: number): boolean => node?.tagClass === CONTEXT_SPECIFIC && node.type === tag

/** The fields of a DER certificate the CMS structures refer to, as nodes ready to copy. */
export interface CertificateFields {
  readonly serialNumber: Asn1
  readonly issuer: Asn1
  readonly subject: Asn1
}

export function certificateFields(certificateDer: Buffer): CertificateFields {
  const tbsCertificate = children(children(fromDer(certificateDer))[0])
  // The version field is an optional [0]; every field after it shifts by one when present.
  const first = isContextTag(tbsCertificate[0], 0) ? 1 : 0
  const [serialNumber, , issuer, , subject] = tbsCertificate.slice(first)
  if (serialNumber === undefined || issuer === undefined || subject === undefined) throw new Asn1ShapeError('truncated TBSCertificate')
  return { serialNumber, issuer, subject }
}
