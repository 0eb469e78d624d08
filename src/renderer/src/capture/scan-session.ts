import type { MotcuaApi } from '../../../shared/contract/contract'
import type { DocumentScanErrorCode, DocumentScanPage, ScanDocumentsInput } from '../../../shared/contract/document-scanner-schemas'

export type ScanApi = Pick<MotcuaApi, 'scanDocuments' | 'cancelDocumentScan' | 'onDocumentScanPage' | 'onDocumentScanFinished'>

export interface ScanProgress {
  readonly jobId: string
  readonly received: number
  readonly processed: number
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
 * The scan jobs of one open scanner panel. Pages go through the pipeline in the order the scanner sent them,
 * one at a time. Closing the panel cancels a job still running, so the feeder stops pulling paper nobody will
 * see, and drops the pages not processed yet. With `onePage` (a page scanned again in place) the job is
 * cancelled as soon as its first page comes: a feeder would otherwise pull every sheet left in it.
 */
export class ScanSession {
  private job: { -readonly [K in keyof ScanProgress]: ScanProgress[K] } | undefined
  private readonly pending: DocumentScanPage[] = []
  private working = false
  private closed = false
  private readonly unsubscribe: readonly (() => void)[]

  constructor(
    private readonly api: ScanApi,
    private readonly handlers: ScanSessionHandlers,
    private readonly onePage: boolean,
  ) {
    this.unsubscribe = [api.onDocumentScanPage((page) => this.received(page)), api.onDocumentScanFinished((end) => this.ended(end.jobId, end.error))]
  }

  async start(input: ScanDocumentsInput): Promise<void> {
    const { jobId } = await this.api.scanDocuments(input)
    // Closed while main was starting the job: nobody is left to take its pages.
    if (this.closed) return this.stop(jobId)
    this.job = { jobId, received: 0, processed: 0, finished: false }
    this.changed()
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
    if (this.job && !this.closed) this.handlers.onChange({ ...this.job })
  }
}
