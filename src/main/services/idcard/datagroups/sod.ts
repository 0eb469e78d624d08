import { X509Certificate } from 'node:crypto'
import type { Tlv } from '../icao/tlv'
import { DataGroupError, EF_SOD, constructedChildren, decodeFile, readOid, readSmallInteger } from './lds'

/**
 * EF.SOD (ICAO 9303 Part 10, 4.6.2): CMS SignedData over the LDS security object, which lists a hash of each
 * data group. This module only takes the structure apart; passive-authentication.ts judges it.
 */

export type HashAlgorithm = 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512'

export type SignatureScheme =
  | { kind: 'rsa'; hash: HashAlgorithm }
  | { kind: 'rsaPss'; hash: HashAlgorithm; saltLength: number }
  | { kind: 'ecdsa'; hash: HashAlgorithm }

export interface Sod {
  /** The algorithm of the data group hashes. */
  hashAlgorithm: HashAlgorithm
  dataGroupHashes: ReadonlyMap<number, Buffer>
  /** The eContent: the DER LDSSecurityObject whose hash the signed attributes carry. */
  securityObject: Buffer
  documentSigner: X509Certificate
  digestAlgorithm: HashAlgorithm
  /** The signed attributes under the SET OF tag, which is what the signature covers (RFC 5652, 5.4). */
  signedAttributes: Buffer
  contentType: string
  messageDigest: Buffer
  signatureScheme: SignatureScheme
  signature: Buffer
}

export const SOD_OID = {
  signedData: '1.2.840.113549.1.7.2',
  ldsSecurityObject: '2.23.136.1.1.1',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  rsaEncryption: '1.2.840.113549.1.1.1',
  rsassaPss: '1.2.840.113549.1.1.10',
  mgf1: '1.2.840.113549.1.1.8',
  ecPublicKey: '1.2.840.10045.2.1',
  subjectKeyIdentifier: '2.5.29.14',
} as const

export const HASH_ALGORITHM_OIDS: Readonly<Record<HashAlgorithm, string>> = {
  sha1: '1.3.14.3.2.26',
  sha224: '2.16.840.1.101.3.4.2.4',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
}

// Signature algorithms that name their hash; rsaEncryption and ecPublicKey take it from the digest algorithm.
export const SIGNATURE_ALGORITHM_OIDS: Readonly<Record<string, { kind: 'rsa' | 'ecdsa'; hash: HashAlgorithm }>> = {
  '1.2.840.113549.1.1.5': { kind: 'rsa', hash: 'sha1' },
  '1.2.840.113549.1.1.14': { kind: 'rsa', hash: 'sha224' },
  '1.2.840.113549.1.1.11': { kind: 'rsa', hash: 'sha256' },
  '1.2.840.113549.1.1.12': { kind: 'rsa', hash: 'sha384' },
  '1.2.840.113549.1.1.13': { kind: 'rsa', hash: 'sha512' },
  '1.2.840.10045.4.1': { kind: 'ecdsa', hash: 'sha1' },
  '1.2.840.10045.4.3.1': { kind: 'ecdsa', hash: 'sha224' },
  '1.2.840.10045.4.3.2': { kind: 'ecdsa', hash: 'sha256' },
  '1.2.840.10045.4.3.3': { kind: 'ecdsa', hash: 'sha384' },
  '1.2.840.10045.4.3.4': { kind: 'ecdsa', hash: 'sha512' },
}

// RFC 4055: RSASSA-PSS parameters default to SHA-1 and a 20-byte salt.
const PSS_DEFAULTS = { hash: 'sha1', saltLength: 20 } as const

const TAG = {
  sequence: 0x30,
  set: 0x31,
  octetString: 0x04,
  contextConstructed0: 0xa0,
  contextConstructed1: 0xa1,
  contextConstructed2: 0xa2,
  contextConstructed3: 0xa3,
  contextPrimitive0: 0x80,
} as const

function expectTag(node: Tlv | undefined, tag: number, name: string): Tlv {
  if (node?.tag !== tag) throw new DataGroupError('malformed', `SOD ${name} is missing or has the wrong tag`)
  return node
}

function hashAlgorithmOf(identifier: Tlv | undefined, name: string): HashAlgorithm {
  const oid = readOid(constructedChildren(identifier, `SOD ${name}`)[0], `SOD ${name}`)
  const found = (Object.keys(HASH_ALGORITHM_OIDS) as HashAlgorithm[]).find((hash) => HASH_ALGORITHM_OIDS[hash] === oid)
  if (!found) throw new DataGroupError('unsupportedAlgorithm', `SOD ${name} ${oid} is not a supported hash`)
  return found
}

function pssScheme(parameters: Tlv | undefined): SignatureScheme {
  const fields = parameters ? constructedChildren(parameters, 'SOD RSASSA-PSS parameters') : []
  const field = (tag: number) => fields.find((node) => node.tag === tag)
  const hashField = field(TAG.contextConstructed0)
  const hash = hashField ? hashAlgorithmOf(constructedChildren(hashField, 'SOD PSS hash')[0], 'PSS hash') : PSS_DEFAULTS.hash
  const mgfField = field(TAG.contextConstructed1)
  if (mgfField) {
    const [mgfOid, mgfHash] = constructedChildren(constructedChildren(mgfField, 'SOD PSS mask generation')[0], 'SOD PSS mask generation')
    // Node's PSS verification uses MGF1 with the signature's own hash; other combinations are not in use.
    if (readOid(mgfOid, 'SOD PSS mask generation') !== SOD_OID.mgf1 || hashAlgorithmOf(mgfHash, 'MGF1 hash') !== hash) {
      throw new DataGroupError('unsupportedAlgorithm', 'SOD RSASSA-PSS mask generation is not MGF1 with the signature hash')
    }
  }
  const saltField = field(TAG.contextConstructed2)
  const saltLength = saltField ? readSmallInteger(constructedChildren(saltField, 'SOD PSS salt')[0], 'SOD PSS salt length') : PSS_DEFAULTS.saltLength
  return { kind: 'rsaPss', hash, saltLength }
}

function signatureSchemeOf(identifier: Tlv | undefined, digestAlgorithm: HashAlgorithm): SignatureScheme {
  const [oidNode, parameters] = constructedChildren(identifier, 'SOD signature algorithm')
  const oid = readOid(oidNode, 'SOD signature algorithm')
  if (oid === SOD_OID.rsassaPss) return pssScheme(parameters)
  if (oid === SOD_OID.rsaEncryption) return { kind: 'rsa', hash: digestAlgorithm }
  if (oid === SOD_OID.ecPublicKey) return { kind: 'ecdsa', hash: digestAlgorithm }
  const named = SIGNATURE_ALGORITHM_OIDS[oid]
  if (!named) throw new DataGroupError('unsupportedAlgorithm', `SOD signature algorithm ${oid} is not supported`)
  return named
}

interface SecurityObject {
  hashAlgorithm: HashAlgorithm
  dataGroupHashes: Map<number, Buffer>
}

function parseSecurityObject(node: Tlv | undefined): SecurityObject {
  const [, hashAlgorithm, hashValues] = constructedChildren(node, 'LDS security object')
  const dataGroupHashes = new Map<number, Buffer>()
  for (const entry of constructedChildren(hashValues, 'LDS data group hashes')) {
    const [number, hash] = constructedChildren(entry, 'LDS data group hash')
    dataGroupHashes.set(readSmallInteger(number, 'data group number'), expectTag(hash, TAG.octetString, 'data group hash').value)
  }
  return { hashAlgorithm: hashAlgorithmOf(hashAlgorithm, 'LDS hash algorithm'), dataGroupHashes }
}

function attributeValue(signedAttributes: Tlv, oid: string): Tlv {
  const matches = constructedChildren(signedAttributes, 'SOD signed attributes').filter(
    (attribute) => readOid(constructedChildren(attribute, 'SOD attribute')[0], 'SOD attribute type') === oid,
  )
  const values = matches.length === 1 ? constructedChildren(constructedChildren(matches[0], 'SOD attribute')[1], 'SOD attribute values') : []
  const [value] = values
  if (!value || values.length !== 1) throw new DataGroupError('malformed', `SOD signed attributes need exactly one ${oid}`)
  return value
}

/** The certificate's issuer and serial number, and its subject key identifier when it has one: what a SignerIdentifier names. */
function certificateIdentifiers(certificate: Tlv): { issuerAndSerial: Buffer; subjectKeyIdentifier: Buffer | undefined } {
  const tbs = constructedChildren(constructedChildren(certificate, 'DS certificate')[0], 'DS TBSCertificate')
  const fields = tbs[0]?.tag === TAG.contextConstructed0 ? tbs.slice(1) : tbs
  const [serial, , issuer] = fields
  const extensions = tbs.find((node) => node.tag === TAG.contextConstructed3)
  const subjectKeyIdentifier = extensions
    ? constructedChildren(constructedChildren(extensions, 'DS extensions')[0], 'DS extensions').find(
        (extension) => readOid(constructedChildren(extension, 'DS extension')[0], 'DS extension') === SOD_OID.subjectKeyIdentifier,
      )
    : undefined
  // extnValue is an OCTET STRING wrapping the DER of the KeyIdentifier, itself an OCTET STRING.
  const keyIdentifierDer = subjectKeyIdentifier?.constructed ? subjectKeyIdentifier.children.at(-1)?.value : undefined
  return {
    issuerAndSerial: Buffer.concat([issuer?.encoded ?? Buffer.alloc(0), serial?.encoded ?? Buffer.alloc(0)]),
    subjectKeyIdentifier: keyIdentifierDer?.subarray(2),
  }
}

function documentSignerCertificate(certificates: Tlv[], signerIdentifier: Tlv | undefined): X509Certificate {
  const matches = (certificate: Tlv): boolean => {
    const identifiers = certificateIdentifiers(certificate)
    if (signerIdentifier?.tag === TAG.contextPrimitive0) return identifiers.subjectKeyIdentifier?.equals(signerIdentifier.value) ?? false
    const [issuer, serial] = constructedChildren(signerIdentifier, 'SOD signer identifier')
    return Buffer.concat([issuer?.encoded ?? Buffer.alloc(0), serial?.encoded ?? Buffer.alloc(0)]).equals(identifiers.issuerAndSerial)
  }
  const found = certificates.find(matches)
  if (!found) throw new DataGroupError('malformed', 'SOD holds no certificate matching its signer identifier')
  try {
    return new X509Certificate(found.encoded)
  } catch (error) {
    throw new DataGroupError('malformed', `SOD document signer certificate does not parse: ${String(error)}`, { cause: error })
  }
}

export function parseSod(bytes: Uint8Array): Sod {
  const file = decodeFile(bytes, EF_SOD.tag, 'EF.SOD')
  const [contentType, explicitContent] = constructedChildren(file.children[0], 'SOD content info')
  if (readOid(contentType, 'SOD content type') !== SOD_OID.signedData) throw new DataGroupError('malformed', 'SOD is not CMS SignedData')
  const signedData = constructedChildren(constructedChildren(explicitContent, 'SOD content')[0], 'SOD SignedData')
  const [, , encapsulated] = signedData
  const [eContentType, explicitEContent] = constructedChildren(encapsulated, 'SOD encapsulated content')
  if (readOid(eContentType, 'SOD eContent type') !== SOD_OID.ldsSecurityObject) {
    throw new DataGroupError('malformed', 'SOD does not encapsulate an LDS security object')
  }
  const securityObject = expectTag(constructedChildren(explicitEContent, 'SOD eContent')[0], TAG.octetString, 'eContent').value
  const certificates = constructedChildren(
    signedData.find((node) => node.tag === TAG.contextConstructed0),
    'SOD certificates',
  )
  const signerInfos = constructedChildren(expectTag(signedData.at(-1), TAG.set, 'signer infos'), 'SOD signer infos')
  if (signerInfos.length !== 1) throw new DataGroupError('malformed', `SOD has ${signerInfos.length} signer infos, expected one`)
  const [, signerIdentifier, digestAlgorithmNode, signedAttributes, signatureAlgorithm, signature] = constructedChildren(signerInfos[0], 'SOD signer info')
  const attributes = expectTag(signedAttributes, TAG.contextConstructed0, 'signed attributes')
  const digestAlgorithm = hashAlgorithmOf(digestAlgorithmNode, 'digest algorithm')
  const { hashAlgorithm, dataGroupHashes } = parseSecurityObject(decodeFile(securityObject, TAG.sequence, 'LDS security object'))
  return {
    hashAlgorithm,
    dataGroupHashes,
    securityObject,
    documentSigner: documentSignerCertificate(certificates, signerIdentifier),
    digestAlgorithm,
    // [0] IMPLICIT in the SignerInfo, signed as the universal SET OF.
    signedAttributes: Buffer.concat([Buffer.from([TAG.set]), attributes.encoded.subarray(1)]),
    contentType: readOid(attributeValue(attributes, SOD_OID.contentType), 'SOD content type attribute'),
    messageDigest: expectTag(attributeValue(attributes, SOD_OID.messageDigest), TAG.octetString, 'message digest').value,
    signatureScheme: signatureSchemeOf(signatureAlgorithm, digestAlgorithm),
    signature: expectTag(signature, TAG.octetString, 'signature').value,
  }
}
