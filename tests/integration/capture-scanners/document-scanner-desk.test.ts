import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createServices } from '../../../src/main/services'
import { createDocumentScannerDesk } from '../../../src/main/services/capture/scanners/document-scanner-desk'
import { DocumentScanError } from '../../../src/main/services/capture/scanners/scanner-errors'
import { fitPageForEvent } from '../../../src/main/services/capture/scanners/scan-jobs'
import { events } from '../../../src/shared/contract/contract'
import { dispatch, type OperationHandlers, type Result } from '../../../src/shared/contract/dispatch'
import { MAX_PAGES_PER_SCAN_JOB, SCAN_PAGE_WINDOW, type DocumentScanFinished, type DocumentScanPage } from '../../../src/shared/contract/document-scanner-schemas'
import { PROJECT_ROOT } from '../../helpers/browser-mode-host'
import { motcua } from '../../helpers/motcua-cli'
import { mockPage, startMockEsclScanner, type MockEsclOptions, type MockEsclScanner } from '../../helpers/mock-escl-scanner'
import { requireScanimage, saneConfigDir, saneEnv } from '../../helpers/sane-config'

/**
 * The contract's document-scanner operations, called through dispatch as every adapter calls them, with the
 * pages and the end of each job checked against the contract's event schemas.
 */

let pages: Buffer[] = []
let saneEnvironment: NodeJS.ProcessEnv
beforeAll(async () => {
  requireScanimage()
  pages = await Promise.all([mockPage({ r: 220, g: 40, b: 40 }), mockPage({ r: 40, g: 200, b: 40 }), mockPage({ r: 40, g: 40, b: 220 })])
  saneEnvironment = saneEnv(saneConfigDir({ 'dll.conf': 'test\n', 'test.conf': 'number_of_devices 1\ngeometry_max 200.0\n' }))
})

let mocks: MockEsclScanner[] = []
afterEach(async () => {
  await Promise.all(mocks.map((mock) => mock.close()))
  mocks = []
})

interface Desk {
  call(name: string, input: unknown): Promise<Result>
  /** Every page and the end of the job, checked against the contract. */
  finished(jobId: string): Promise<{ pages: DocumentScanPage[]; finished: DocumentScanFinished }>
  /** The job's pages so far. */
  pagesOf(jobId: string): DocumentScanPage[]
  dataDir: string
  logs: string[]
}

/**
 * A desk whose screen acknowledges each page `acknowledgeAfterMs` after it comes (at once by default, never with
 * 'never'); `scanAckTimeoutMs` is how long a job waits for an acknowledgement before it is cancelled.
 */
function openDesk({ acknowledgeAfterMs = 0, scanAckTimeoutMs }: { acknowledgeAfterMs?: number | 'never'; scanAckTimeoutMs?: number } = {}): Desk {
  const dataDir = mkdtempSync(join(tmpdir(), 'motcua-docscan-'))
  const logs: string[] = []
  const pagesByJob = new Map<string, DocumentScanPage[]>()
  const waiting = new Map<string, (finished: DocumentScanFinished) => void>()
  const finishedByJob = new Map<string, DocumentScanFinished>()
  const desk = createDocumentScannerDesk({
    dataDir,
    log: (line) => logs.push(line),
    escl: { requestIdleMs: 2_000, pageIdleMs: 2_000, busyFirstDelayMs: 5, busyGiveUpMs: 100 },
    sane: { env: saneEnvironment },
    ...(scanAckTimeoutMs !== undefined && { scanAckTimeoutMs }),
    events: {
      page: (page) => {
        const checked = events.documentScanPage.parse(page)
        pagesByJob.set(checked.jobId, [...(pagesByJob.get(checked.jobId) ?? []), checked])
        const acknowledge = (): unknown => dispatch(desk.handlers as unknown as OperationHandlers, 'acknowledgeScanPage', { jobId: checked.jobId, index: checked.index })
        if (acknowledgeAfterMs !== 'never') setTimeout(acknowledge, acknowledgeAfterMs)
      },
      finished: (finished) => {
        const checked = events.documentScanFinished.parse(finished)
        finishedByJob.set(checked.jobId, checked)
        waiting.get(checked.jobId)?.(checked)
      },
    },
  })
  return {
    dataDir,
    logs,
    call: (name, input) => dispatch(desk.handlers as unknown as OperationHandlers, name, input),
    finished: async (jobId) => {
      const finished = finishedByJob.get(jobId) ?? (await new Promise<DocumentScanFinished>((resolve) => waiting.set(jobId, resolve)))
      return { pages: pagesByJob.get(jobId) ?? [], finished }
    },
    pagesOf: (jobId) => pagesByJob.get(jobId) ?? [],
  }
}

async function mockScanner(options: MockEsclOptions): Promise<MockEsclScanner> {
  const mock = await startMockEsclScanner(options)
  mocks.push(mock)
  return mock
}

function valueOf<T>(result: Result): T {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`)
  return result.value as T
}

describe('document scanners through the contract', () => {
  it('adds a network scanner by the address typed, remembers it, and lists it beside the SANE devices', async () => {
    const mock = await mockScanner({ platen: pages[0]!, feeder: [] })
    const desk = openDesk()
    const added = valueOf<{ id: string }>(await desk.call('addDocumentScanner', { address: `127.0.0.1:${mock.port}` }))
    expect(added).toEqual({
      id: `escl:${mock.url}`,
      name: 'Mock eSCL Scanner',
      kind: 'escl',
      address: mock.url,
      capabilities: { sources: ['platen', 'feeder', 'feederDuplex'], colorModes: ['color', 'gray', 'bw'], resolutions: [75, 100, 150, 200, 300, 600], maxWidthMm: 215.9, maxHeightMm: 297 },
    })
    expect(JSON.parse(readFileSync(join(desk.dataDir, 'document-scanners.json'), 'utf8'))).toEqual({ escl: [mock.url] })
    const listed = valueOf<{ id: string; kind: string }[]>(await desk.call('listDocumentScanners', {}))
    expect(listed.map((scanner) => [scanner.id, scanner.kind])).toEqual([
      [`escl:${mock.url}`, 'escl'],
      ['sane:test:0', 'sane'],
    ])
  })

  it('streams the pages of a feeder job as events, then says how many came', async () => {
    const mock = await mockScanner({ feeder: pages.map((front) => ({ front })) })
    const desk = openDesk()
    const { id } = valueOf<{ id: string }>(await desk.call('addDocumentScanner', { address: mock.url }))
    const { jobId } = valueOf<{ jobId: string }>(await desk.call('scanDocuments', { scannerId: id, source: 'feeder', colorMode: 'gray', dpi: 75 }))
    const job = await desk.finished(jobId)
    expect(job.finished).toEqual({ jobId, pages: 3 })
    expect(job.pages.map((page) => [page.index, page.mime, page.dpi])).toEqual([
      [0, 'image/jpeg', 75],
      [1, 'image/jpeg', 75],
      [2, 'image/jpeg', 75],
    ])
    expect((await sharp(Buffer.from(job.pages[0]!.imageBase64, 'base64')).metadata()).format).toBe('jpeg')
  })

  it('scans from a SANE device by its id: PNG pages as scanimage wrote them', async () => {
    const desk = openDesk()
    const { jobId } = valueOf<{ jobId: string }>(await desk.call('scanDocuments', { scannerId: 'sane:test:0', source: 'platen', colorMode: 'color', dpi: 75 }))
    const job = await desk.finished(jobId)
    expect(job.finished).toEqual({ jobId, pages: 1 })
    expect(job.pages[0]).toMatchObject({ index: 0, mime: 'image/png', dpi: 75 })
  })

  it('cancels a job: it ends as cancelled, and a second cancel finds nothing to stop', async () => {
    const mock = await mockScanner({ feeder: pages.map((front) => ({ front })), busyBeforePage: 2 })
    const desk = openDesk()
    const { id } = valueOf<{ id: string }>(await desk.call('addDocumentScanner', { address: mock.url }))
    const { jobId } = valueOf<{ jobId: string }>(await desk.call('scanDocuments', { scannerId: id, source: 'feederDuplex', colorMode: 'color', dpi: 75 }))
    expect(valueOf(await desk.call('cancelDocumentScan', { jobId }))).toEqual({ cancelled: true })
    const job = await desk.finished(jobId)
    expect(job.finished).toMatchObject({ jobId, error: 'cancelled' })
    expect(job.finished.pages).toBe(job.pages.length)
    expect(valueOf(await desk.call('cancelDocumentScan', { jobId }))).toEqual({ cancelled: false })
  })

  it('runs one job per scanner at a time', async () => {
    const mock = await mockScanner({ platen: pages[0]!, hang: 'nextDocument' })
    const desk = openDesk()
    const { id } = valueOf<{ id: string }>(await desk.call('addDocumentScanner', { address: mock.url }))
    const first = valueOf<{ jobId: string }>(await desk.call('scanDocuments', { scannerId: id, source: 'platen', colorMode: 'color', dpi: 75 }))
    const second = await desk.call('scanDocuments', { scannerId: id, source: 'platen', colorMode: 'color', dpi: 75 })
    expect(second).toMatchObject({ ok: false, error: { code: 'unavailable' } })
    valueOf(await desk.call('cancelDocumentScan', { jobId: first.jobId }))
    expect((await desk.finished(first.jobId)).finished.error).toBe('cancelled')
  })

  it('ends a job with the scanner’s reason: an empty feeder', async () => {
    const mock = await mockScanner({ feeder: [] })
    const desk = openDesk()
    const { id } = valueOf<{ id: string }>(await desk.call('addDocumentScanner', { address: mock.url }))
    const { jobId } = valueOf<{ jobId: string }>(await desk.call('scanDocuments', { scannerId: id, source: 'feeder', colorMode: 'color', dpi: 75 }))
    expect((await desk.finished(jobId)).finished).toEqual({ jobId, pages: 0, error: 'feederEmpty' })
    expect(desk.logs.some((line) => line.includes('feederEmpty'))).toBe(true)
  })

  it('ends a job whose feeder never runs empty with tooManyPages, every page within the contract, the job deleted on the scanner', async () => {
    const mock = await mockScanner({ feeder: [{ front: pages[0]! }], endlessFeeder: true })
    const desk = openDesk()
    const { id } = valueOf<{ id: string }>(await desk.call('addDocumentScanner', { address: mock.url }))
    const { jobId } = valueOf<{ jobId: string }>(await desk.call('scanDocuments', { scannerId: id, source: 'feeder', colorMode: 'gray', dpi: 75 }))
    const job = await desk.finished(jobId)
    expect(job.finished).toEqual({ jobId, pages: MAX_PAGES_PER_SCAN_JOB, error: 'tooManyPages' })
    expect(job.pages.map((page) => page.index)).toEqual([...Array(MAX_PAGES_PER_SCAN_JOB).keys()])
    // The page past the limit is the last one asked for: the scanner is not read ahead of the screen.
    expect(mock.requests.filter((request) => request.path.endsWith('/NextDocument'))).toHaveLength(MAX_PAGES_PER_SCAN_JOB + 1)
    expect(mock.requests.at(-1)).toMatchObject({ method: 'DELETE' })
    expect(desk.logs.some((line) => line.includes('tooManyPages'))).toBe(true)
  }, 60_000)

  it('reports what this machine can reach: eSCL, SANE, not WIA, and an added scanner that stopped answering', async () => {
    const mock = await mockScanner({ platen: pages[0]! })
    const desk = openDesk()
    valueOf(await desk.call('addDocumentScanner', { address: mock.url }))
    await mock.close()
    const sources = valueOf<{ sources: { kind: string; available: boolean; message: string }[]; unreachable: unknown[] }>(await desk.call('getDocumentScannerSources', {}))
    expect(sources.sources.map((source) => [source.kind, source.available])).toEqual([
      ['escl', true],
      ['sane', true],
      ['wia', false],
    ])
    expect(sources.unreachable).toEqual([{ address: mock.url, error: 'unreachable', message: expect.stringContaining('ECONNREFUSED') }])
    expect(valueOf<unknown[]>(await desk.call('listDocumentScanners', {})).map((scanner) => (scanner as { id: string }).id)).toEqual(['sane:test:0'])
  })

  it('forgets a network scanner', async () => {
    const mock = await mockScanner({ platen: pages[0]! })
    const desk = openDesk()
    const { id } = valueOf<{ id: string }>(await desk.call('addDocumentScanner', { address: mock.url }))
    expect(valueOf(await desk.call('removeDocumentScanner', { scannerId: id }))).toEqual({})
    expect(await desk.call('scanDocuments', { scannerId: id, source: 'platen', colorMode: 'color', dpi: 75 })).toMatchObject({ ok: false, error: { code: 'notConfigured' } })
    expect(await desk.call('removeDocumentScanner', { scannerId: id })).toMatchObject({ ok: false, error: { code: 'invalidInput' } })
  })

  it.each([
    ['not JSON', '{"escl": ["http://10.0.0.5/eSCL",'],
    ['not a list of scanners', '{"escl": "http://10.0.0.5/eSCL"}'],
  ])('lists and adds scanners past a scanner file that is %s, which is moved aside, not lost', async (why, damaged) => {
    const mock = await mockScanner({ platen: pages[0]! })
    const desk = openDesk()
    const file = join(desk.dataDir, 'document-scanners.json')
    writeFileSync(file, damaged)
    const listed = valueOf<{ id: string }[]>(await desk.call('listDocumentScanners', {}))
    expect(listed.map((scanner) => scanner.id)).toEqual(['sane:test:0'])
    expect(readFileSync(`${file}.bad`, 'utf8')).toBe(damaged)
    expect(desk.logs.some((line) => line.includes(why) && line.includes('.bad'))).toBe(true)
    valueOf(await desk.call('addDocumentScanner', { address: mock.url }))
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ escl: [mock.url] })
  })

  it('refuses bad input with invalidInput, unknown scanners with notConfigured, silent addresses with unavailable', async () => {
    const desk = openDesk()
    const invalid = [
      ['scanDocuments', { scannerId: 'sane:test:0', source: 'platen', colorMode: 'color', dpi: 300, duplex: true }],
      ['scanDocuments', { scannerId: 'sane:test:0', source: 'platen', colorMode: 'color', dpi: 5 }],
      ['scanDocuments', { scannerId: 'sane:test:0', source: 'tray', colorMode: 'color', dpi: 300 }],
      ['scanDocuments', { scannerId: 'sane:test:0', source: 'platen', colorMode: 'sepia', dpi: 300 }],
      ['cancelDocumentScan', { jobId: 'not-a-uuid' }],
      ['acknowledgeScanPage', { jobId: 'not-a-uuid', index: 0 }],
      ['acknowledgeScanPage', { jobId: crypto.randomUUID(), index: -1 }],
      ['acknowledgeScanPage', { jobId: crypto.randomUUID(), index: 1.5 }],
      ['acknowledgeScanPage', { jobId: crypto.randomUUID(), index: MAX_PAGES_PER_SCAN_JOB }],
      ['acknowledgeScanPage', { jobId: crypto.randomUUID(), index: '0' }],
      ['acknowledgeScanPage', { jobId: crypto.randomUUID() }],
      ['acknowledgeScanPage', { jobId: crypto.randomUUID(), index: 0, pages: 1 }],
      ['addDocumentScanner', { address: 'ftp://192.168.1.20/eSCL' }],
      ['addDocumentScanner', { address: 'http://admin:admin@192.168.1.20/eSCL' }],
      ['addDocumentScanner', { address: '' }],
    ] as const
    for (const [name, input] of invalid) expect(await desk.call(name, input), JSON.stringify(input)).toMatchObject({ ok: false, error: { code: 'invalidInput' } })
    // A screen cannot make main connect to an address nobody added.
    expect(await desk.call('scanDocuments', { scannerId: 'escl:http://10.0.0.9/eSCL', source: 'platen', colorMode: 'color', dpi: 300 })).toMatchObject({ ok: false, error: { code: 'notConfigured' } })
    expect(await desk.call('scanDocuments', { scannerId: 'sane:--help', source: 'platen', colorMode: 'color', dpi: 300 })).toMatchObject({ ok: false, error: { code: 'notConfigured' } })
    const mock = await mockScanner({ platen: pages[0]! })
    await mock.close()
    expect(await desk.call('addDocumentScanner', { address: mock.url })).toMatchObject({ ok: false, error: { code: 'unavailable' } })
    expect(existsSync(join(desk.dataDir, 'document-scanners.json'))).toBe(false)
  })
})

/** Time for a scanner or pdftoppm that is not held back to send more than it has. */
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 500))

describe('flow control: a job runs only SCAN_PAGE_WINDOW pages ahead of the screen', () => {
  const nextDocuments = (mock: MockEsclScanner): number => mock.requests.filter((request) => request.path.endsWith('/NextDocument')).length

  it('holds the scanner while the screen has not acknowledged the window, and asks for the next page as acknowledgements come', async () => {
    const mock = await mockScanner({ feeder: [...pages, ...pages].map((front) => ({ front })) })
    const desk = openDesk({ acknowledgeAfterMs: 'never' })
    const { id } = valueOf<{ id: string }>(await desk.call('addDocumentScanner', { address: mock.url }))
    const { jobId } = valueOf<{ jobId: string }>(await desk.call('scanDocuments', { scannerId: id, source: 'feeder', colorMode: 'gray', dpi: 75 }))
    await expect.poll(() => desk.pagesOf(jobId).length).toBe(SCAN_PAGE_WINDOW)
    await settle()
    expect(desk.pagesOf(jobId)).toHaveLength(SCAN_PAGE_WINDOW)
    // The scanner is not even asked for the next sheet.
    expect(nextDocuments(mock)).toBe(SCAN_PAGE_WINDOW)
    expect(valueOf(await desk.call('acknowledgeScanPage', { jobId, index: 1 }))).toEqual({ acknowledged: true })
    await expect.poll(() => desk.pagesOf(jobId).length).toBe(SCAN_PAGE_WINDOW + 1)
    await settle()
    expect(nextDocuments(mock)).toBe(SCAN_PAGE_WINDOW + 1)
    for (const index of [0, 2, 3, 4]) {
      await expect.poll(() => desk.pagesOf(jobId).length).toBeGreaterThan(index)
      valueOf(await desk.call('acknowledgeScanPage', { jobId, index }))
    }
    const job = await desk.finished(jobId)
    expect(job.finished).toEqual({ jobId, pages: 6 })
    expect(job.pages.map((page) => page.index)).toEqual([0, 1, 2, 3, 4, 5])
    // The last page is acknowledged after the job ended, as a screen does: still awaited, so not an error.
    expect(valueOf(await desk.call('acknowledgeScanPage', { jobId, index: 5 }))).toEqual({ acknowledged: true })
    expect(desk.logs.filter((line) => line.includes('acknowledg'))).toEqual([])
  })

  it('cancels a held job at once when asked', async () => {
    const mock = await mockScanner({ feeder: [...pages, ...pages].map((front) => ({ front })) })
    const desk = openDesk({ acknowledgeAfterMs: 'never' })
    const { id } = valueOf<{ id: string }>(await desk.call('addDocumentScanner', { address: mock.url }))
    const { jobId } = valueOf<{ jobId: string }>(await desk.call('scanDocuments', { scannerId: id, source: 'feeder', colorMode: 'gray', dpi: 75 }))
    await expect.poll(() => desk.pagesOf(jobId).length).toBe(SCAN_PAGE_WINDOW)
    expect(valueOf(await desk.call('cancelDocumentScan', { jobId }))).toEqual({ cancelled: true })
    expect((await desk.finished(jobId)).finished).toEqual({ jobId, pages: SCAN_PAGE_WINDOW, error: 'cancelled' })
    expect(mock.requests.at(-1)).toMatchObject({ method: 'DELETE' })
  })

  it('cancels a job whose screen acknowledges nothing for the timeout, freeing the scanner', async () => {
    const mock = await mockScanner({ feeder: [...pages, ...pages].map((front) => ({ front })) })
    const desk = openDesk({ acknowledgeAfterMs: 'never', scanAckTimeoutMs: 300 })
    const { id } = valueOf<{ id: string }>(await desk.call('addDocumentScanner', { address: mock.url }))
    const { jobId } = valueOf<{ jobId: string }>(await desk.call('scanDocuments', { scannerId: id, source: 'feeder', colorMode: 'gray', dpi: 75 }))
    expect((await desk.finished(jobId)).finished).toEqual({ jobId, pages: SCAN_PAGE_WINDOW, error: 'cancelled' })
    expect(mock.requests.at(-1)).toMatchObject({ method: 'DELETE' })
    expect(desk.logs.some((line) => line.includes(jobId) && line.includes('no page acknowledged for 300 ms; cancelling it'))).toBe(true)
    // Given up on: a late acknowledgement finds nothing awaited, and the scanner takes a new job.
    expect(valueOf(await desk.call('acknowledgeScanPage', { jobId, index: 0 }))).toEqual({ acknowledged: false })
    const next = valueOf<{ jobId: string }>(await desk.call('scanDocuments', { scannerId: id, source: 'feeder', colorMode: 'gray', dpi: 75 }))
    valueOf(await desk.call('cancelDocumentScan', { jobId: next.jobId }))
  })

  it('does not cancel a job longer than the timeout whose screen keeps acknowledging', async () => {
    const mock = await mockScanner({ feeder: [...pages, ...pages, ...pages, ...pages].map((front) => ({ front })) })
    // Four rounds of a window each, every page acknowledged after 300 ms: more than a second in all.
    const desk = openDesk({ acknowledgeAfterMs: 300, scanAckTimeoutMs: 1_000 })
    const { id } = valueOf<{ id: string }>(await desk.call('addDocumentScanner', { address: mock.url }))
    const { jobId } = valueOf<{ jobId: string }>(await desk.call('scanDocuments', { scannerId: id, source: 'feeder', colorMode: 'gray', dpi: 75 }))
    const started = Date.now()
    expect((await desk.finished(jobId)).finished).toEqual({ jobId, pages: 12 })
    expect(Date.now() - started).toBeGreaterThan(1_000)
  })

  it('ignores, and logs, acknowledgements of pages not awaited: an unknown job, a page not sent, a page acknowledged twice', async () => {
    const mock = await mockScanner({ feeder: [...pages, ...pages].map((front) => ({ front })) })
    const desk = openDesk({ acknowledgeAfterMs: 'never' })
    const { id } = valueOf<{ id: string }>(await desk.call('addDocumentScanner', { address: mock.url }))
    const { jobId } = valueOf<{ jobId: string }>(await desk.call('scanDocuments', { scannerId: id, source: 'feeder', colorMode: 'gray', dpi: 75 }))
    await expect.poll(() => desk.pagesOf(jobId).length).toBe(SCAN_PAGE_WINDOW)
    const unknown = crypto.randomUUID()
    expect(valueOf(await desk.call('acknowledgeScanPage', { jobId: unknown, index: 0 }))).toEqual({ acknowledged: false })
    expect(valueOf(await desk.call('acknowledgeScanPage', { jobId, index: SCAN_PAGE_WINDOW }))).toEqual({ acknowledged: false })
    expect(valueOf(await desk.call('acknowledgeScanPage', { jobId, index: 0 }))).toEqual({ acknowledged: true })
    expect(valueOf(await desk.call('acknowledgeScanPage', { jobId, index: 0 }))).toEqual({ acknowledged: false })
    expect(desk.logs.filter((line) => line.includes('ignored an acknowledgement'))).toEqual([
      expect.stringContaining(`${unknown}: ignored an acknowledgement of page 0`),
      expect.stringContaining(`${jobId}: ignored an acknowledgement of page ${SCAN_PAGE_WINDOW}`),
      expect.stringContaining(`${jobId}: ignored an acknowledgement of page 0`),
    ])
    // None of them made room: only the one real acknowledgement let one more page through.
    await expect.poll(() => desk.pagesOf(jobId).length).toBe(SCAN_PAGE_WINDOW + 1)
    await settle()
    expect(desk.pagesOf(jobId)).toHaveLength(SCAN_PAGE_WINDOW + 1)
    valueOf(await desk.call('cancelDocumentScan', { jobId }))
    expect((await desk.finished(jobId)).finished.error).toBe('cancelled')
  })
})

describe('pages over the event limit', () => {
  it('are re-encoded as JPEG when they are too large as sent, and refused when even that is too large', async () => {
    // Noise, which PNG cannot compress: a colour page scanned with a noisy sensor, in small.
    let state = 2463534242
    const random = (): number => {
      state ^= state << 13
      state ^= state >>> 17
      state ^= state << 5
      return (state >>> 0) % 256
    }
    const noise = await sharp(Buffer.from(Array.from({ length: 400 * 400 * 3 }, random)), { raw: { width: 400, height: 400, channels: 3 } })
      .png()
      .toBuffer()
    const small = { bytes: noise, mime: 'image/png' as const, dpi: 300 }
    expect(await fitPageForEvent(small, noise.byteLength)).toBe(small)
    const fitted = await fitPageForEvent(small, noise.byteLength - 1)
    expect(fitted.mime).toBe('image/jpeg')
    expect(fitted.bytes.byteLength).toBeLessThan(noise.byteLength)
    expect((await sharp(fitted.bytes).metadata()).density).toBe(300)
    await expect(fitPageForEvent(small, 100)).rejects.toMatchObject({ code: 'pageTooLarge' })
    await expect(fitPageForEvent({ bytes: Buffer.from('not an image at all'), mime: 'image/png', dpi: 300 }, 10)).rejects.toBeInstanceOf(DocumentScanError)
  })
})

describe('motcua docscan (technician)', () => {
  it('adds a network scanner, lists it, and scans the feeder to files, one JSON line per page', async () => {
    const mock = await mockScanner({ feeder: pages.slice(0, 2).map((front) => ({ front })) })
    const data = mkdtempSync(join(tmpdir(), 'motcua-docscan-cli-'))
    const out = join(data, 'pages')
    const env = { SANE_CONFIG_DIR: saneEnvironment.SANE_CONFIG_DIR! }
    const added = await motcua(['docscan', 'add', mock.url, '--data', data], env)
    expect(added.code, added.stderr).toBe(0)
    expect(JSON.parse(added.stdout)).toMatchObject({ id: `escl:${mock.url}`, kind: 'escl' })
    const listed = await motcua(['docscan', 'list', '--data', data], env)
    expect((JSON.parse(listed.stdout) as { id: string }[]).map((scanner) => scanner.id)).toEqual([`escl:${mock.url}`, 'sane:test:0'])
    const scanned = await motcua(['docscan', 'scan', `escl:${mock.url}`, '--source', 'feeder', '--dpi', '75', '--out', out, '--data', data], env)
    expect(scanned.code, scanned.stderr).toBe(0)
    const lines = scanned.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>)
    expect(lines).toEqual([
      { page: 1, file: join(out, 'page-1.jpg'), dpi: 75 },
      { page: 2, file: join(out, 'page-2.jpg'), dpi: 75 },
      { jobId: expect.any(String), pages: 2 },
    ])
    expect((await sharp(join(out, 'page-2.jpg')).metadata()).format).toBe('jpeg')
  })

  it('says why, with exit code 2, when the address is wrong or the scan ends early', async () => {
    const data = mkdtempSync(join(tmpdir(), 'motcua-docscan-cli-'))
    const bad = await motcua(['docscan', 'add', 'ftp://192.168.1.20/eSCL', '--data', data])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('invalidInput')
    const mock = await mockScanner({ feeder: [] })
    expect((await motcua(['docscan', 'add', mock.url, '--data', data])).code).toBe(0)
    const empty = await motcua(['docscan', 'scan', `escl:${mock.url}`, '--source', 'feeder', '--out', join(data, 'pages'), '--data', data])
    expect(empty.code).toBe(2)
    expect(empty.stderr).toContain('feederEmpty')
  })
})

describe('the service layer', () => {
  it('serves the operations and forwards the pages and the end of a job to every adapter', async () => {
    const mock = await mockScanner({ platen: pages[2]! })
    const services = await createServices({ dataDir: mkdtempSync(join(tmpdir(), 'motcua-docscan-services-')), resourcesDir: join(PROJECT_ROOT, 'resources'), appVersion: '0.0.0', runtime: 'cli', log: () => undefined })
    try {
      const received: [string, unknown][] = []
      const finished = new Promise<void>((resolve) =>
        services.subscribe((event, payload) => {
          if (event === 'documentScanPage' || event === 'documentScanFinished') received.push([event, payload])
          if (event === 'documentScanFinished') resolve()
        }),
      )
      const { id } = valueOf<{ id: string }>(await dispatch(services.handlers, 'addDocumentScanner', { address: mock.url }))
      const { jobId } = valueOf<{ jobId: string }>(await dispatch(services.handlers, 'scanDocuments', { scannerId: id, source: 'platen', colorMode: 'gray', dpi: 100 }))
      await finished
      expect(received.map(([event, payload]) => [event, events[event as 'documentScanPage'].parse(payload).jobId])).toEqual([
        ['documentScanPage', jobId],
        ['documentScanFinished', jobId],
      ])
    } finally {
      await services.close()
    }
  })
})
