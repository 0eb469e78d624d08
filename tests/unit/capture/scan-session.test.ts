import { describe, expect, it } from 'vitest'
import { SCAN_PAGE_WINDOW, type DocumentScanFinished, type DocumentScanPage } from '../../../src/shared/contract/document-scanner-schemas'
import { ScanSession, type ScanApi, type ScanProgress } from '../../../src/renderer/src/capture/scan-session'

const JOB = '3f2d6c1e-8a4b-4c2d-9e1f-0a1b2c3d4e5f'
/** Another screen's job: its events reach this screen too. */
const OTHER_JOB = '9b7e1f20-3c4d-4e5f-8a6b-7c8d9e0f1a2b'

/** A screen's api for scanning: the test sends the job's events by hand and sees every cancel and acknowledgement. */
function fakeScanApi() {
  const pageListeners = new Set<(page: DocumentScanPage) => void>()
  const finishedListeners = new Set<(end: DocumentScanFinished) => void>()
  const cancelled: string[] = []
  const acked: string[] = []
  const api: ScanApi = {
    cancelDocumentScan: async ({ jobId }) => {
      cancelled.push(jobId)
      return { cancelled: true }
    },
    acknowledgeScanPage: async ({ jobId, index }) => {
      acked.push(`${jobId === JOB ? '' : `${jobId}:`}${index}`)
      return { acknowledged: true }
    },
    onDocumentScanPage: (listener) => {
      pageListeners.add(listener)
      return () => pageListeners.delete(listener)
    },
    onDocumentScanFinished: (listener) => {
      finishedListeners.add(listener)
      return () => finishedListeners.delete(listener)
    },
  }
  return {
    api,
    cancelled,
    /** Pages acknowledged, in order: the index, prefixed by the job when it is not JOB. */
    acked,
    page: (index: number, jobId = JOB) => pageListeners.forEach((listener) => listener({ jobId, index, imageBase64: 'AAAA', mime: 'image/jpeg', dpi: 300 })),
    finish: (end: Omit<DocumentScanFinished, 'jobId'>, jobId = JOB) => finishedListeners.forEach((listener) => listener({ jobId, ...end })),
    listeners: () => pageListeners.size + finishedListeners.size,
  }
}

/** A pipeline the test lets through page by page. */
function gatedPipeline() {
  const taken: number[] = []
  const gates: (() => void)[] = []
  return {
    taken,
    onPage: (page: DocumentScanPage) => {
      taken.push(page.index)
      return new Promise<void>((resolve) => gates.push(resolve))
    },
    release: async () => {
      gates.shift()?.()
      await new Promise((resolve) => setTimeout(resolve, 0))
    },
  }
}

/** What scanDocuments answers: a job whose page count nobody knows yet. */
const scanJob = async (): Promise<{ jobId: string }> => ({ jobId: JOB })

describe('a scanner panel’s scan session', () => {
  it('takes the pages in order, one at a time, and says when all are processed', async () => {
    const scanner = fakeScanApi()
    const pipeline = gatedPipeline()
    const progress: ScanProgress[] = []
    const session = new ScanSession(scanner.api, { onPage: pipeline.onPage, onChange: (change) => progress.push(change) }, false)
    await session.start(scanJob)
    scanner.page(0)
    scanner.page(1)
    scanner.finish({ pages: 2 })
    expect(pipeline.taken).toEqual([0])
    expect(scanner.acked).toEqual([])
    await pipeline.release()
    expect(scanner.acked).toEqual(['0'])
    await pipeline.release()
    expect(pipeline.taken).toEqual([0, 1])
    expect(scanner.acked).toEqual(['0', '1'])
    expect(progress.at(-1)).toEqual({ jobId: JOB, received: 2, processed: 2, finished: true })
    expect(scanner.cancelled).toEqual([])
  })

  it('acknowledges a page the pipeline failed on, so the job is not held for ever', async () => {
    const scanner = fakeScanApi()
    const failures: unknown[] = []
    const onFailure = (reason: unknown): void => void failures.push(reason)
    process.on('unhandledRejection', onFailure)
    try {
      const session = new ScanSession(scanner.api, { onPage: async () => Promise.reject(new Error('pipeline failed')), onChange: () => {} }, false)
      await session.start(scanJob)
      scanner.page(0)
      await new Promise((resolve) => setTimeout(resolve, 0))
      expect(scanner.acked).toEqual(['0'])
    } finally {
      process.off('unhandledRejection', onFailure)
    }
  })

  it('cancels a job still running when the panel closes, and drops the pages not processed yet', async () => {
    const scanner = fakeScanApi()
    const pipeline = gatedPipeline()
    const session = new ScanSession(scanner.api, { onPage: pipeline.onPage, onChange: () => {} }, false)
    await session.start(scanJob)
    scanner.page(0)
    scanner.page(1)
    session.close()
    expect(scanner.cancelled).toEqual([JOB])
    expect(scanner.listeners()).toBe(0)
    // Dropped is done with too: main need not wait for it.
    expect(scanner.acked).toEqual(['1'])
    await pipeline.release()
    await pipeline.release()
    expect(pipeline.taken).toEqual([0])
    expect(scanner.acked).toEqual(['1', '0'])
  })

  it('does not cancel a job that already ended when the panel closes', async () => {
    const scanner = fakeScanApi()
    const session = new ScanSession(scanner.api, { onPage: async () => {}, onChange: () => {} }, false)
    await session.start(scanJob)
    scanner.finish({ pages: 0, error: 'feederEmpty' })
    session.close()
    expect(scanner.cancelled).toEqual([])
  })

  it('cancels a job that main started after the panel closed', async () => {
    const scanner = fakeScanApi()
    const session = new ScanSession(scanner.api, { onPage: async () => {}, onChange: () => {} }, false)
    const starting = session.start(scanJob)
    session.close()
    await starting
    expect(scanner.cancelled).toEqual([JOB])
  })

  it('stops the feeder at the first page when one page is scanned again, and ignores what came before the cancel', async () => {
    const scanner = fakeScanApi()
    const pipeline = gatedPipeline()
    const progress: ScanProgress[] = []
    const session = new ScanSession(scanner.api, { onPage: pipeline.onPage, onChange: (change) => progress.push(change) }, true)
    await session.start(scanJob)
    scanner.page(0)
    expect(scanner.cancelled).toEqual([JOB])
    scanner.page(1)
    scanner.finish({ pages: 2, error: 'cancelled' })
    await pipeline.release()
    await pipeline.release()
    expect(pipeline.taken).toEqual([0])
    expect(scanner.acked).toEqual(['1', '0'])
    expect(progress.at(-1)).toEqual({ jobId: JOB, received: 1, processed: 1, finished: true, error: 'cancelled' })
  })

  it('takes an imported PDF’s job like a scanner’s, with the page count main announced, and says when it is all on the board', async () => {
    const scanner = fakeScanApi()
    const pipeline = gatedPipeline()
    const progress: ScanProgress[] = []
    const session = new ScanSession(scanner.api, { onPage: pipeline.onPage, onChange: (change) => progress.push(change) }, false)
    const started: string[] = []
    await session.start(async () => {
      started.push('importPdfPages')
      return { jobId: JOB, pages: 2 }
    })
    expect(started).toEqual(['importPdfPages'])
    expect(progress.at(-1)).toEqual({ jobId: JOB, received: 0, processed: 0, expected: 2, finished: false })
    let done: ScanProgress | undefined
    void session.done().then((end) => (done = end))
    scanner.page(0)
    scanner.page(1)
    scanner.finish({ pages: 2 })
    await pipeline.release()
    expect(done).toBeUndefined()
    await pipeline.release()
    expect(pipeline.taken).toEqual([0, 1])
    expect(done).toEqual({ jobId: JOB, received: 2, processed: 2, expected: 2, finished: true })
    await expect(session.done()).resolves.toEqual(done)
  })

  it('lets whoever waits for the job go when the panel closes, and passes on a refused start', async () => {
    const scanner = fakeScanApi()
    const session = new ScanSession(scanner.api, { onPage: async () => {}, onChange: () => {} }, false)
    await expect(session.start(async () => Promise.reject(new Error('encryptedPdf')))).rejects.toThrow('encryptedPdf')
    await expect(session.done()).resolves.toBeUndefined()
    await session.start(scanJob)
    const waiting = session.done()
    session.close()
    await expect(waiting).resolves.toMatchObject({ jobId: JOB, finished: false })
    expect(scanner.cancelled).toEqual([JOB])
  })

  describe('events that come before main has answered the start', () => {
    /** A start whose answer the test gives when it wants. */
    function pendingStart(answer: { jobId: string; pages?: number } = { jobId: JOB }) {
      let give: () => void = () => {}
      const given = new Promise<void>((resolve) => (give = resolve))
      return { startJob: async () => given.then(() => answer), answer: () => give() }
    }

    it('are kept and replayed in order once the job id is known; other jobs’ events are dropped, never acknowledged', async () => {
      const scanner = fakeScanApi()
      const pipeline = gatedPipeline()
      const progress: ScanProgress[] = []
      const session = new ScanSession(scanner.api, { onPage: pipeline.onPage, onChange: (change) => progress.push(change) }, false)
      const start = pendingStart()
      const starting = session.start(start.startJob)
      scanner.page(0)
      scanner.page(0, OTHER_JOB)
      scanner.page(1)
      scanner.finish({ pages: 1 }, OTHER_JOB)
      scanner.finish({ pages: 2 })
      expect(pipeline.taken).toEqual([])
      start.answer()
      await starting
      expect(progress.at(-1)).toEqual({ jobId: JOB, received: 2, processed: 0, finished: true })
      await pipeline.release()
      await pipeline.release()
      expect(pipeline.taken).toEqual([0, 1])
      expect(scanner.acked).toEqual(['0', '1'])
      expect(progress.at(-1)).toEqual({ jobId: JOB, received: 2, processed: 2, finished: true })
      // Once the job is known, another job's pages go straight past.
      scanner.page(1, OTHER_JOB)
      await pipeline.release()
      expect(pipeline.taken).toEqual([0, 1])
      expect(scanner.acked).toEqual(['0', '1'])
    })

    it('keep no more pages of one job than main sends unacknowledged: more are not the job being started', async () => {
      const scanner = fakeScanApi()
      const pipeline = gatedPipeline()
      const session = new ScanSession(scanner.api, { onPage: pipeline.onPage, onChange: () => {} }, false)
      const start = pendingStart({ jobId: OTHER_JOB })
      const starting = session.start(start.startJob)
      for (let index = 0; index < SCAN_PAGE_WINDOW + 2; index++) scanner.page(index, OTHER_JOB)
      start.answer()
      await starting
      for (let index = 0; index < SCAN_PAGE_WINDOW + 2; index++) await pipeline.release()
      expect(pipeline.taken).toEqual([...Array(SCAN_PAGE_WINDOW).keys()])
    })

    it('are dropped when the start is refused', async () => {
      const scanner = fakeScanApi()
      const pipeline = gatedPipeline()
      const session = new ScanSession(scanner.api, { onPage: pipeline.onPage, onChange: () => {} }, false)
      const refused = session.start(async () => {
        scanner.page(0)
        throw new Error('unavailable')
      })
      await expect(refused).rejects.toThrow('unavailable')
      await session.start(scanJob)
      scanner.page(1)
      await pipeline.release()
      expect(pipeline.taken).toEqual([1])
    })

    it('of a job started after the panel closed are acknowledged as dropped, and the job cancelled', async () => {
      const scanner = fakeScanApi()
      const pipeline = gatedPipeline()
      const session = new ScanSession(scanner.api, { onPage: pipeline.onPage, onChange: () => {} }, false)
      const start = pendingStart()
      const starting = session.start(start.startJob)
      scanner.page(0)
      scanner.page(0, OTHER_JOB)
      session.close()
      start.answer()
      await starting
      expect(pipeline.taken).toEqual([])
      expect(scanner.acked).toEqual(['0'])
      expect(scanner.cancelled).toEqual([JOB])
    })
  })
})
