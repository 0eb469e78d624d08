import { X509Certificate } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signPdf } from '../../../src/main/services/signing/pades'
import { ecdsaSignatureToDer, Pkcs11SignerError, pkcs11Signer, type Pkcs11SignerOptions } from '../../../src/main/services/signing/pkcs11-signer'
import { verifyPdfSignature } from '../../../src/main/services/signing/verify-pdf'
import { createTestPki, nssDatabaseTrusting, onePagePdf, pdfsigReport, SIGNER_SUBJECT, type TestPki } from '../../helpers/signing-pki'
import { SOFTHSM_MODULE, softHsmTokenWithSigner, TOKEN_LABEL, TOKEN_PIN } from '../../helpers/softhsm'

/** The PKCS#11 signer against a SoftHSM2 token holding a key made with openssl, judged by pdfsig. */

describe.each(['rsa2048', 'ecP256'] as const)('a %s key on a SoftHSM2 token', (kind) => {
  let pki: TestPki
  let options: Pkcs11SignerOptions

  beforeAll(() => {
    pki = createTestPki(kind)
    softHsmTokenWithSigner(pki)
    options = { modulePath: SOFTHSM_MODULE, tokenLabel: TOKEN_LABEL, pin: TOKEN_PIN, chain: [new X509Certificate(pki.intermediateDer), new X509Certificate(pki.rootDer)] }
  })
  afterAll(() => pki.remove())

  it('signs a PDF that pdfsig finds valid, trusted and wholly signed', async () => {
    const signer = pkcs11Signer(options)
    try {
      expect(signer.algorithm).toBe(kind === 'rsa2048' ? 'RSA-SHA256' : 'ECDSA-P256-SHA256')
      expect(signer.certificateChain).toEqual([pki.signerDer, pki.intermediateDer, pki.rootDer])
      const signed = await signPdf(await onePagePdf(), { signer, reason: 'Tiếp nhận hồ sơ', location: 'Hải Châu' })
      const pdfPath = join(pki.dir, 'token-signed.pdf')
      writeFileSync(pdfPath, signed)
      const report = pdfsigReport(nssDatabaseTrusting(pki.dir, pki.rootPemPath), pdfPath)
      expect(report).toContain(`Signer Certificate Common Name: ${SIGNER_SUBJECT.commonName}`)
      expect(report).toContain('Signature Validation: Signature is Valid.')
      expect(report).toContain('Certificate Validation: Certificate is Trusted.')
      expect(report).toContain('Total document signed')
      expect(verifyPdfSignature(signed, [new X509Certificate(pki.rootDer)])).toMatchObject({ signature: 'valid', trust: 'trusted', integrity: 'intact' })
    } finally {
      signer.close()
    }
  })

  it('refuses a wrong PIN, an absent token and an absent key with typed errors', () => {
    const codeOf = (patch: Partial<Pkcs11SignerOptions>) => {
      try {
        pkcs11Signer({ ...options, ...patch }).close()
        return 'opened'
      } catch (error) {
        expect(error).toBeInstanceOf(Pkcs11SignerError)
        return (error as Pkcs11SignerError).code
      }
    }
    expect(codeOf({ pin: '0000' })).toBe('wrongPin')
    expect(codeOf({ tokenLabel: 'absent' })).toBe('tokenNotFound')
    expect(codeOf({ keyLabel: 'absent' })).toBe('noPrivateKey')
    expect(codeOf({ modulePath: join(pki.dir, 'no-such-module.so') })).toBe('moduleNotLoadable')
    expect(codeOf({})).toBe('opened')
  })
})

describe('ECDSA signatures from a token', () => {
  it('become DER integers, with a zero byte before a high bit and leading zeros dropped', () => {
    const r = Buffer.alloc(32, 0x80)
    const s = Buffer.concat([Buffer.alloc(2), Buffer.alloc(30, 0x11)])
    const der = ecdsaSignatureToDer(Buffer.concat([r, s]))
    expect(der.toString('hex')).toBe(`3043022100${r.toString('hex')}021e${Buffer.alloc(30, 0x11).toString('hex')}`)
    expect(() => ecdsaSignatureToDer(Buffer.alloc(63))).toThrow(Pkcs11SignerError)
  })
})
