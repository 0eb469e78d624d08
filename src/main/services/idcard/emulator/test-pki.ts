import { X509Certificate, createPrivateKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto'
import forge from 'node-forge'
import { OID, algorithmIdentifier, explicitTag, fromDer, objectIdentifier, octetString, sequence, smallInteger, toDer, type Asn1 } from '../../signing/der'

/**
 * A throwaway country signing CA and document signer for the card emulator, made in-process so the emulator needs
 * no openssl at run time. The CSCA is ECDSA P-256; the document signer's key decides how the SOD is signed.
 */

export type DocumentSignerAlgorithm = 'ecdsa' | 'rsa' | 'rsaPss'

export interface DocumentSignerPki {
  csca: X509Certificate
  documentSigner: X509Certificate
  documentSignerKey: KeyObject
  algorithm: DocumentSignerAlgorithm
}

/** PEM texts of an existing test PKI, e.g. kept on disk so a trust list can hold its CSCA across emulator runs. */
export interface DocumentSignerPkiPem {
  csca: string
  documentSigner: string
  documentSignerKey: string
  algorithm: DocumentSignerAlgorithm
}

const { asn1 } = forge
const { UNIVERSAL } = asn1.Class
const { Type } = asn1
const EXTENSION_OID = { basicConstraints: '2.5.29.19', keyUsage: '2.5.29.15' } as const
const COUNTRY_OID = '2.5.4.6'
// keyUsage bits as DER BIT STRING contents: unused-bit count, then the bits (X.509 4.2.1.3).
const KEY_USAGE = { certificateSigning: Buffer.from([0x01, 0x06]), digitalSignature: Buffer.from([0x07, 0x80]) } as const
const VALIDITY_YEARS = { csca: 15, documentSigner: 10 } as const

const bitString = (contents: Buffer): Asn1 => asn1.create(UNIVERSAL, Type.BITSTRING, false, contents.toString('binary'))
const utcTime = (date: Date): Asn1 => asn1.create(UNIVERSAL, Type.UTCTIME, false, asn1.dateToUtcTime(date))
const printable = (text: string): Asn1 => asn1.create(UNIVERSAL, Type.PRINTABLESTRING, false, text)
const utf8 = (text: string): Asn1 => asn1.create(UNIVERSAL, Type.UTF8, false, forge.util.encodeUtf8(text))
const booleanTrue = (): Asn1 => asn1.create(UNIVERSAL, Type.BOOLEAN, false, '\xff')

function name(commonName: string): Asn1 {
  const attribute = (oid: string, value: Asn1) => asn1.create(UNIVERSAL, Type.SET, true, [sequence([objectIdentifier(oid), value])])
  return sequence([attribute(COUNTRY_OID, printable('VN')), attribute(OID.commonName, utf8(commonName))])
}

function extension(oid: string, value: Asn1): Asn1 {
  return sequence([objectIdentifier(oid), booleanTrue(), octetString(toDer(value))])
}

function yearsFromNow(years: number): Date {
  const date = new Date()
  date.setUTCFullYear(date.getUTCFullYear() + years)
  return date
}

interface CertificateRequest {
  subject: string
  issuer: string
  publicKey: KeyObject
  issuerKey: KeyObject
  isCa: boolean
  validityYears: number
}

function issueCertificate(request: CertificateRequest): X509Certificate {
  const extensions = request.isCa
    ? [extension(EXTENSION_OID.basicConstraints, sequence([booleanTrue()])), extension(EXTENSION_OID.keyUsage, bitString(KEY_USAGE.certificateSigning))]
    : [extension(EXTENSION_OID.keyUsage, bitString(KEY_USAGE.digitalSignature))]
  // A positive serial: the top bit cleared, never zero.
  const serial = Buffer.concat([Buffer.from([0x01]), randomBytes(15)])
  const tbsCertificate = sequence([
    explicitTag(0, smallInteger(2)),
    asn1.create(UNIVERSAL, Type.INTEGER, false, serial.toString('binary')),
    algorithmIdentifier(OID.ecdsaWithSha256),
    name(request.issuer),
    sequence([utcTime(new Date(Date.now() - 86_400_000)), utcTime(yearsFromNow(request.validityYears))]),
    name(request.subject),
    fromDer(request.publicKey.export({ type: 'spki', format: 'der' })),
    explicitTag(3, sequence(extensions)),
  ])
  const signature = sign('sha256', toDer(tbsCertificate), request.issuerKey)
  const certificate = sequence([tbsCertificate, algorithmIdentifier(OID.ecdsaWithSha256), bitString(Buffer.concat([Buffer.from([0]), signature]))])
  return new X509Certificate(toDer(certificate))
}

function documentSignerKeyPair(algorithm: DocumentSignerAlgorithm): { publicKey: KeyObject; privateKey: KeyObject } {
  return algorithm === 'ecdsa' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('rsa', { modulusLength: 2048 })
}

export function createTestPki(algorithm: DocumentSignerAlgorithm = 'ecdsa'): DocumentSignerPki {
  const cscaKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const signerKeys = documentSignerKeyPair(algorithm)
  const cscaName = 'Test CSCA Một Cửa Kiosk'
  const csca = issueCertificate({ subject: cscaName, issuer: cscaName, publicKey: cscaKeys.publicKey, issuerKey: cscaKeys.privateKey, isCa: true, validityYears: VALIDITY_YEARS.csca })
  const documentSigner = issueCertificate({
    subject: 'Test Document Signer Một Cửa Kiosk',
    issuer: cscaName,
    publicKey: signerKeys.publicKey,
    issuerKey: cscaKeys.privateKey,
    isCa: false,
    validityYears: VALIDITY_YEARS.documentSigner,
  })
  return { csca, documentSigner, documentSignerKey: signerKeys.privateKey, algorithm }
}

export function testPkiFromPem(pem: DocumentSignerPkiPem): DocumentSignerPki {
  return {
    csca: new X509Certificate(pem.csca),
    documentSigner: new X509Certificate(pem.documentSigner),
    documentSignerKey: createPrivateKey(pem.documentSignerKey),
    algorithm: pem.algorithm,
  }
}

/** An Active Authentication key pair for the emulated chip: ECDSA P-256, its public half goes into DG15. */
export function createActiveAuthenticationKey(): { publicKey: KeyObject; privateKey: KeyObject } {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' })
}
