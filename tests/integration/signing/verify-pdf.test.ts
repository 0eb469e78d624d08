import { X509Certificate } from 'node:crypto'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signPdf, type PdfSignatureOptions } from '../../../src/main/services/signing/pades'
import { keyFileSigner } from '../../../src/main/services/signing/signer'
import { verifyPdfSignature, type PdfVerification } from '../../../src/main/services/signing/verify-pdf'
import { SIGNER_SUBJECT, createTestPki, onePagePdf, signedParts, withFlippedByte, type TestPki } from '../../helpers/signing-pki'

const DAY_MS = 86_400_000
/** Set once the certificates exist, in whole seconds since /M keeps no more. */
let signingTime: Date

let rsa: TestPki
let ec: TestPki
let anchors: X509Certificate[]
let options: PdfSignatureOptions
let signed: Buffer

beforeAll(async () => {
  rsa = createTestPki('rsa2048')
  ec = createTestPki('ecP256')
  signingTime = new Date(Math.ceil(Date.now() / 1000) * 1000)
  anchors = [new X509Certificate(rsa.rootDer)]
  options = { signer: keyFileSigner(rsa.p12, rsa.passphrase), reason: 'Tiếp nhận hồ sơ', location: 'Đà Nẵng', now: () => signingTime }
  signed = await signPdf(await onePagePdf(), options)
})
afterAll(() => [rsa, ec].forEach((pki) => pki.remove()))

const errorOf = (verification: PdfVerification) => ('error' in verification ? verification.error : undefined)

/** Replaces `search` by `replacement` of the same length, so every offset stays where it was. */
function patch(pdf: Buffer, search: RegExp, replacement: (match: string) => string): Buffer {
  const text = pdf.toString('latin1')
  const match = search.exec(text)!
  const replaced = replacement(match[0])
  expect(replaced).toHaveLength(match[0].length)
  return Buffer.from(text.slice(0, match.index) + replaced + text.slice(match.index + match[0].length), 'latin1')
}

describe('verifyPdfSignature on good signatures', () => {
  it('reports an intact, valid, trusted signature with the signer and the signing time', () => {
    expect(verifyPdfSignature(signed, anchors)).toEqual({
      integrity: 'intact',
      signature: 'valid',
      trust: 'trusted',
      signer: { ...SIGNER_SUBJECT, serialNumber: new X509Certificate(rsa.signerDer).serialNumber.toUpperCase() },
      signingTime,
      coversWholeDocument: true,
    })
  })

  it('accepts ECDSA P-256 signatures', async () => {
    const ecSigned = await signPdf(await onePagePdf(), { ...options, signer: keyFileSigner(ec.p12, ec.passphrase) })
    expect(verifyPdfSignature(ecSigned, [new X509Certificate(ec.rootDer)])).toMatchObject({ integrity: 'intact', signature: 'valid', trust: 'trusted' })
  })

  it('trusts an intermediate given as the anchor, and nothing from another CA', () => {
    expect(verifyPdfSignature(signed, [new X509Certificate(rsa.intermediateDer)])).toMatchObject({ trust: 'trusted' })
    expect(verifyPdfSignature(signed, [new X509Certificate(ec.rootDer)])).toMatchObject({ signature: 'valid', trust: 'untrusted' })
    expect(verifyPdfSignature(signed, [])).toMatchObject({ trust: 'untrusted' })
  })

  it('says expired when /M falls outside the signer certificate validity', async () => {
    const late = new Date(signingTime.getTime() + (rsa.signerValidityDays + 2) * DAY_MS)
    const lateSigned = await signPdf(await onePagePdf(), { ...options, now: () => late })
    expect(verifyPdfSignature(lateSigned, anchors)).toMatchObject({ integrity: 'intact', signature: 'valid', trust: 'expired', signingTime: late })
  })

  it('checks the last signature and notices bytes appended after the signed revision', async () => {
    expect(verifyPdfSignature(await signPdf(signed, options), anchors)).toMatchObject({ integrity: 'intact', coversWholeDocument: true })
    const appended = Buffer.concat([signed, Buffer.from('\n% appended later\n')])
    expect(verifyPdfSignature(appended, anchors)).toMatchObject({ integrity: 'intact', signature: 'valid', coversWholeDocument: false })
  })
})

describe('verifyPdfSignature on damaged or hostile input', () => {
  it('reports modified when one covered byte changes', () => {
    expect(verifyPdfSignature(withFlippedByte(signed, 10), anchors)).toMatchObject({ integrity: 'modified', signature: 'valid' })
  })

  it('never reports an intact, valid signature after any covered byte changes, and never throws', () => {
    const { byteRange } = signedParts(signed)
    const [, gapStart, gapEnd] = byteRange as [number, number, number]
    const coveredOffset = fc.oneof(fc.integer({ min: 0, max: gapStart - 1 }), fc.integer({ min: gapEnd, max: signed.length - 1 }))
    fc.assert(
      fc.property(coveredOffset, fc.integer({ min: 1, max: 255 }), (offset, flip) => {
        const verdict = verifyPdfSignature(withFlippedByte(signed, offset, flip), anchors)
        return 'error' in verdict || verdict.integrity === 'modified' || verdict.signature === 'invalid'
      }),
      { numRuns: 300 },
    )
  })

  it('reports a forged signature value as invalid', () => {
    const { cms } = signedParts(signed)
    const hex = cms.toString('hex').toUpperCase()
    // The RSA signature is the last 256 bytes of the CMS; flip a bit inside it.
    const forgedHex = hex.slice(0, -10) + (hex.at(-10) === '0' ? '1' : '0') + hex.slice(-9)
    const forged = patch(signed, new RegExp(hex), () => forgedHex)
    expect(verifyPdfSignature(forged, anchors)).toMatchObject({ integrity: 'intact', signature: 'invalid' })
  })

  it.each<[string, () => Promise<Buffer> | Buffer, string]>([
    ['not a PDF', () => Buffer.from('Giấy tiếp nhận'), 'notPdf'],
    ['an unsigned PDF', () => onePagePdf(), 'noSignature'],
    ['a truncated signed PDF', () => signed.subarray(0, signed.length - 200), 'invalidByteRange'],
    ['a ByteRange that skips more than /Contents', () => patch(signed, /\/ByteRange \[0 (\d+)/, (match) => match.replace(/\d+$/, (n) => String(Number(n) - 1).padStart(n.length, '0'))), 'invalidByteRange'],
    ['a ByteRange that does not start at 0', () => patch(signed, /\/ByteRange \[0 /, () => '/ByteRange [1 '), 'invalidByteRange'],
    ['/Contents with a non-hex character', () => patch(signed, /\/Contents <3/, () => '/Contents <X'), 'malformedContents'],
    ['garbage hex in /Contents', () => patch(signed, /\/Contents <[0-9A-F]{64}/, () => '/Contents <' + 'AB'.repeat(32)), 'malformedCms'],
    ['a /Contents of zeros', () => patch(signed, /\/Contents <[0-9A-F]+/, (match) => '/Contents <' + '0'.repeat(match.length - 11)), 'malformedCms'],
    ['a missing /M', () => patch(signed, /\/M \(/, () => '/X ('), 'missingSigningTime'],
  ])('gives a typed error for %s', async (_name, input, code) => {
    expect(errorOf(verifyPdfSignature(await input(), anchors))).toBe(code)
  })

  it('never throws on random bytes or random truncations', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => 'error' in verifyPdfSignature(Buffer.concat([Buffer.from('%PDF-1.7\n/ByteRange [0 '), Buffer.from(bytes)]), anchors)))
    fc.assert(fc.property(fc.integer({ min: 0, max: signed.length - 1 }), (length) => 'error' in verifyPdfSignature(signed.subarray(0, length), anchors)), { numRuns: 200 })
  })
})
