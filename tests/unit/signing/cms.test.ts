import { createHash, X509Certificate, verify } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import forge from 'node-forge'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildDetachedSignedData } from '../../../src/main/services/signing/cms'
import { OID, asUniversalSet, certificateFields, children, derSetOf, fromDer, octetString, readOctetString, readOid, toDer, type Asn1 } from '../../../src/main/services/signing/der'
import { keyFileSigner, type Signer } from '../../../src/main/services/signing/signer'
import { createTestPki, runTool, type TestPki } from '../../helpers/signing-pki'

let pki: TestPki
let signer: Signer
const messageDigest = createHash('sha256').update('covered bytes').digest()

beforeAll(() => {
  pki = createTestPki('rsa2048')
  signer = keyFileSigner(pki.p12, pki.passphrase)
})
afterAll(() => pki.remove())

/** The SignedData fields and the single SignerInfo's fields of a ContentInfo. */
function dissect(cms: Buffer) {
  const [contentType, explicitContent] = children(fromDer(cms))
  const signedData = children(children(explicitContent)[0])
  const [version, digestAlgorithms, encapContentInfo, certificates, signerInfos] = signedData
  const signerInfo = children(children(signerInfos)[0])
  return { contentType, signedData, version, digestAlgorithms, encapContentInfo, certificates, signerInfo }
}

const integerValue = (node: Asn1 | undefined) => forge.asn1.derToInteger(node!.value as string)

describe('detached CMS SignedData for PAdES B-B', () => {
  it('has the RFC 5652 shape: version 1, sha256, detached id-data, the chain, one SignerInfo', async () => {
    const cms = dissect(await buildDetachedSignedData(messageDigest, signer))
    expect(readOid(cms.contentType)).toBe(OID.signedData)
    expect(cms.signedData).toHaveLength(5)
    expect(integerValue(cms.version)).toBe(1)
    expect(children(cms.digestAlgorithms).map((algorithm) => readOid(children(algorithm)[0]))).toEqual([OID.sha256])
    expect(children(cms.encapContentInfo).map(readOid)).toEqual([OID.data])
    expect(children(cms.certificates).map(toDer)).toEqual([...signer.certificateChain])

    const [version, sid, digestAlgorithm, , signatureAlgorithm] = cms.signerInfo
    expect(cms.signerInfo).toHaveLength(6)
    expect(integerValue(version)).toBe(1)
    const { issuer, serialNumber } = certificateFields(pki.signerDer)
    expect(children(sid).map(toDer)).toEqual([toDer(issuer), toDer(serialNumber)])
    expect(readOid(children(digestAlgorithm)[0])).toBe(OID.sha256)
    const [algorithm, parameters] = children(signatureAlgorithm)
    expect(readOid(algorithm)).toBe(OID.rsaEncryption)
    expect(toDer(parameters!)).toEqual(Buffer.from([0x05, 0x00]))
  })

  it('signs exactly content-type, message-digest and signing-certificate-v2, DER-sorted, no signing-time', async () => {
    const [, , , signedAttrs, , signature] = dissect(await buildDetachedSignedData(messageDigest, signer)).signerInfo
    const attributes = children(signedAttrs)
    const encodings = attributes.map(toDer)
    expect(encodings).toEqual([...encodings].sort(Buffer.compare))
    const byType = new Map(attributes.map((attribute) => [readOid(children(attribute)[0]), children(children(attribute)[1])]))
    expect([...byType.keys()].sort()).toEqual([OID.contentType, OID.messageDigest, OID.signingCertificateV2].sort())

    expect(readOid(byType.get(OID.contentType)![0])).toBe(OID.data)
    expect(readOctetString(byType.get(OID.messageDigest)![0])).toEqual(messageDigest)
    const [essCertIdV2] = children(children(byType.get(OID.signingCertificateV2)![0])[0])
    const [certHash, issuerSerial] = children(essCertIdV2)
    expect(readOctetString(certHash)).toEqual(createHash('sha256').update(pki.signerDer).digest())
    const [generalNames, serialNumber] = children(issuerSerial)
    const { issuer, serialNumber: expectedSerial } = certificateFields(pki.signerDer)
    expect(toDer(children(children(generalNames)[0])[0]!)).toEqual(toDer(issuer))
    expect(toDer(serialNumber!)).toEqual(toDer(expectedSerial))

    const signedBytes = toDer(asUniversalSet(signedAttrs!))
    expect(verify('sha256', signedBytes, new X509Certificate(pki.signerDer).publicKey, readOctetString(signature))).toBe(true)
  })

  it('is read by openssl cms with the same three signed attributes', async () => {
    const path = join(pki.dir, 'unit.p7s')
    writeFileSync(path, await buildDetachedSignedData(messageDigest, signer))
    const printed = runTool('openssl', ['cms', '-cmsout', '-print', '-inform', 'DER', '-in', path])
    const attributeTypes = [...printed.matchAll(/object: (\S+) \(([\d.]+)\)/g)].map((match) => match[2]).filter((oid) => oid?.startsWith('1.2.840.113549.1.9.'))
    expect(attributeTypes.sort()).toEqual([OID.contentType, OID.messageDigest, OID.signingCertificateV2].sort())
    expect(printed).not.toContain('signingTime')
  })

  it('sorts any SET OF by encoding', () => {
    const octets = fc.uint8Array({ maxLength: 40 }).map((bytes) => octetString(Buffer.from(bytes)))
    fc.assert(
      fc.property(fc.array(octets, { maxLength: 8 }), (items) => {
        const encodings = children(derSetOf(items)).map(toDer)
        return encodings.every((encoding, index) => index === 0 || Buffer.compare(encodings[index - 1]!, encoding) <= 0)
      }),
    )
  })
})
