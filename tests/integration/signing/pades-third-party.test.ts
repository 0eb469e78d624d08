import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PadesError, signPdf, type PdfSignatureOptions } from '../../../src/main/services/signing/pades'
import { keyFileSigner } from '../../../src/main/services/signing/signer'
import { createTestPki, nssDatabaseTrusting, onePagePdf, pdfsigReport, runTool, signedParts, withFlippedByte, type TestPki } from '../../helpers/signing-pki'

/** End to end: PDFs signed here must satisfy poppler's pdfsig (NSS) and openssl cms, not just our own verifier. */

const REASON = 'Tiếp nhận hồ sơ và hẹn trả kết quả'
const LOCATION = 'Bộ phận Một cửa, phường Hải Châu, Đà Nẵng'

interface Fixture {
  readonly pki: TestPki
  readonly nssDir: string
  readonly options: PdfSignatureOptions
}

const fixtures = new Map<'rsa2048' | 'ecP256', Fixture>()

beforeAll(() => {
  for (const kind of ['rsa2048', 'ecP256'] as const) {
    const pki = createTestPki(kind)
    const signingTime = new Date()
    fixtures.set(kind, {
      pki,
      nssDir: nssDatabaseTrusting(pki.dir, pki.rootPemPath),
      options: { signer: keyFileSigner(pki.p12, pki.passphrase), reason: REASON, location: LOCATION, now: () => signingTime },
    })
  }
})
afterAll(() => fixtures.forEach(({ pki }) => pki.remove()))

const fixture = (kind: 'rsa2048' | 'ecP256'): Fixture => fixtures.get(kind)!

function writeFile(fixtureDir: string, name: string, bytes: Buffer): string {
  const path = join(fixtureDir, name)
  writeFileSync(path, bytes)
  return path
}

/** Runs openssl cms -verify on the detached CMS and the covered bytes; throws with openssl's output when it fails. */
function opensslVerify({ pki }: Fixture, signedPdf: Buffer, name: string): string {
  const { cms, covered } = signedParts(signedPdf)
  const cmsPath = writeFile(pki.dir, `${name}.p7s`, cms)
  const contentPath = writeFile(pki.dir, `${name}.bin`, covered)
  return runTool('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', cmsPath, '-content', contentPath, '-CAfile', pki.rootPemPath, '-purpose', 'any', '-out', '/dev/null'])
}

describe.each(['rsa2048', 'ecP256'] as const)('a %s PAdES B-B signature', (kind) => {
  it('is valid, trusted and covers the whole document for pdfsig', async () => {
    const { pki, nssDir, options } = fixture(kind)
    const report = pdfsigReport(nssDir, writeFile(pki.dir, 'signed.pdf', await signPdf(await onePagePdf(), options)))
    expect(report).toContain('Signature Type: ETSI.CAdES.detached')
    expect(report).toContain('Signing Hash Algorithm: SHA-256')
    expect(report).toContain('Signer Certificate Common Name: Nguyễn Văn An')
    expect(report).toContain('Total document signed')
    expect(report).toContain('Signature Validation: Signature is Valid.')
    expect(report).toContain('Certificate Validation: Certificate is Trusted.')
  })

  it('verifies with openssl cms against the covered bytes', async () => {
    const signed = await signPdf(await onePagePdf(), fixture(kind).options)
    expect(() => opensslVerify(fixture(kind), signed, 'good')).not.toThrow()
  })

  it('is caught by pdfsig and openssl when one covered byte changes', async () => {
    const { pki, nssDir, options } = fixture(kind)
    // Byte 10 sits in the binary comment after the header: the file still parses, only the digest differs.
    const signed = withFlippedByte(await signPdf(await onePagePdf(), options), 10)
    const report = pdfsigReport(nssDir, writeFile(pki.dir, 'tampered.pdf', signed))
    expect(report).not.toContain('Signature is Valid.')
    expect(report).toMatch(/Signature Validation: (Digest Mismatch|Signature is Invalid)/)
    expect(() => opensslVerify(fixture(kind), signed, 'tampered')).toThrow(/exited/)
  })
})

describe('the incremental update', () => {
  it('keeps the original bytes as a prefix and writes Vietnamese /Reason and /Location as UTF-16BE with BOM', async () => {
    const original = await onePagePdf()
    const signed = await signPdf(original, fixture('rsa2048').options)
    expect(signed.subarray(0, original.length)).toEqual(original)
    const text = signed.toString('latin1')
    const textString = (key: string) => Buffer.from(new RegExp(`/${key} <([0-9A-F]+)>`).exec(text)![1]!, 'hex')
    for (const [key, value] of [['Reason', REASON], ['Location', LOCATION]] as const) {
      const bytes = textString(key)
      expect(bytes.subarray(0, 2)).toEqual(Buffer.from([0xfe, 0xff]))
      expect(Buffer.from(bytes.subarray(2)).swap16().toString('utf16le')).toBe(value)
    }
    expect(text).toMatch(/\/Filter \/Adobe\.PPKLite/)
    expect(text).not.toMatch(/\/Name /)
  })

  it('signs a classic xref-table PDF too', async () => {
    const { pki, nssDir, options } = fixture('ecP256')
    const report = pdfsigReport(nssDir, writeFile(pki.dir, 'classic.pdf', await signPdf(await onePagePdf({ objectStreams: false }), { ...options, name: 'Nguyễn Văn An' })))
    expect(report).toContain('Signature is Valid.')
    expect(report).toContain('Total document signed')
  })

  it('leaves an earlier signature valid when the document is signed again', async () => {
    const { pki, nssDir, options } = fixture('rsa2048')
    const twice = await signPdf(await signPdf(await onePagePdf(), options), options)
    const report = pdfsigReport(nssDir, writeFile(pki.dir, 'twice.pdf', twice))
    expect(report).toContain('Signature #2:')
    expect(report.match(/Signature is Valid\./g)).toHaveLength(2)
    expect(report.match(/Total document signed/g)).toHaveLength(1)
    expect(() => runTool('pdfinfo', [join(pki.dir, 'twice.pdf')])).not.toThrow()
  })
})

describe('a visible signature', () => {
  it('draws its text in a rectangle on page 1 and stays valid', async () => {
    const { pki, nssDir, options } = fixture('ecP256')
    const visible = { x: 40, y: 40, width: 220, height: 36, text: 'Digitised by: Nguyen Van An\n2025-06-01 14:30 (UTC+7)' }
    const path = writeFile(pki.dir, 'visible.pdf', await signPdf(await onePagePdf(), { ...options, visible }))
    expect(pdfsigReport(nssDir, path)).toContain('Signature is Valid.')
    const pageText = runTool('pdftotext', [path, '-'])
    expect(pageText).toContain('Digitised by: Nguyen Van An')
    expect(pageText).toContain('2025-06-01 14:30 (UTC+7)')
  })

  it('refuses text the built-in Helvetica cannot encode', async () => {
    const visible = { x: 40, y: 40, width: 220, height: 36, text: 'Người số hoá: Nguyễn Văn An' }
    await expect(signPdf(await onePagePdf(), { ...fixture('ecP256').options, visible })).rejects.toMatchObject({ code: 'textNotEncodable' })
  })
})

describe('inputs signPdf refuses', () => {
  it('a file that is not a PDF', async () => {
    await expect(signPdf(Buffer.from('hello'), fixture('rsa2048').options)).rejects.toThrow(PadesError)
    await expect(signPdf(Buffer.from('hello'), fixture('rsa2048').options)).rejects.toMatchObject({ code: 'invalidPdf' })
  })

  it('an encrypted PDF', async () => {
    const { PDFDocument } = await import('pdf-lib')
    const doc = await PDFDocument.create()
    doc.addPage()
    doc.context.trailerInfo.Encrypt = doc.context.register(doc.context.obj({ Filter: 'Standard' }))
    const encrypted = Buffer.from(await doc.save())
    await expect(signPdf(encrypted, fixture('rsa2048').options)).rejects.toMatchObject({ code: 'encryptedPdf' })
  })
})
