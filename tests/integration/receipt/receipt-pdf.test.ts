import { X509Certificate } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { demoReceipt } from '../../../src/cli/commands/receipt'
import { loadSampleProcedureCatalog } from '../../../src/main/services/catalog/procedures'
import { issueReceipt, type IssuedReceipt } from '../../../src/main/services/receipt/issue-receipt'
import { A4_MARGINS_MM, MOTTO, NATIONAL_NAME, RECEIPT_TITLE } from '../../../src/main/services/receipt/receipt-pdf'
import { decodeImageFile } from '../../../src/main/services/scan/image-file'
import { sealKeyFromSigner } from '../../../src/main/services/seal/seal-key'
import { verifySeal } from '../../../src/main/services/seal/verify-seal'
import { keyFileSigner } from '../../../src/main/services/signing/signer'
import { verifyPdfSignature } from '../../../src/main/services/signing/verify-pdf'
import type { ReceiptData } from '../../../src/shared/domain/dossier/receipt'
import { PROJECT_ROOT } from '../../helpers/browser-mode-host'
import { createTestPki, nssDatabaseTrusting, pdfsigReport, runTool, signedParts, withFlippedByte, type TestPki } from '../../helpers/signing-pki'

/** The signed receipt end to end, judged by third-party tools: poppler (pdfsig, pdftotext, pdffonts, pdfinfo, pdftoppm), NSS and openssl. */

const ARTIFACTS = join(PROJECT_ROOT, 'test-results', 'receipt')
const POINTS_PER_MM = 72 / 25.4
const A4_POINTS = { width: 595.28, height: 841.89 }
const LIBERATION_SERIF_BOX_EM = (891 + 216) / 1000

let pki: TestPki
let nssDir: string
let receipt: ReceiptData
let a4: IssuedReceipt
let thermal: IssuedReceipt
const path = (name: string) => join(pki.dir, name)

beforeAll(async () => {
  pki = createTestPki('ecP256')
  nssDir = nssDatabaseTrusting(pki.dir, pki.rootPemPath)
  const signer = keyFileSigner(pki.p12, pki.passphrase)
  receipt = demoReceipt(await loadSampleProcedureCatalog(join(PROJECT_ROOT, 'resources')), Date.parse('2026-10-08T09:15:00+07:00'))
  const options = { signer, sealKey: sealKeyFromSigner(signer), fontsDir: join(PROJECT_ROOT, 'resources', 'fonts'), now: () => new Date() }
  a4 = await issueReceipt(receipt, { ...options, format: 'a4' })
  thermal = await issueReceipt(receipt, { ...options, format: 'thermal' })
  writeFileSync(path('receipt.pdf'), a4.pdf)
  writeFileSync(path('thermal.pdf'), thermal.pdf)
})
afterAll(() => pki.remove())

function opensslCmsVerify(pdf: Buffer, name: string): string {
  const { cms, covered } = signedParts(pdf)
  writeFileSync(path(`${name}.p7s`), cms)
  writeFileSync(path(`${name}.bin`), covered)
  return runTool('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', path(`${name}.p7s`), '-content', path(`${name}.bin`), '-CAfile', pki.rootPemPath, '-purpose', 'any', '-out', '/dev/null'])
}

describe.each(['receipt.pdf', 'thermal.pdf'])('the signed %s', (file) => {
  it('is valid, trusted and wholly signed for pdfsig', () => {
    const report = pdfsigReport(nssDir, path(file))
    expect(report).toContain('Signature Validation: Signature is Valid.')
    expect(report).toContain('Certificate Validation: Certificate is Trusted.')
    expect(report).toContain('Total document signed')
    expect(report).toContain('Signature Type: ETSI.CAdES.detached')
  })

  it('verifies with openssl cms and with our verifier', () => {
    const pdf = readFileSync(path(file))
    expect(() => opensslCmsVerify(pdf, file)).not.toThrow()
    expect(verifyPdfSignature(pdf, [new X509Certificate(pki.rootDer)])).toMatchObject({ integrity: 'intact', signature: 'valid', trust: 'trusted', coversWholeDocument: true })
  })
})

describe('a changed byte', () => {
  it('is caught by pdfsig, openssl and our verifier', () => {
    // Byte 10 sits in the binary comment after the header: the file still parses, only the digest differs.
    const tampered = withFlippedByte(a4.pdf, 10)
    writeFileSync(path('tampered.pdf'), tampered)
    const report = pdfsigReport(nssDir, path('tampered.pdf'))
    expect(report).not.toContain('Signature is Valid.')
    expect(report).toMatch(/Signature Validation: (Digest Mismatch|Signature is Invalid)/)
    expect(() => opensslCmsVerify(tampered, 'tampered')).toThrow(/exited/)
    expect(verifyPdfSignature(tampered, [new X509Certificate(pki.rootDer)])).toMatchObject({ integrity: 'modified' })
  })
})

describe('the A4 receipt', () => {
  it('keeps the Vietnamese text intact: national name, motto, title and the applicant with all diacritics', () => {
    const text = runTool('pdftotext', ['-layout', path('receipt.pdf'), '-'])
    for (const expected of [NATIONAL_NAME, MOTTO, RECEIPT_TITLE, receipt.applicant.fullName, 'Nguyễn Thị Ngọc Ánh', receipt.dossierCode, 'TRUNG TÂM PHỤC VỤ', 'NGƯỜI TIẾP NHẬN HỒ SƠ', 'Trần Văn Bình']) {
      expect(text).toContain(expected)
    }
    expect(text).toMatch(/Thời gian nhận hồ sơ: 09 giờ 15 phút, ngày 08 tháng 10 năm 2026/)
    expect(text).toMatch(/Thời gian trả kết quả giải quyết hồ sơ: 16 giờ 00 phút, ngày 08 tháng 10 năm 2026/)
    expect(text).toMatch(/Hải Châu, ngày 08 tháng 10 năm 2026/)
    expect(text).toContain('Tờ khai đăng ký khai sinh')
  })

  it('embeds Liberation Serif and no other font', () => {
    const rows = runTool('pdffonts', [path('receipt.pdf')]).split('\n').slice(2).filter(Boolean)
    expect(rows.length).toBeGreaterThanOrEqual(3)
    for (const row of rows) expect(row).toMatch(/^[A-Z]{6}\+LiberationSerif(-Bold|-Italic|-BoldItalic)?\s+CID TrueType\s+Identity-H\s+yes yes yes/)
  })

  it('is one A4 page of PDF 1.7 whose text stays inside Decree 30 margins', () => {
    const info = runTool('pdfinfo', [path('receipt.pdf')])
    expect(info).toMatch(/Pages:\s+1\n/)
    expect(info).toMatch(/Page size:\s+595\.28 x 841\.89 pts \(A4\)/)
    expect(info).toMatch(/PDF version:\s+1\.7/)

    const words = [...runTool('pdftotext', ['-bbox', path('receipt.pdf'), '-']).matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g)].map(
      ([, xMin, yMin, xMax, yMax, word]) => ({ xMin: Number(xMin), yMin: Number(yMin), xMax: Number(xMax), yMax: Number(yMax), word }),
    )
    const leftmost = Math.min(...words.map((word) => word.xMin))
    const rightmost = Math.max(...words.map((word) => word.xMax))
    const top = Math.min(...words.map((word) => word.yMin))
    const bottom = Math.max(...words.map((word) => word.yMax))
    const tolerance = 1
    expect(leftmost).toBeGreaterThanOrEqual(A4_MARGINS_MM.left * POINTS_PER_MM - tolerance)
    expect(leftmost).toBeLessThan(A4_MARGINS_MM.left * POINTS_PER_MM + 2)
    expect(rightmost).toBeLessThanOrEqual(A4_POINTS.width - A4_MARGINS_MM.right * POINTS_PER_MM + tolerance)
    expect(top).toBeGreaterThanOrEqual(A4_MARGINS_MM.top * POINTS_PER_MM - tolerance)
    expect(bottom).toBeLessThanOrEqual(A4_POINTS.height - A4_MARGINS_MM.bottom * POINTS_PER_MM)
    // Decree 30's sizes: national name 12 pt, motto 13 pt, body 13 pt; pdftotext's word box is ascent + descent, 1.107 em in Liberation Serif.
    const fontSizeOf = (wanted: string) => {
      const box = words.find((word) => word.word === wanted)!
      return (box.yMax - box.yMin) / LIBERATION_SERIF_BOX_EM
    }
    expect(fontSizeOf('CỘNG')).toBeCloseTo(12, 1)
    expect(fontSizeOf('Độc')).toBeCloseTo(13, 1)
    expect(fontSizeOf('Ông/Bà:')).toBeCloseTo(13, 1)
  })

  it('renders a page image kept as a test artifact, whose QR seal decodes and verifies', async () => {
    mkdirSync(ARTIFACTS, { recursive: true })
    runTool('pdftoppm', ['-r', '50', '-png', '-singlefile', path('receipt.pdf'), join(ARTIFACTS, 'receipt-a4-50dpi')])
    runTool('pdftoppm', ['-r', '50', '-png', '-singlefile', path('thermal.pdf'), join(ARTIFACTS, 'receipt-thermal-50dpi')])
    // Even at 50 dpi the 0.7 mm modules are 1.4 pixels wide.
    const codes = await decodeImageFile(join(ARTIFACTS, 'receipt-a4-50dpi.png'))
    const seal = codes.find((code) => code.text.startsWith('MC1:'))
    expect(seal?.text).toBe(a4.seal)
    // The QR is in the top half of page one.
    expect(Math.max(...seal!.corners.map((corner) => corner.y))).toBeLessThan((A4_POINTS.height / 72) * 50 * 0.5)
    const trust = { certificates: [pki.signerDer, pki.intermediateDer, pki.rootDer].map((der) => new X509Certificate(der)), anchors: [new X509Certificate(pki.rootDer)] }
    const verification = verifySeal(seal!.text, trust)
    expect(verification).toMatchObject({ valid: true, fields: { kind: 'receipt', code: receipt.dossierCode, serviceCode: '1.001193', returnDate: '2026-10-08' } })
  })
})

describe('the 80 mm thermal receipt', () => {
  it('is one page 80 mm wide with the same data, condensed', () => {
    expect(runTool('pdfinfo', [path('thermal.pdf')])).toMatch(/Page size:\s+226\.77\d* x [\d.]+ pts/)
    const text = runTool('pdftotext', [path('thermal.pdf'), '-'])
    for (const expected of [NATIONAL_NAME, MOTTO, receipt.applicant.fullName, receipt.dossierCode, 'Hẹn trả: 16:00 08/10/2026', 'Người tiếp nhận: Trần Văn Bình']) expect(text).toContain(expected)
  })

  it('carries a QR seal that decodes from a 203 dpi print image', async () => {
    runTool('pdftoppm', ['-r', '203', '-png', '-singlefile', path('thermal.pdf'), path('thermal-203dpi')])
    const codes = await decodeImageFile(path('thermal-203dpi.png'))
    expect(codes.map((code) => code.text)).toContain(thermal.seal)
  })
})
