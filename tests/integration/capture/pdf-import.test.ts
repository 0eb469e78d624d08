import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PDFDocument, rgb } from 'pdf-lib'
import sharp from 'sharp'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createServices, type Services } from '../../../src/main/services'
import { events, type EventName } from '../../../src/shared/contract/contract'
import { createDocumentScannerDesk } from '../../../src/main/services/capture/scanners/document-scanner-desk'
import { dispatch, type OperationHandlers, type Result } from '../../../src/shared/contract/dispatch'
import { SCAN_PAGE_WINDOW, type DocumentScanFinished, type DocumentScanPage } from '../../../src/shared/contract/document-scanner-schemas'
import { PROJECT_ROOT } from '../../helpers/browser-mode-host'
import { runTool } from '../../helpers/signing-pki'

/**
 * A PDF imported at the counter, through the services as every adapter calls them: refused at once with its reason
 * when it cannot be taken, otherwise a scan job whose pages come as documentScanPage events, checked against the
 * contract, then one documentScanFinished.
 */

const dir = mkdtempSync(join(tmpdir(), 'motcua-pdf-import-'))
const A4: [number, number] = [595.28, 841.89]
let services: Services
const seen: { event: EventName; payload: unknown }[] = []
/** Whether the test's screen acknowledges each page as it comes, as a screen does once a page is through its pipeline. */
let acknowledging = true

beforeAll(async () => {
  services = await createServices({ dataDir: join(dir, 'data'), resourcesDir: join(PROJECT_ROOT, 'resources'), appVersion: '0.0.0-test', runtime: 'browser', log: () => undefined })
  services.subscribe((event, payload) => {
    seen.push({ event, payload })
    if (event === 'documentScanPage' && acknowledging) {
      const { jobId, index } = payload as DocumentScanPage
      void call('acknowledgeScanPage', { jobId, index })
    }
  })
})
afterAll(() => services.close())
afterEach(() => {
  seen.length = 0
  acknowledging = true
})

const call = (name: string, input: unknown): Promise<Result> => dispatch(services.handlers, name, input)
const importPdf = (bytes: Uint8Array, dpi = 200): Promise<Result> => call('importPdfPages', { pdfBase64: Buffer.from(bytes).toString('base64'), dpi })

/** Pages of the given sizes in points, each filled with its own grey so the order shows in the pixels. */
async function pdfOfPages(...sizes: [number, number][]): Promise<Uint8Array> {
  const doc = await PDFDocument.create()
  sizes.forEach((size, index) => {
    const page = doc.addPage(size)
    page.drawRectangle({ x: 0, y: 0, width: size[0], height: size[1], color: rgb(1 - (index % 3) * 0.3, 1 - (index % 3) * 0.3, 1 - (index % 3) * 0.3) })
  })
  return doc.save({ addDefaultPage: false })
}

/** The job's pages and its end, every payload checked against the contract's event schemas. */
async function jobEvents(jobId: string): Promise<{ pages: DocumentScanPage[]; finished: DocumentScanFinished }> {
  await expect.poll(() => seen.some(({ event, payload }) => event === 'documentScanFinished' && (payload as DocumentScanFinished).jobId === jobId), { timeout: 30_000 }).toBe(true)
  const ofJob = seen.filter(({ payload }) => (payload as { jobId?: string }).jobId === jobId)
  return {
    pages: ofJob.filter(({ event }) => event === 'documentScanPage').map(({ payload }) => events.documentScanPage.parse(payload)),
    finished: events.documentScanFinished.parse(ofJob.find(({ event }) => event === 'documentScanFinished')!.payload),
  }
}

function valueOf<T>(result: Result): T {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`)
  return result.value as T
}

const scanEvents = (): EventName[] => seen.map(({ event }) => event).filter((event) => event.startsWith('documentScan'))

describe('a PDF imported at the counter', () => {
  it('becomes a scan job: its pages in order as events at the dpi asked for, then the end', async () => {
    const { jobId, pages } = valueOf<{ jobId: string; pages: number }>(await importPdf(await pdfOfPages(A4, [A4[1], A4[0]], [419.53, 595.28])))
    expect(pages).toBe(3)
    const job = await jobEvents(jobId)
    expect(job.finished).toEqual({ jobId, pages: 3 })
    expect(job.pages.map((page) => [page.index, page.mime, page.dpi])).toEqual([
      [0, 'image/png', 200],
      [1, 'image/png', 200],
      [2, 'image/png', 200],
    ])
    const rendered = await Promise.all(
      job.pages.map(async (page) => {
        const image = sharp(Buffer.from(page.imageBase64, 'base64'))
        const { width, height } = await image.metadata()
        return { width, height, grey: (await image.stats()).channels[0]!.mean }
      }),
    )
    expect(rendered).toEqual([
      { width: 1654, height: 2339, grey: expect.closeTo(255, -1) },
      { width: 2339, height: 1654, grey: expect.closeTo(178.5, -1) },
      { width: 1166, height: 1654, grey: expect.closeTo(102, -1) },
    ])
  })

  it('gives pages the page pipeline takes as flat scans', async () => {
    const { jobId } = valueOf<{ jobId: string }>(await importPdf(await pdfOfPages(A4)))
    const [page] = (await jobEvents(jobId)).pages
    const processed = valueOf<{ page: { widthPx: number; heightPx: number; dpi: number } }>(await call('processCapturedPage', { imageBase64: page!.imageBase64, mode: 'gray', dpi: 200, source: 'scan' }))
    // A blank page has no text to say which way is up: only its size is certain.
    expect(processed.page.dpi).toBe(200)
    expect([processed.page.widthPx, processed.page.heightPx].sort()).toEqual([1654, 2339])
  })

  it('stops when cancelled: the job ends as cancelled, with only the pages already sent', async () => {
    const { jobId } = valueOf<{ jobId: string }>(await importPdf(await pdfOfPages(A4, A4, A4, A4), 300))
    expect(valueOf(await call('cancelDocumentScan', { jobId }))).toEqual({ cancelled: true })
    const job = await jobEvents(jobId)
    expect(job.finished).toMatchObject({ jobId, error: 'cancelled' })
    expect(job.finished.pages).toBe(job.pages.length)
    expect(job.pages.length).toBeLessThan(4)
  })

  it('runs two imports at once, not more: each holds its file and a pdftoppm', async () => {
    const pdf = await pdfOfPages(A4, A4, A4, A4)
    const first = valueOf<{ jobId: string }>(await importPdf(pdf, 300))
    const second = valueOf<{ jobId: string }>(await importPdf(pdf, 300))
    expect(await importPdf(pdf, 300)).toMatchObject({ ok: false, error: { code: 'unavailable' } })
    for (const { jobId } of [first, second]) {
      valueOf(await call('cancelDocumentScan', { jobId }))
      expect((await jobEvents(jobId)).finished.error).toBe('cancelled')
    }
    // Once they have ended, the next one starts.
    const next = valueOf<{ jobId: string }>(await importPdf(await pdfOfPages(A4)))
    expect((await jobEvents(next.jobId)).finished).toEqual({ jobId: next.jobId, pages: 1 })
  })

  describe('is rendered only SCAN_PAGE_WINDOW pages ahead of the screen', () => {
    /** A card-sized page renders in a blink: an import not held back would be over long before this. */
    const CARD: [number, number] = [243, 153]
    const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1_000))
    const sent = (jobId: string): number[] => seen.filter(({ event, payload }) => event === 'documentScanPage' && (payload as DocumentScanPage).jobId === jobId).map(({ payload }) => (payload as DocumentScanPage).index)

    it('pdftoppm waits while the window is unacknowledged, and renders the next page for each acknowledgement', async () => {
      acknowledging = false
      const { jobId } = valueOf<{ jobId: string }>(await importPdf(await pdfOfPages(...Array.from({ length: 6 }, () => CARD))))
      await expect.poll(() => sent(jobId)).toEqual([0, 1, 2])
      await settle()
      expect(sent(jobId)).toEqual([0, 1, 2])
      expect(valueOf(await call('acknowledgeScanPage', { jobId, index: 0 }))).toEqual({ acknowledged: true })
      await expect.poll(() => sent(jobId)).toEqual([0, 1, 2, 3])
      await settle()
      expect(sent(jobId)).toEqual([0, 1, 2, 3])
      for (const index of [1, 2, 3, 4, 5]) {
        await expect.poll(() => sent(jobId).length).toBeGreaterThan(index)
        valueOf(await call('acknowledgeScanPage', { jobId, index }))
      }
      expect((await jobEvents(jobId)).finished).toEqual({ jobId, pages: 6 })
    })

    it('is cancelled when the screen acknowledges nothing for the timeout', async () => {
      const logs: string[] = []
      const finished: DocumentScanFinished[] = []
      const desk = createDocumentScannerDesk({ dataDir: join(dir, 'desk'), log: (line) => logs.push(line), scanAckTimeoutMs: 300, events: { page: () => undefined, finished: (end) => finished.push(end) } })
      try {
        const { jobId } = valueOf<{ jobId: string }>(await dispatch(desk.handlers as unknown as OperationHandlers, 'importPdfPages', { pdfBase64: Buffer.from(await pdfOfPages(...Array.from({ length: 6 }, () => CARD))).toString('base64'), dpi: 200 }))
        await expect.poll(() => finished, { timeout: 10_000 }).toEqual([{ jobId, pages: SCAN_PAGE_WINDOW, error: 'cancelled' }])
        expect(logs).toContainEqual(expect.stringContaining(`${jobId}: no page acknowledged for 300 ms; cancelling it`))
      } finally {
        desk.close()
      }
    })
  })

  describe('is refused at once, before any job starts, with the reason the screen words', () => {
    it.each([
      ['not a PDF at all', async () => Buffer.from('Đây không phải tệp PDF'.repeat(20)), 'unreadablePdf'],
      ['corrupt', async () => Buffer.from('%PDF-1.7\nthis is not a PDF at all\n%%EOF\n'), 'unreadablePdf'],
      ['without pages', async () => pdfOfPages(), 'unreadablePdf'],
      [
        'encrypted',
        async () => {
          writeFileSync(join(dir, 'plain.pdf'), await pdfOfPages(A4))
          runTool('qpdf', ['--encrypt', 'user-pass', 'owner-pass', '256', '--', join(dir, 'plain.pdf'), join(dir, 'locked.pdf')])
          return readFileSync(join(dir, 'locked.pdf'))
        },
        'encryptedPdf',
      ],
      ['a page over the pipeline’s pixels (a 5 m square map)', async () => pdfOfPages(A4, [(5_000 / 25.4) * 72, (5_000 / 25.4) * 72]), 'pageTooLarge'],
      ['more pages than one job takes', async () => pdfOfPages(...Array.from({ length: 201 }, () => A4)), 'tooManyPdfPages'],
    ] as const)('%s', async (_kind, make, reason) => {
      const result = await importPdf(await make())
      expect(result).toMatchObject({ ok: false, error: { code: 'invalidInput', reason } })
      await new Promise((resolve) => setTimeout(resolve, 200))
      expect(scanEvents()).toEqual([])
    })

    it('input outside the contract: a dpi not archival, bytes not base64', async () => {
      const pdfBase64 = Buffer.from(await pdfOfPages(A4)).toString('base64')
      expect(await call('importPdfPages', { pdfBase64, dpi: 150 })).toMatchObject({ ok: false, error: { code: 'invalidInput' } })
      expect(await call('importPdfPages', { pdfBase64: '%PDF-1.7 not base64!', dpi: 200 })).toMatchObject({ ok: false, error: { code: 'invalidInput' } })
      expect(scanEvents()).toEqual([])
    })
  })

  it('says this machine cannot render PDFs when pdftoppm is missing (Windows, macOS without poppler)', async () => {
    const path = process.env.PATH
    process.env.PATH = mkdtempSync(join(tmpdir(), 'motcua-no-poppler-'))
    let result: Result
    try {
      result = await importPdf(await pdfOfPages(A4))
    } finally {
      process.env.PATH = path
    }
    expect(result).toMatchObject({ ok: false, error: { code: 'unavailable', reason: 'pdfRendererMissing', message: expect.stringContaining('pdftoppm') } })
    expect(scanEvents()).toEqual([])
  })
})
