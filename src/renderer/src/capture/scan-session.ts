import type { MotcuaApi } from '../../../shared/contract/contract'
import type { DocumentScanErrorCode, DocumentScanPage } from '../../../shared/contract/document-scanner-schemas'

export type ScanApi = Pick<MotcuaApi, 'cancelDocumentScan' | 'onDocumentScanPage' | 'onDocumentScanFinished'>

/** The call that starts a job in main: scanDocuments, or importPdfPages, which also says how many pages will come. */
export type StartScanJob = () => Promise<{ jobId: string; pages?: number }>

export interface ScanProgress {
  readonly jobId: string
  readonly received: number
  readonly processed: number
  /** The pages the job will send, when main knows it (a PDF's). */
  readonly expected?: number
  readonly finished: boolean
  /** Why the job ended early, as main said. */
  readonly error?: DocumentScanErrorCode
}

export interface ScanSessionHandlers {
  /** Takes one page through the pipeline; the next waits for it. */
  onPage(page: DocumentScanPage): Promise<void>
  onChange(progress: ScanProgress): void
}

/**
 * The scan jobs of one open capture panel, a scanner's or an imported PDF's. Pages go through the pipeline in the
 * order the job sent them, one at a time. Closing the panel cancels a job still running, so the feeder stops
 * pulling paper nobody will see, and drops the pages not processed yet. With `onePage` (a page scanned again in
 * place) the job is cancelled as soon as its first page comes: a feeder would otherwise pull every sheet left in it.
 */
export class ScanSession {
  private job: { -readonly [K in keyof ScanProgress]: ScanProgress[K] } | undefined
  private readonly pending: DocumentScanPage[] = []
  private working = false
  private closed = false
  private settle: (() => void) | undefined
  private readonly unsubscribe: readonly (() => void)[]

  constructor(
    private readonly api: ScanApi,
    private readonly handlers: ScanSessionHandlers,
    private readonly onePage: boolean,
  ) {
    this.unsubscribe = [api.onDocumentScanPage((page) => this.received(page)), api.onDocumentScanFinished((end) => this.ended(end.jobId, end.error))]
  }

  async start(startJob: StartScanJob): Promise<void> {
    const { jobId, pages } = await startJob()
    // Closed while main was starting the job: nobody is left to take its pages.
    if (this.closed) return this.stop(jobId)
    this.settle?.()
    this.settle = undefined
    this.job = { jobId, received: 0, processed: 0, ...(pages !== undefined && { expected: pages }), finished: false }
    this.changed()
  }

  /** Resolves once the current job has ended and its pages are through the pipeline (or the panel closed): the next file waits for it. */
  done(): Promise<ScanProgress | undefined> {
    if (this.closed || !this.job || this.isDone(this.job)) return Promise.resolve(this.job && { ...this.job })
    return new Promise((resolve) => {
      const earlier = this.settle
      this.settle = () => {
        earlier?.()
        resolve(this.job && { ...this.job })
      }
    })
  }

  /** Stops the running job, if any; the pages already received are still processed. */
  cancel(): void {
    if (this.job && !this.job.finished) this.stop(this.job.jobId)
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    for (const unsubscribe of this.unsubscribe) unsubscribe()
    this.pending.length = 0
    this.cancel()
    this.settle?.()
  }

  private isDone(job: ScanProgress): boolean {
    return job.finished && job.processed === job.received
  }

  private stop(jobId: string): void {
    this.api.cancelDocumentScan({ jobId }).catch((error: unknown) => console.error(`Cancelling scan job ${jobId}: ${String(error)}`))
  }

  private received(page: DocumentScanPage): void {
    const job = this.job
    // In one-page mode, pages the feeder sent before the cancel reached it are not wanted.
    if (!job || page.jobId !== job.jobId || (this.onePage && job.received > 0)) return
    job.received++
    if (this.onePage) this.cancel()
    this.pending.push(page)
    this.changed()
    void this.drain()
  }

  private ended(jobId: string, error: DocumentScanErrorCode | undefined): void {
    const job = this.job
    if (!job || jobId !== job.jobId) return
    job.finished = true
    if (error) job.error = error
    this.changed()
  }

  private async drain(): Promise<void> {
    if (this.working) return
    this.working = true
    try {
      for (let page = this.pending.shift(); page; page = this.pending.shift()) {
        await this.handlers.onPage(page)
        if (this.job?.jobId === page.jobId) this.job.processed++
        this.changed()
      }
    } finally {
      this.working = false
    }
  }

  private changed(): void {
    if (!this.job || this.closed) return
    this.handlers.onChange({ ...this.job })
    if (this.isDone(this.job)) {
      this.settle?.()
      this.settle = undefined
    }
  }
}
