import { constants, createHash, sign } from 'node:crypto'
import { OID, algorithmIdentifier, certificateFields, derSetOf, explicitTag, fromDer, implicitConstructedTag, objectIdentifier, octetString, sequence, smallInteger, toDer, type Asn1 } from '../../signing/der'
import { DG1_MRZ_TAG } from '../datagroups/dg1'
import { DG13_PARENTS_FIELD, DG13_PRINTABLE_FIELDS, DG13_SPOUSE_FIELD, DG13_TEXT_FIELDS } from '../datagroups/dg13'
import { DG2_TAGS, FACE_RECORD } from '../datagroups/dg2'
import { EF_COM_TAGS } from '../datagroups/ef-com'
import { EF_COM, EF_SOD, dataGroupTag } from '../datagroups/lds'
import { SECURITY_INFO_OID, type SecurityInfos } from '../datagroups/security-infos'
import { HASH_ALGORITHM_OIDS, SIGNATURE_ALGORITHM_OIDS, SOD_OID, type HashAlgorithm } from '../datagroups/sod'
import { encodeTlv } from '../icao/tlv'
import type { FacePhoto, PrintedDg13 } from './profile'
import type { DocumentSignerPki } from './test-pki'

/** Encoders for the emulator's files: the inverse of the parsers in ../datagroups, in the layout Vietnamese cards use. */

const ASN1 = { integer: 0x02, oid: 0x06, utf8String: 0x0c, printableString: 0x13, sequence: 0x30, set: 0x31 } as const
const LDS_VERSION = '0107'
const UNICODE_VERSION = '040000'
// ISO/IEC 10646 as DG13's content type, as the cards carry it.
const DG13_OID_DER = Buffer.from('28D316010008', 'hex')

const integerTlv = (value: number): Buffer => encodeTlv(ASN1.integer, Buffer.from([value]))
const sequenceTlv = (...items: Buffer[]): Buffer => encodeTlv(ASN1.sequence, Buffer.concat(items))

export function buildEfCom(dataGroups: readonly number[]): Buffer {
  return encodeTlv(
    EF_COM.tag,
    Buffer.concat([
      encodeTlv(EF_COM_TAGS.ldsVersion, Buffer.from(LDS_VERSION, 'latin1')),
      encodeTlv(EF_COM_TAGS.unicodeVersion, Buffer.from(UNICODE_VERSION, 'latin1')),
      encodeTlv(EF_COM_TAGS.tagList, Buffer.from(dataGroups.map(dataGroupTag))),
    ]),
  )
}

export function buildDg1(mrzLines: readonly string[]): Buffer {
  return encodeTlv(dataGroupTag(1), encodeTlv(DG1_MRZ_TAG, Buffer.from(mrzLines.join(''), 'latin1')))
}

/** A simplified ISO 19794-5 record: one face, no feature points, full frontal JPEG, the other properties unspecified. */
function facialRecord({ jpeg, width, height }: FacePhoto): Buffer {
  const { formatIdentifier, generalHeaderLength, facialHeaderLength, imageInformationLength } = FACE_RECORD
  const blockLength = facialHeaderLength + imageInformationLength + jpeg.length
  const header = Buffer.alloc(generalHeaderLength + facialHeaderLength + imageInformationLength)
  formatIdentifier.copy(header, 0)
  header.write('010\0', 4, 'latin1')
  header.writeUInt32BE(generalHeaderLength + blockLength, 8)
  header.writeUInt16BE(1, 12)
  header.writeUInt32BE(blockLength, generalHeaderLength)
  const imageInformation = generalHeaderLength + facialHeaderLength
  header.writeUInt8(1, imageInformation) // face image type: full frontal
  header.writeUInt8(0, imageInformation + 1) // image data type: JPEG
  header.writeUInt16BE(width, imageInformation + 2)
  header.writeUInt16BE(height, imageInformation + 4)
  header.writeUInt8(1, imageInformation + 6) // colour space: 24-bit RGB
  return Buffer.concat([header, jpeg])
}

export function buildDg2(face: FacePhoto): Buffer {
  // Biometric header template: ICAO header version 0101, type facial features, format owner ISO/IEC JTC1 SC37, type 0008.
  const header = encodeTlv(DG2_TAGS.biometricHeader, Buffer.from('800201018101028702010188020008', 'hex'))
  const information = encodeTlv(DG2_TAGS.biometricInformation, Buffer.concat([header, encodeTlv(DG2_TAGS.biometricData, facialRecord(face))]))
  return encodeTlv(dataGroupTag(2), encodeTlv(DG2_TAGS.biometricInformationGroup, Buffer.concat([integerTlv(1), information])))
}

function dg13String(fieldNumber: number, text: string): Buffer {
  const tag = DG13_PRINTABLE_FIELDS.includes(fieldNumber) ? ASN1.printableString : ASN1.utf8String
  return encodeTlv(tag, Buffer.from(text.normalize('NFC'), 'utf8'))
}

export function buildDg13(printed: PrintedDg13): Buffer {
  const textFields = Object.entries(DG13_TEXT_FIELDS).map(([key, number]) =>
    sequenceTlv(integerTlv(number), dg13String(number, printed[key as keyof typeof DG13_TEXT_FIELDS])),
  )
  const utf8Sequence = (text: string) => sequenceTlv(dg13String(DG13_PARENTS_FIELD, text))
  const parents = sequenceTlv(integerTlv(DG13_PARENTS_FIELD), utf8Sequence(printed.fatherName), utf8Sequence(printed.motherName))
  // No spouse is an empty field, `30 03 02 01 0E`, as on the cards.
  const spouse = sequenceTlv(integerTlv(DG13_SPOUSE_FIELD), ...(printed.spouseName === '' ? [] : [dg13String(DG13_SPOUSE_FIELD, printed.spouseName)]))
  const fields = encodeTlv(ASN1.set, Buffer.concat([...textFields, parents, spouse]))
  return encodeTlv(dataGroupTag(13), sequenceTlv(integerTlv(1), encodeTlv(ASN1.oid, DG13_OID_DER), fields))
}

const oidTlv = (oid: string): Buffer => toDer(objectIdentifier(oid))

/** SecurityInfos as a SET: EF.CardAccess as it is, DG14 inside tag 6E. */
export function buildSecurityInfos({ pace, activeAuthentication }: SecurityInfos): Buffer {
  const paceInfos = pace.map(({ protocol, version, parameterId }) =>
    sequenceTlv(oidTlv(protocol), integerTlv(version), ...(parameterId === undefined ? [] : [integerTlv(parameterId)])),
  )
  const activeAuthenticationInfos = activeAuthentication
    ? [sequenceTlv(oidTlv(SECURITY_INFO_OID.activeAuthentication), integerTlv(1), oidTlv(activeAuthentication.signatureAlgorithm))]
    : []
  return encodeTlv(ASN1.set, Buffer.concat([...paceInfos, ...activeAuthenticationInfos]))
}

export function buildDg14(infos: SecurityInfos): Buffer {
  return encodeTlv(dataGroupTag(14), buildSecurityInfos(infos))
}

/** DG15: the Active Authentication public key, a DER SubjectPublicKeyInfo. */
export function buildDg15(subjectPublicKeyInfo: Buffer): Buffer {
  return encodeTlv(dataGroupTag(15), subjectPublicKeyInfo)
}

function signatureAlgorithmIdentifier(pki: DocumentSignerPki, hash: HashAlgorithm): Asn1 {
  if (pki.algorithm === 'rsaPss') {
    const hashIdentifier = algorithmIdentifier(HASH_ALGORITHM_OIDS[hash])
    const digestLength = createHash(hash).digest().length
    return sequence([
      objectIdentifier(SOD_OID.rsassaPss),
      sequence([explicitTag(0, hashIdentifier), explicitTag(1, sequence([objectIdentifier(SOD_OID.mgf1), hashIdentifier])), explicitTag(2, smallInteger(digestLength))]),
    ])
  }
  const kind = pki.algorithm === 'ecdsa' ? 'ecdsa' : 'rsa'
  const oid = Object.keys(SIGNATURE_ALGORITHM_OIDS).find((candidate) => SIGNATURE_ALGORITHM_OIDS[candidate]?.kind === kind && SIGNATURE_ALGORITHM_OIDS[candidate]?.hash === hash)
  if (!oid) throw new Error(`no ${kind} signature algorithm with ${hash}`)
  return algorithmIdentifier(oid, kind === 'rsa')
}

function signSignedAttributes(pki: DocumentSignerPki, hash: HashAlgorithm, data: Buffer): Buffer {
  if (pki.algorithm !== 'rsaPss') return sign(hash, data, pki.documentSignerKey)
  return sign(hash, data, { key: pki.documentSignerKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: createHash(hash).digest().length })
}

/** EF.SOD: CMS SignedData over the LDS security object (hashes of `dataGroups`), signed by the document signer. */
export function buildSod(dataGroups: ReadonlyMap<number, Buffer>, pki: DocumentSignerPki, hash: HashAlgorithm = 'sha256'): Buffer {
  const hashIdentifier = algorithmIdentifier(HASH_ALGORITHM_OIDS[hash])
  const hashValues = [...dataGroups].sort(([a], [b]) => a - b).map(([number, bytes]) => sequence([smallInteger(number), octetString(createHash(hash).update(bytes).digest())]))
  const securityObject = toDer(sequence([smallInteger(0), hashIdentifier, sequence(hashValues)]))
  const attribute = (oid: string, value: Asn1) => sequence([objectIdentifier(oid), derSetOf([value])])
  const signedAttributes = [
    attribute(SOD_OID.contentType, objectIdentifier(SOD_OID.ldsSecurityObject)),
    attribute(SOD_OID.messageDigest, octetString(createHash(hash).update(securityObject).digest())),
  ]
  const signature = signSignedAttributes(pki, hash, toDer(derSetOf(signedAttributes)))
  const { issuer, serialNumber } = certificateFields(pki.documentSigner.raw)
  const signerInfo = sequence([
    smallInteger(1),
    sequence([issuer, serialNumber]),
    hashIdentifier,
    derSetOf(signedAttributes, 0),
    signatureAlgorithmIdentifier(pki, hash),
    octetString(signature),
  ])
  const signedData = sequence([
    smallInteger(3),
    derSetOf([hashIdentifier]),
    sequence([objectIdentifier(SOD_OID.ldsSecurityObject), explicitTag(0, octetString(securityObject))]),
    implicitConstructedTag(0, [fromDer(pki.documentSigner.raw)]),
    derSetOf([signerInfo]),
  ])
  return encodeTlv(EF_SOD.tag, toDer(sequence([objectIdentifier(OID.signedData), explicitTag(0, signedData)])))
}
