import { execFileSync } from 'node:child_process'
import { createPrivateKey, X509Certificate } from 'node:crypto'
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeImageFile } from '../../../src/main/services/scan/image-file'
import { keyIdOf, sealKeyFromPrivateKey, sealKeyFromSigner, sha256 } from '../../../src/main/services/seal/seal-key'
import { loadSealTrust } from '../../../src/main/services/seal/trust-store'
import { verifySeal, type SealTrust } from '../../../src/main/services/seal/verify-seal'
import { keyFileSigner } from '../../../src/main/services/signing/signer'
import { decodeBase45, encodeBase45 } from '../../../src/shared/seal/base45'
import { CborTag, decodeCbor, encodeCbor, type CborValue } from '../../../src/shared/seal/cbor'
import { applicantIdHash, createSeal, SEAL_PREFIX, type ReceiptSealRecord, type SealKey } from '../../../src/shared/seal/seal'
import { encodeQr } from '../../helpers/qr-images'
import { createTestPki, runTool, SIGNER_SUBJECT, type TestPki } from '../../helpers/signing-pki'

const DAY_MS = 86_400_000
const RECEIPT: ReceiptSealRecord = {
  kind: 'receipt',
  code: '000.00.12.H17-260314-0001',
  serviceCode: '1.001193',
  applicantIdHash: applicantIdHash('048195001234', '000.00.12.H17-260314-0001', sha256),
  deviceId: '3f2b8c1e-7d4a-4e9b-a6c5-0d1e2f3a4b5c',
  receivedAt: Date.parse('2026-03-14T09:30:15+07:00'),
  returnDate: '2026-03-23',
}
const LONGEST: ReceiptSealRecord = { ...RECEIPT, code: 'X'.repeat(32), serviceCode: 'S'.repeat(40), deviceId: 'd'.repeat(40) }

let pki: TestPki
let otherPki: TestPki
let trust: SealTrust
let key: SealKey
let seal: string

const certificatesOf = (of: TestPki) => [of.signerDer, of.intermediateDer, of.rootDer].map((der) => new X509Certificate(der))

beforeAll(async () => {
  pki = createTestPki('ecP256')
  otherPki = createTestPki('ecP256')
  trust = { certificates: certificatesOf(pki), anchors: [new X509Certificate(pki.rootDer)] }
  key = sealKeyFromSigner(keyFileSigner(pki.p12, pki.passphrase))
  seal = await createSeal(RECEIPT, key)
})
afterAll(() => [pki, otherPki].forEach((each) => each.remove()))

/** The COSE_Sign1 parts of a seal. */
function coseParts(text: string): [Uint8Array, Map<number, CborValue>, Uint8Array, Uint8Array] {
  return (decodeCbor(decodeBase45(text.slice(SEAL_PREFIX.length))) as CborTag).value as [Uint8Array, Map<number, CborValue>, Uint8Array, Uint8Array]
}
const sealOf = (parts: CborValue[]) => SEAL_PREFIX + encodeBase45(encodeCbor(new CborTag(18, parts)))

/** A CBOR byte-string head, written out by hand rather than by the encoder under test. */
function byteStringHead(length: number): Buffer {
  return length < 24 ? Buffer.of(0x40 | length) : length < 256 ? Buffer.of(0x58, length) : Buffer.of(0x59, length >> 8, length & 0xff)
}

/** Sig_structure = ["Signature1", protected, h'', payload] (RFC 9052 section 4.4), byte by byte. */
function handWrittenSigStructure(protectedBytes: Uint8Array, payload: Uint8Array): Buffer {
  return Buffer.concat([Buffer.of(0x84, 0x6a), Buffer.from('Signature1'), byteStringHead(protectedBytes.length), protectedBytes, Buffer.of(0x40), byteStringHead(payload.length), payload])
}

/** r||s to DER Ecdsa-Sig-Value, as openssl reads signatures. */
function derSignature(p1363: Uint8Array): Buffer {
  const integer = (half: Uint8Array) => {
    let bytes = Buffer.from(half)
    while (bytes.length > 1 && bytes[0] === 0 && bytes[1]! < 0x80) bytes = bytes.subarray(1)
    if (bytes[0]! >= 0x80) bytes = Buffer.concat([Buffer.of(0), bytes])
    return Buffer.concat([Buffer.of(0x02, bytes.length), bytes])
  }
  const body = Buffer.concat([integer(p1363.subarray(0, 32)), integer(p1363.subarray(32))])
  return Buffer.concat([Buffer.of(0x30, body.length), body])
}

/** openssl's own verdict on the seal's ES256 signature, with the signer certificate's public key. */
function opensslVerifies(text: string, name: string): boolean {
  const [protectedBytes, , payload, signature] = coseParts(text)
  writeFileSync(join(pki.dir, `${name}.tbs`), handWrittenSigStructure(protectedBytes, payload))
  writeFileSync(join(pki.dir, `${name}.sig`), derSignature(signature))
  runTool('openssl', ['x509', '-in', 'signer.pem', '-pubkey', '-noout', '-out', 'signer-public.pem'], { cwd: pki.dir })
  try {
    return runTool('openssl', ['dgst', '-sha256', '-verify', 'signer-public.pem', '-signature', `${name}.sig`, `${name}.tbs`], { cwd: pki.dir }).includes('Verified OK')
  } catch (error) {
    if (String(error).includes('Verification failure')) return false
    throw error
  }
}

/** Modules across the symbol qrencode makes at level M from version 11 up; version 11 is 61. */
function qrModulesAcross(text: string): number {
  const ascii = execFileSync('qrencode', ['-l', 'M', '-v', '11', '-m', '0', '-t', 'ASCII', text], { encoding: 'utf8' })
  return ascii.trimEnd().split('\n').length
}

describe('sealing with the PKCS#12 key and checking offline', () => {
  it('verifies, naming the signer and the fields', () => {
    expect(verifySeal(`${seal}\r\n`, trust)).toEqual({ valid: true, fields: { ...RECEIPT, keyId: Buffer.from(keyIdOf(trust.certificates[0]!)).toString('hex') }, signer: SIGNER_SUBJECT })
  })

  it('is a COSE ES256 signature openssl verifies over a Sig_structure written by hand, from either kind of key', async () => {
    expect(opensslVerifies(seal, 'from-p12')).toBe(true)
    const fromKeyObject = sealKeyFromPrivateKey(createPrivateKey(readFileSync(join(pki.dir, 'signer.key'))), new X509Certificate(pki.signerDer))
    expect(fromKeyObject.keyId).toEqual(key.keyId)
    const sealed = await createSeal(RECEIPT, fromKeyObject)
    expect(opensslVerifies(sealed, 'from-key-object')).toBe(true)
    expect(verifySeal(sealed, trust).valid).toBe(true)
    const [protectedBytes, unprotected, payload, signature] = coseParts(sealed)
    const changedPayload = Uint8Array.from(payload, (byte, at) => (at === payload.length - 1 ? byte ^ 1 : byte))
    expect(opensslVerifies(sealOf([protectedBytes, unprotected, changedPayload, signature]), 'changed')).toBe(false)
  })

  it('fits QR version 11 at level M as qrencode builds it, and reads back from the picture', async () => {
    const longest = await createSeal(LONGEST, key)
    console.info(`realistic receipt seal: ${seal.length} characters, ${qrModulesAcross(seal)} modules; longest: ${longest.length} characters, ${qrModulesAcross(longest)} modules`)
    expect(qrModulesAcross(seal)).toBeLessThanOrEqual(61)
    expect(qrModulesAcross(longest)).toBe(61)
    const [code] = await decodeImageFile(encodeQr(seal, join(pki.dir, 'seal.png')))
    expect(code?.text).toBe(seal)
    expect(code?.scan).toMatchObject({ ok: true, value: { kind: 'receipt', seal: { code: RECEIPT.code } } })
  })

  it('refuses keys that cannot make ES256 signatures', () => {
    const rsa = createTestPki('rsa2048')
    try {
      expect(() => sealKeyFromSigner(keyFileSigner(rsa.p12, rsa.passphrase))).toThrowError(expect.objectContaining({ code: 'keyNotP256' }) as Error)
      expect(() => sealKeyFromPrivateKey(createPrivateKey(readFileSync(join(rsa.dir, 'signer.key'))), new X509Certificate(rsa.signerDer))).toThrowError(
        expect.objectContaining({ code: 'keyNotP256' }) as Error,
      )
      expect(() => sealKeyFromPrivateKey(createPrivateKey(readFileSync(join(otherPki.dir, 'signer.key'))), new X509Certificate(pki.signerDer))).toThrowError(
        expect.objectContaining({ code: 'certificateNotForKey' }) as Error,
      )
    } finally {
      rsa.remove()
    }
  })
})

describe('tampered and untrusted seals', () => {
  it('no character of the text can be changed without the seal failing, with a typed reason', () => {
    const reasons = new Set<string | undefined>()
    for (let at = SEAL_PREFIX.length; at < seal.length; at++) {
      const replacement = seal[at] === '0' ? '1' : '0'
      const verification = verifySeal(seal.slice(0, at) + replacement + seal.slice(at + 1), trust)
      expect(verification.valid, `character ${at}`).toBe(false)
      reasons.add(verification.reason)
    }
    expect([...reasons].every((reason) => ['invalidBase45', 'invalidCbor', 'invalidCose', 'unsupportedAlgorithm', 'invalidRecord', 'unsupportedVersion', 'unknownKey', 'badSignature'].includes(reason!))).toBe(true)
    expect(reasons).toContain('badSignature')
  })

  it('a changed field keeps decoding but fails the signature', () => {
    const [protectedBytes, unprotected, payload, signature] = coseParts(seal)
    const changed = new Map(decodeCbor(payload) as Map<number, CborValue>).set(8, (decodeCbor(payload) as Map<number, number>).get(8)! + 30)
    const verification = verifySeal(sealOf([protectedBytes, unprotected, encodeCbor(changed), signature]), trust)
    expect(verification).toMatchObject({ valid: false, reason: 'badSignature', fields: { returnDate: '2026-04-22' }, signer: SIGNER_SUBJECT })
  })

  it('a kid naming another certificate fails the signature; a kid naming none is an unknown key', () => {
    const [, unprotected, payload, signature] = coseParts(seal)
    const withKid = (kid: Uint8Array) => sealOf([encodeCbor(new Map<number, CborValue>([[1, -7], [4, kid]])), unprotected, payload, signature])
    const otherSigner = new X509Certificate(otherPki.signerDer)
    const trustingBoth = { certificates: [...trust.certificates, ...certificatesOf(otherPki)], anchors: [...trust.anchors, new X509Certificate(otherPki.rootDer)] }
    expect(verifySeal(withKid(keyIdOf(otherSigner)), trustingBoth)).toMatchObject({ valid: false, reason: 'badSignature' })
    expect(verifySeal(withKid(new Uint8Array(8)), trust)).toMatchObject({ valid: false, reason: 'unknownKey', fields: { code: RECEIPT.code } })
    expect(verifySeal(seal, { certificates: [], anchors: [] })).toMatchObject({ valid: false, reason: 'unknownKey' })
  })

  it('a signer whose chain does not reach an anchor is untrusted', async () => {
    const otherSeal = await createSeal(RECEIPT, sealKeyFromSigner(keyFileSigner(otherPki.p12, otherPki.passphrase)))
    const knowingOtherChain = { certificates: [...trust.certificates, ...certificatesOf(otherPki)], anchors: trust.anchors }
    expect(verifySeal(otherSeal, knowingOtherChain)).toMatchObject({ valid: false, reason: 'untrustedSigner', signer: SIGNER_SUBJECT })
    expect(verifySeal(seal, { certificates: [new X509Certificate(pki.signerDer)], anchors: [] })).toMatchObject({ valid: false, reason: 'untrustedSigner' })
  })

  it('a certificate that has expired, or is not yet valid, fails at verification time', () => {
    const signer = trust.certificates[0]!
    expect(verifySeal(seal, trust, new Date(Date.parse(signer.validTo) + DAY_MS))).toMatchObject({ valid: false, reason: 'certificateExpired' })
    expect(verifySeal(seal, trust, new Date(Date.parse(signer.validFrom) - DAY_MS))).toMatchObject({ valid: false, reason: 'certificateExpired' })
  })

  it('loads trust from files and folders, the self-signed CAs as anchors, with typed errors', () => {
    const folder = join(pki.dir, 'trusted')
    mkdirSync(folder)
    for (const name of ['root.pem', 'intermediate.der', 'signer.pem']) copyFileSync(join(pki.dir, name), join(folder, name))
    writeFileSync(join(folder, 'README.txt'), 'not read: only .pem, .crt, .cer and .der files are')
    const fromFolder = loadSealTrust([folder])
    expect(fromFolder.anchors.map((anchor) => anchor.subject)).toEqual([new X509Certificate(pki.rootDer).subject])
    expect(verifySeal(seal, fromFolder).valid).toBe(true)
    expect(verifySeal(seal, loadSealTrust([join(pki.dir, 'chain.pem'), join(pki.dir, 'signer.der')])).valid).toBe(true)
    writeFileSync(join(pki.dir, 'broken.pem'), 'không phải chứng thư')
    expect(() => loadSealTrust([join(pki.dir, 'broken.pem')])).toThrowError(expect.objectContaining({ code: 'invalidCertificate' }) as Error)
    expect(() => loadSealTrust([join(pki.dir, 'missing')])).toThrowError(expect.objectContaining({ code: 'unreadableTrustPath' }) as Error)
  })
})
