import { describe, expect, it } from 'vitest'
import type { DocumentScanFinished, DocumentScanPage } from '../../../src/shared/contract/document-scanner-schemas'
import { ScanSession, type ScanApi, type ScanProgress } from '../../../src/renderer/src/capture/scan-session'

const JOB = '3f2d6c1e-8a4b-4c2d-9e1f-0a1b2c3d4e5f'

/** A screen's api for scanning: the test sends the job's events by hand and sees every cancel. */
function fakeScanApi() {
  const pageListeners = new Set<(page: DocumentScanPage) => void>()
  const finishedListeners = new Set<(end: DocumentScanFinished) => void>()
  const cancelled: string[] = []
  const api: ScanApi = {
    cancelDocumentScan: async ({ jobId }) => {
      cancelled.push(jobId)
      return { cancelled: true }
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
    page: (index: number) => pageListeners.forEach((listener) => listener({ jobId: JOB, index, imageBase64: 'AAAA', mime: 'image/jpeg', dpi: 300 })),
    finish: (end: Omit<DocumentScanFinished, 'jobId'>) => finishedListeners.forEach((listener) => listener({ jobId: JOB, ...end })),
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
    await pipeline.release()
    await pipeline.release()
    expect(pipeline.taken).toEqual([0, 1])
    expect(progress.at(-1)).toEqual({ jobId: JOB, received: 2, processed: 2, finished: true })
    expect(scanner.cancelled).toEqual([])
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
    await pipeline.release()
    await pipeline.release()
    expect(pipeline.taken).toEqual([0])
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
})
