import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCaptureDesk } from '../../../src/main/services/capture/capture-desk'
import { closePageProcessor } from '../../../src/main/services/capture/page-processor'
import { DataKey, FILE_ONLY_WRAPPER } from '../../../src/main/services/privacy/data-key'
import { keyFileSigner } from '../../../src/main/services/signing/signer'
import type { DigitizeProgress } from '../../../src/shared/contract/capture-schemas'
import { CapturedPageOutputSchema } from '../../../src/shared/contract/capture-schemas'
import { PROJECT_ROOT } from '../../helpers/browser-mode-host'
import { makePagePhoto } from '../../helpers/page-photos'
import { createTestPki, nssDatabaseTrusting, pdfsigReport, type TestPki } from '../../helpers/signing-pki'

const CODE = '48.20242-261123-0007'
const dir = mkdtempSync(join(tmpdir(), 'motcua-capture-desk-'))
let pki: TestPki
let photo: string
const progress: DigitizeProgress[] = []
const dataKey = new DataKey(dir, FILE_ONLY_WRAPPER)
let signed = true
const desk = () =>
  createCaptureDesk({
    dataKey,
    resourcesDir: join(PROJECT_ROOT, 'resources'),
    signer: () => (signed ? keyFileSigner(pki.p12, pki.passphrase) : undefined),
    counterName: async () => 'Quầy 3',
    location: async () => 'Bộ phận Một cửa Phường Hải Châu',
    onProgress: (event) => progress.push(event),
  })

beforeAll(() => {
  pki = createTestPki('ecP256')
  photo = makePagePhoto({ dir, photoSize: { width: 1600, height: 1200 }, corners: [{ x: 480, y: 100 }, { x: 1180, y: 130 }, { x: 1240, y: 1100 }, { x: 420, y: 1070 }] }).photoPath
})
afterAll(async () => {
  await closePageProcessor()
  pki.remove()
})

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

describe('the capture operations in main', () => {
  it('processes a photo into a sealed page whose plaintext matches its content address; the thumbnail comes back both ways', async () => {
    const output = await desk().processCapturedPage({ imageBase64: readFileSync(photo).toString('base64'), mode: 'color', dpi: 200, source: 'photo' })
    expect(CapturedPageOutputSchema.parse(output)).toEqual(output)
    const bytes = await dataKey.openBytes(output.sealed)
    expect(sha256(bytes)).toBe(output.page.sha256)
    expect(bytes.length).toBe(output.page.bytes)
    expect([...bytes.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff])
    expect(output.page).toMatchObject({ encoding: 'jpeg', dpi: 200, blank: false })
    expect((await dataKey.openBytes(output.sealedThumbnail)).toString('base64')).toBe(output.thumbnailBase64)
  })

  it('turns a colour page and a black-and-white (G4) page a quarter, re-encoded, sides swapped, sealed again', async () => {
    for (const mode of ['color', 'bw'] as const) {
      const page = await desk().processCapturedPage({ imageBase64: readFileSync(photo).toString('base64'), mode, dpi: 200, source: 'photo' })
      const turned = await desk().rotateCapturedPage({ sealed: page.sealed, page: page.page, quarterTurns: 1 })
      expect(turned.page).toMatchObject({ encoding: page.page.encoding, widthPx: page.page.heightPx, heightPx: page.page.widthPx, rotation: (page.page.rotation + 90) % 360 })
      const bytes = await dataKey.openBytes(turned.sealed)
      expect(sha256(bytes)).toBe(turned.page.sha256)
      expect(turned.page.sha256).not.toBe(page.page.sha256)
      // Four quarter turns bring the pixels back: same size and, for G4 (lossless), the same stream.
      let around = turned
      for (let turn = 0; turn < 3; turn++) around = await desk().rotateCapturedPage({ sealed: around.sealed, page: around.page, quarterTurns: 1 })
      expect([around.page.widthPx, around.page.heightPx]).toEqual([page.page.widthPx, page.page.heightPx])
      if (mode === 'bw') expect(around.page.sha256).toBe(page.page.sha256)
    }
  })

  it('builds the signed PDF from sealed pages, seals it, and reports progress; third-party tools accept it', async () => {
    progress.length = 0
    const page = await desk().processCapturedPage({ imageBase64: readFileSync(photo).toString('base64'), mode: 'gray', dpi: 200, source: 'photo' })
    const bw = await desk().processCapturedPage({ imageBase64: readFileSync(photo).toString('base64'), mode: 'bw', dpi: 200, source: 'photo' })
    const built = await desk().buildDossierPdf({
      dossierCode: CODE,
      sequence: 2,
      pages: [
        { sealed: page.sealed, page: page.page, label: 'Tờ khai đăng ký kết hôn' },
        { sealed: bw.sealed, page: bw.page },
      ],
      ocr: false,
    })
    expect(built).toMatchObject({ fileName: `${CODE}.2.pdf`, pages: 2, textChars: 0 })
    const pdf = await dataKey.openBytes(built.sealedPdf)
    expect(sha256(pdf)).toBe(built.sha256)
    expect(pdf.length).toBe(built.bytes)
    const pdfPath = join(dir, built.fileName)
    writeFileSync(pdfPath, pdf)
    const report = pdfsigReport(nssDatabaseTrusting(mkdtempSync(join(tmpdir(), 'nss-')), pki.rootPemPath), pdfPath)
    expect(report).toContain('Signature is Valid.')
    expect(report).toContain('Total document signed')
    // No clerk signed in: the counter is the digitizer.
    expect(execFileSync('pdftotext', [pdfPath, '-'], { encoding: 'utf8' })).toContain('Người số hoá: Quầy 3')
    expect(progress.map((event) => event.stage)).toEqual(['opening', 'opening', 'pages', 'sealing'])
    expect(progress.at(-1)).toEqual({ done: 2, total: 2, stage: 'sealing' })
  })

  it('names the signed-in clerk as the digitizer when the screen has one', async () => {
    const page = await desk().processCapturedPage({ imageBase64: readFileSync(photo).toString('base64'), mode: 'gray', dpi: 200, source: 'photo' })
    const built = await desk().buildDossierPdf({ dossierCode: CODE, sequence: 3, pages: [{ sealed: page.sealed, page: page.page }], ocr: false, digitizerName: 'Trần Thị Lan' })
    const pdfPath = join(dir, built.fileName)
    writeFileSync(pdfPath, await dataKey.openBytes(built.sealedPdf))
    expect(execFileSync('pdftotext', [pdfPath, '-'], { encoding: 'utf8' })).toContain('Người số hoá: Trần Thị Lan')
  })

  describe('refuses, with a code the screen can explain', () => {
    it('a file that is not an image', async () => {
      await expect(desk().processCapturedPage({ imageBase64: Buffer.from('%PDF-1.7 not a picture').toString('base64'), mode: 'color', dpi: 200, source: 'scan' })).rejects.toMatchObject({ code: 'invalidInput', reason: 'unreadableImage' })
    })

    it('a page whose sealed bytes are not what its description says', async () => {
      const page = await desk().processCapturedPage({ imageBase64: readFileSync(photo).toString('base64'), mode: 'gray', dpi: 200, source: 'photo' })
      const other = { ...page.page, sha256: 'f'.repeat(64) }
      await expect(desk().rotateCapturedPage({ sealed: page.sealed, page: other, quarterTurns: 1 })).rejects.toMatchObject({ code: 'invalidInput' })
      await expect(desk().buildDossierPdf({ dossierCode: CODE, sequence: 1, pages: [{ sealed: page.sealed, page: other }], ocr: false })).rejects.toMatchObject({ code: 'invalidInput' })
    })

    it('a page sealed by another device', async () => {
      const page = await desk().processCapturedPage({ imageBase64: readFileSync(photo).toString('base64'), mode: 'gray', dpi: 200, source: 'photo' })
      await expect(desk().openSealedBlob({ sealed: { ...page.sealed, kid: 'another-device' } })).rejects.toMatchObject({ code: 'forbidden' })
    })

    it('a PDF without a signing key (and builds nothing)', async () => {
      signed = false
      progress.length = 0
      try {
        const page = await desk().processCapturedPage({ imageBase64: readFileSync(photo).toString('base64'), mode: 'gray', dpi: 200, source: 'photo' })
        await expect(desk().buildDossierPdf({ dossierCode: CODE, sequence: 1, pages: [{ sealed: page.sealed, page: page.page }], ocr: false })).rejects.toMatchObject({ code: 'notConfigured' })
        expect(progress).toEqual([])
      } finally {
        signed = true
      }
    })
  })
})
