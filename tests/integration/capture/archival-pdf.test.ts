import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildArchivalPdf, digitizerStamp, type ArchivalPage, type DigitizedDocument } from '../../../src/main/services/capture/digitize'
import { assembleArchivalPdf } from '../../../src/main/services/capture/pdf/archival-pdf'
import { ArchivalPdfError } from '../../../src/main/services/capture/pdf/errors'
import { keyFileSigner } from '../../../src/main/services/signing/signer'
import { PROJECT_ROOT } from '../../helpers/browser-mode-host'
import { characterErrorRate, FORM_LINES, g4Page, jpegPage, renderTextPage } from '../../helpers/capture-pages'
import { createTestPki, nssDatabaseTrusting, pdfsigReport, runTool, SIGNER_SUBJECT, type TestPki } from '../../helpers/signing-pki'

/**
 * The archival PDF of three scanned pages (a colour photo's JPEG at 300 dpi, a bilevel page as CCITT G4 and a grey
 * JPEG at 200 dpi), OCR'd, stamped and signed, judged by third-party tools: qpdf, poppler and NSS.
 */

const RESOURCES = join(PROJECT_ROOT, 'resources')
const DOSSIER_CODE = '000.00.12.H17-261008-0001'
const DIGITIZER = 'Trần Văn Bình'
const LABEL = 'Tờ khai đăng ký khai sinh'
const NOW = new Date('2026-10-08T02:15:30Z') // 09:15:30 in Vietnam

let pki: TestPki
let pages: ArchivalPage[]
let signed: DigitizedDocument
let signedPath: string
let progress: Array<[number, number]>

interface PdftotextWord {
  readonly xMin: number
  readonly yMin: number
  readonly xMax: number
  readonly yMax: number
  readonly text: string
}

function wordsOf(pdfPath: string, page: number): PdftotextWord[] {
  const html = runTool('pdftotext', ['-bbox', '-f', String(page), '-l', String(page), pdfPath, '-'])
  return [...html.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g)].map(([, xMin, yMin, xMax, yMax, text]) => ({
    xMin: Number(xMin),
    yMin: Number(yMin),
    xMax: Number(xMax),
    yMax: Number(yMax),
    text: text!,
  }))
}

/** qpdf's JSON of every object, stream data decoded where qpdf can. */
function qpdfObjects(pdfPath: string): Record<string, { value?: Record<string, unknown>; stream?: { dict: Record<string, unknown> } }> {
  const json = JSON.parse(runTool('qpdf', ['--json=2', '--json-key=qpdf', pdfPath])) as { qpdf: [unknown, Record<string, never>] }
  return json.qpdf[1]
}

beforeAll(async () => {
  pki = createTestPki('ecP256')
  const grey = await renderTextPage(FORM_LINES, { dpi: 200 })
  const colour = await renderTextPage(FORM_LINES.slice(0, 4), { dpi: 300, color: true })
  pages = [
    { page: await jpegPage(colour, 300), label: LABEL },
    { page: await g4Page(grey, 200), label: LABEL },
    { page: await jpegPage(grey, 200) },
  ]
  progress = []
  signed = await buildArchivalPdf(pages, {
    resourcesDir: RESOURCES,
    dossierCode: DOSSIER_CODE,
    sequence: 1,
    ocr: true,
    signer: keyFileSigner(pki.p12, pki.passphrase),
    digitizerName: DIGITIZER,
    location: 'Trung tâm Phục vụ hành chính công phường Hải Châu',
    now: () => NOW,
    onProgress: (done, total) => progress.push([done, total]),
  })
  signedPath = join(pki.dir, signed.fileName)
  writeFileSync(signedPath, signed.pdf)
}, 120_000)
afterAll(() => pki.remove())

describe('the signed archival PDF', () => {
  it('is named from the dossier code and the sequence (Circular 05/2025/TT-BNV)', () => {
    expect(signed.fileName).toBe(`${DOSSIER_CODE}.1.pdf`)
  })

  it('passes qpdf --check: structure and every stream decode', () => {
    const report = runTool('qpdf', ['--check', signedPath])
    expect(report).toContain('No syntax or stream encoding errors found')
    expect(report).toContain('File is not encrypted')
  })

  it('has one page per physical page, in order, each at its physical size (A4 at 200 and 300 dpi)', () => {
    const info = runTool('pdfinfo', ['-f', '1', '-l', '3', signedPath])
    expect(info).toMatch(/Pages:\s+3\n/)
    // 2481 × 3508 px at 300 dpi and 1654 × 2339 px at 200 dpi: A4 to the nearest pixel.
    expect(info).toMatch(/Page\s+1 size:\s+595\.44 x 841\.92 pts \(A4\)/)
    expect(info).toMatch(/Page\s+2 size:\s+595\.44 x 842\.04 pts \(A4\)/)
    expect(info).toMatch(/Page\s+3 size:\s+595\.44 x 842\.04 pts \(A4\)/)
    expect(info).toMatch(/Title:\s+Bản số hoá hồ sơ 000\.00\.12\.H17-261008-0001\n/)
    expect(info).toMatch(/Author:\s+Trần Văn Bình\n/)
    expect(info).toMatch(/Encrypted:\s+no/)
  })

  it('stores the JPEGs as they came (DCT, same bytes, the dpi as resolution) and the bilevel page as CCITT', () => {
    const rows = runTool('pdfimages', ['-list', signedPath]).split('\n').slice(2).filter(Boolean).map((row) => row.trim().split(/\s+/))
    // page num type width height color comp bpc enc interp object generation x-ppi y-ppi size ratio
    expect(rows.map((row) => [row[0], row[3], row[4], row[5], row[7], row[8], row[9], row[12], row[13]])).toEqual([
      ['1', '2481', '3508', 'rgb', '8', 'jpeg', 'no', '300', '300'],
      ['2', '1654', '2339', 'gray', '1', 'ccitt', 'no', '200', '200'],
      ['3', '1654', '2339', 'gray', '8', 'jpeg', 'no', '200', '200'],
    ])
    runTool('pdfimages', ['-j', '-f', '1', '-l', '1', signedPath, join(pki.dir, 'extracted')])
    expect(readFileSync(join(pki.dir, 'extracted-000.jpg')).equals(Buffer.from(pages[0]!.page.bytes))).toBe(true)
  })

  it('shows the bilevel page as the picture it was made from (the CCITT parameters are right)', async () => {
    runTool('pdftoppm', ['-r', '50', '-gray', '-png', '-f', '2', '-l', '2', '-singlefile', signedPath, join(pki.dir, 'page2')])
    const rendered = await sharp(join(pki.dir, 'page2.png')).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true })
    const original = await sharp(pages[1]!.page.ocrImage).resize(rendered.info.width, rendered.info.height, { fit: 'fill' }).toColourspace('b-w').raw().toBuffer()
    let difference = 0
    for (let index = 0; index < original.length; index++) difference += Math.abs(original[index]! - rendered.data[index]!)
    // Mean absolute difference in grey levels: an inverted or garbled page would be near 255 or 100+.
    expect(difference / original.length).toBeLessThan(12)
  })

  it('embeds one subset of Liberation Serif with a Unicode map', () => {
    const rows = runTool('pdffonts', [signedPath]).split('\n').slice(2).filter(Boolean)
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatch(/^[A-Z]{6}\+LiberationSerif\s+CID TrueType\s+Identity-H\s+yes yes yes/)
  })

  it('has a text layer with the Vietnamese words of every page (character error rate ≤ 2 %)', () => {
    const text = (page: number) => runTool('pdftotext', ['-f', String(page), '-l', String(page), signedPath, '-'])
    expect(characterErrorRate(FORM_LINES.slice(0, 4).join('\n'), text(1).replace(/^Người số hoá:.*\n/, ''))).toBeLessThanOrEqual(0.02)
    for (const page of [2, 3]) expect(characterErrorRate(FORM_LINES.join('\n'), text(page))).toBeLessThanOrEqual(0.02)
    expect(text(3)).toContain('Nguyễn Thị Ngọc Ánh')
    expect(text(3)).toContain('phường Hải Châu, thành phố Đà Nẵng')
    expect(signed.text.split('\f')).toHaveLength(3)
    expect(characterErrorRate(FORM_LINES.join('\n'), signed.text.split('\f')[2]!)).toBeLessThanOrEqual(0.02)
  })

  it('puts each invisible word where the picture shows it, spanning its box', async () => {
    // Typeset the same lines at the same places and compare pdftotext's boxes of both files.
    const { PDFDocument } = await import('pdf-lib')
    const fontkit = (await import('@pdf-lib/fontkit')).default
    const doc = await PDFDocument.create()
    doc.registerFontkit(fontkit)
    const font = await doc.embedFont(readFileSync(join(RESOURCES, 'fonts/LiberationSerif-Regular.ttf')), { subset: true })
    const page = doc.addPage([595.28, 841.89])
    const mm = 72 / 25.4
    FORM_LINES.forEach((line, index) => page.drawText(line, { x: 30 * mm, y: 841.89 - 20 * mm - 13 - index * 22, size: 13, font }))
    const sourcePdfPath = join(pki.dir, 'source.pdf')
    writeFileSync(sourcePdfPath, await doc.save())

    const truth = wordsOf(sourcePdfPath, 1)
    const layer = wordsOf(signedPath, 3)
    let compared = 0
    for (const word of truth) {
      const match = layer.find((candidate) => candidate.text === word.text && Math.abs(candidate.yMin - word.yMin) < 6 && Math.abs(candidate.xMin - word.xMin) < 6)
      if (match === undefined) continue
      compared++
      // Within about 1 pt of where the text really is: the picture's pixels (0.36 pt at 200 dpi) and the font's box.
      expect(Math.abs(match.xMin - word.xMin)).toBeLessThan(1.5)
      expect(Math.abs(match.xMax - word.xMax)).toBeLessThan(1.5)
      expect(Math.abs(match.yMax - word.yMax)).toBeLessThan(3)
    }
    expect(compared).toBeGreaterThan(truth.length * 0.9)
  })

  it('shows the digitiser and the time in Vietnamese at the top left of page 1, under the signature widget', async () => {
    const expected = digitizerStamp(DIGITIZER, NOW)
    expect(expected).toBe('Người số hoá: Trần Văn Bình — Thời gian: 08/10/2026 09:15')
    const firstLine = runTool('pdftotext', ['-f', '1', '-l', '1', signedPath, '-']).split('\n')[0]
    expect(firstLine).toBe(expected)

    const stampWords = wordsOf(signedPath, 1).filter((word) => word.yMin < 40)
    expect(stampWords.map((word) => word.text).join(' ')).toBe(expected)
    const { PDFDocument, PDFArray, PDFDict, PDFName } = await import('pdf-lib')
    const doc = await PDFDocument.load(signed.pdf)
    const annots = doc.getPage(0).node.lookup(PDFName.of('Annots'), PDFArray)
    const widget = annots.lookup(0, PDFDict)
    const [x0, y0, x1, y1] = widget.lookup(PDFName.of('Rect'), PDFArray).asArray().map((value) => Number(value.toString())) as [number, number, number, number]
    const pageHeight = doc.getPage(0).getHeight()
    expect(x0).toBeLessThan(30)
    expect(pageHeight - y1).toBeLessThan(20)
    for (const word of stampWords) {
      expect(word.xMin).toBeGreaterThanOrEqual(x0)
      expect(word.xMax).toBeLessThanOrEqual(x1)
      expect(pageHeight - word.yMax).toBeGreaterThanOrEqual(y0 - 0.5)
      expect(pageHeight - word.yMin).toBeLessThanOrEqual(y1 + 0.5)
    }
  })

  it("carries the digitiser's valid PAdES signature over the whole file", () => {
    const report = pdfsigReport(nssDatabaseTrusting(pki.dir, pki.rootPemPath), signedPath)
    expect(report).toContain(`Signer Certificate Common Name: ${SIGNER_SUBJECT.commonName}`)
    expect(report).toContain('Signature Validation: Signature is Valid.')
    expect(report).toContain('Certificate Validation: Certificate is Trusted.')
    expect(report).toContain('Total document signed')
    expect(report).toContain('Signing Time: Oct 08 2026 02:15:30') // pdfsig prints UTC
  })

  it('declares PDF/A-2b in XMP that agrees with the Info dictionary', () => {
    const objects = qpdfObjects(signedPath)
    const trailer = objects.trailer!.value as Record<string, string>
    const catalog = objects[`obj:${trailer['/Root']!}`]!.value as Record<string, string>
    const metadataRef = catalog['/Metadata']!
    const metadata = objects[`obj:${metadataRef}`]!.stream!
    expect(metadata.dict['/Filter']).toBeUndefined()
    const xmp = runTool('qpdf', ['--show-object=' + metadataRef.split(' ')[0], '--raw-stream-data', signedPath])
    expect(xmp).toContain('<pdfaid:part>2</pdfaid:part>')
    expect(xmp).toContain('<pdfaid:conformance>B</pdfaid:conformance>')
    expect(xmp).toContain('<rdf:li xml:lang="x-default">Bản số hoá hồ sơ 000.00.12.H17-261008-0001</rdf:li>')
    expect(xmp).toContain('<xmp:CreateDate>2026-10-08T09:15:30+07:00</xmp:CreateDate>')
    expect(xmp).toContain('<xmp:ModifyDate>2026-10-08T09:15:30+07:00</xmp:ModifyDate>')
    expect(xmp).toContain('<pdf:Producer>Một Cửa Kiosk (pdf-lib)</pdf:Producer>')
    expect(xmp).toContain('<xmp:CreatorTool>Một Cửa Kiosk</xmp:CreatorTool>')
    expect(xmp).toContain('<rdf:li>Trần Văn Bình</rdf:li>')
    const info = objects[`obj:${trailer['/Info']!}`]!.value as Record<string, string>
    expect(info['/CreationDate']).toBe("u:D:20261008091530+07'00'")
    expect(info['/ModDate']).toBe("u:D:20261008091530+07'00'")
    expect(info['/Title']).toBe('u:Bản số hoá hồ sơ 000.00.12.H17-261008-0001')
    expect(info['/Producer']).toBe('u:Một Cửa Kiosk (pdf-lib)')
    expect(info['/Creator']).toBe('u:Một Cửa Kiosk')
  })

  it('has the sRGB output intent with the shipped ICC profile, a file identifier, no encryption and no transparency', () => {
    const objects = qpdfObjects(signedPath)
    const trailer = objects.trailer!.value as Record<string, unknown>
    expect(trailer['/ID']).toHaveLength(2)
    expect(trailer['/Encrypt']).toBeUndefined()
    const catalog = objects[`obj:${trailer['/Root'] as string}`]!.value as Record<string, unknown>
    const [intent] = catalog['/OutputIntents'] as Array<Record<string, string>>
    expect(intent!['/S']).toBe('/GTS_PDFA1')
    expect(intent!['/OutputConditionIdentifier']).toBe('u:sRGB IEC61966-2.1')
    const profileNumber = intent!['/DestOutputProfile']!.split(' ')[0]!
    const profile = execFileSync('qpdf', [`--show-object=${profileNumber}`, '--filtered-stream-data', signedPath])
    expect(profile.equals(readFileSync(join(RESOURCES, 'icc/sRGB.icc')))).toBe(true)
    for (const [key, object] of Object.entries(objects)) {
      const dict = object.value ?? object.stream?.dict ?? {}
      for (const forbidden of ['/SMask', '/Group', '/Encrypt', '/JavaScript', '/AA', '/OpenAction']) expect(dict, `${key} has ${forbidden}`).not.toHaveProperty(forbidden)
      for (const opacity of ['/CA', '/ca']) if (opacity in dict) expect(dict[opacity], `${key} ${opacity}`).toBe(1)
    }
  })

  it('labels the pages with the required paper they belong to', () => {
    const { pagelabels } = JSON.parse(runTool('qpdf', ['--json=2', '--json-key=pagelabels', signedPath])) as { pagelabels: Array<{ index: number; label: Record<string, unknown> }> }
    expect(pagelabels).toEqual([
      { index: 0, label: { '/P': `u:${LABEL} `, '/S': '/D', '/St': 1 } },
      { index: 2, label: { '/S': '/D', '/St': 3 } },
    ])
  })

  it('reports progress page by page', () => {
    expect(progress).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ])
  })
})

describe('an unsigned PDF without OCR', () => {
  it('has the pictures only: no text layer, no stamp, no form, and a file name from the time', async () => {
    const unsigned = await buildArchivalPdf([pages[2]!], { resourcesDir: RESOURCES, ocr: false, now: () => NOW })
    expect(unsigned.fileName).toBe('ban-so-hoa-20261008-0915.1.pdf')
    expect(unsigned.text).toBe('')
    const path = join(pki.dir, unsigned.fileName)
    writeFileSync(path, unsigned.pdf)
    expect(runTool('qpdf', ['--check', path])).toContain('No syntax or stream encoding errors found')
    expect(runTool('pdftotext', [path, '-']).trim()).toBe('')
    expect(runTool('pdfinfo', [path])).toMatch(/Form:\s+none/)
  })
})

describe('characters the font lacks', () => {
  it('are left out of the text layer and the stamp, since PDF/A forbids showing .notdef', async () => {
    const words = [{ text: '漢字Hải', confidence: 90, box: { x0: 236, y0: 160, x1: 340, y1: 196 }, baseline: 190, lineHeight: 36 }]
    const { pdf } = await assembleArchivalPdf([{ ...pages[2]!.page, ocr: { widthPx: 1654, heightPx: 2339, words } }], {
      title: 'Kiểm thử',
      createdAt: NOW,
      creatorTool: 'test',
      producer: 'test',
      font: readFileSync(join(RESOURCES, 'fonts/LiberationSerif-Regular.ttf')),
      srgbProfile: readFileSync(join(RESOURCES, 'icc/sRGB.icc')),
      stamp: 'Người số hoá: 📄 Lê An',
    })
    const path = join(pki.dir, 'notdef.pdf')
    writeFileSync(path, pdf)
    const text = runTool('pdftotext', [path, '-'])
    expect(text).toContain('Người số hoá: Lê An')
    expect(text).toContain('Hải')
    expect(text).not.toMatch(/[漢字📄]/u)
  })
})

describe('bad input', () => {
  const base = { resourcesDir: RESOURCES, ocr: false, now: () => NOW }
  const rejects = async (promise: Promise<unknown>, code: string, message: RegExp) => {
    const error = await promise.then(
      () => undefined,
      (caught: unknown) => caught,
    )
    expect(error).toBeInstanceOf(ArchivalPdfError)
    expect(error).toMatchObject({ code })
    expect((error as Error).message).toMatch(message)
  }

  it('refuses an empty page list', () => rejects(buildArchivalPdf([], base), 'noPages', /at least one page/))

  it('refuses a page whose bytes are not a JPEG', () =>
    rejects(buildArchivalPdf([{ page: { ...pages[2]!.page, bytes: Buffer.from('not a jpeg at all') } }], base), 'invalidPageImage', /Page 1: not a readable JPEG/))

  it('refuses a JPEG whose size is not the page size it claims', () =>
    rejects(buildArchivalPdf([pages[2]!, { page: { ...pages[2]!.page, widthPx: 1000 } }], base), 'invalidPageImage', /Page 2: the JPEG is 1654×2339 px/))

  it('refuses a scan under 200 dpi (Decree 30/2020)', () => rejects(buildArchivalPdf([{ page: { ...pages[2]!.page, dpi: 150 } }], base), 'resolutionTooLow', /150 dpi/))

  it('refuses a CMYK JPEG, which the sRGB output intent cannot describe', async () => {
    const cmyk = await sharp({ create: { width: 400, height: 600, channels: 3, background: '#ffffff' } }).toColourspace('cmyk').jpeg().toBuffer()
    await rejects(buildArchivalPdf([{ page: { ...pages[2]!.page, bytes: cmyk, widthPx: 400, heightPx: 600 } }], base), 'unsupportedColorSpace', /CMYK/)
  })

  it('refuses a malformed dossier code and an out-of-range sequence', async () => {
    await rejects(buildArchivalPdf([pages[2]!], { ...base, dossierCode: '../../etc/passwd' }), 'invalidDossierCode', /Not a dossier code/)
    await rejects(buildArchivalPdf([pages[2]!], { ...base, dossierCode: DOSSIER_CODE, sequence: 0 }), 'invalidSequence', /from 1 to 999/)
  })
})
