import type { MotcuaApi } from '../../../shared/contract/contract'
import { SCAN_PAGE_WINDOW, type DocumentScanErrorCode, type DocumentScanFinished, type DocumentScanPage } from '../../../shared/contract/document-scanner-schemas'

export type ScanApi = Pick<MotcuaApi, 'cancelDocumentScan' | 'acknowledgeScanPage' | 'onDocumentScanPage' | 'onDocumentScanFinished'>

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

type ScanEvent = { readonly page: DocumentScanPage } | { readonly end: DocumentScanFinished }

const jobOf = (event: ScanEvent): string => ('page' in event ? event.page.jobId : event.end.jobId)

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
 * Each page of its job is acknowledged once processed or dropped: main sends a job only SCAN_PAGE_WINDOW pages ahead.
 */
export class ScanSession {
  private job: { -readonly [K in keyof ScanProgress]: ScanProgress[K] } | undefined
  private readonly pending: DocumentScanPage[] = []
  /** Starts waiting for main's answer: main may send a job's first events before its id reaches us. */
  private starting = 0
  /** Events of jobs not known yet, kept while a start is waiting; events reach every screen, so some are others'. */
  private early: ScanEvent[] = []
  private working = false
  private closed = false
  private settle: (() => void) | undefined
  private readonly unsubscribe: readonly (() => void)[]

  constructor(
    private readonly api: ScanApi,
    private readonly handlers: ScanSessionHandlers,
    private readonly onePage: boolean,
  ) {
    this.unsubscribe = [api.onDocumentScanPage((page) => this.arrived({ page })), api.onDocumentScanFinished((end) => this.arrived({ end }))]
  }

  async start(startJob: StartScanJob): Promise<void> {
    this.starting++
    let started: Awaited<ReturnType<StartScanJob>>
    try {
      started = await startJob()
    } catch (error) {
      this.started(undefined)
      throw error
    }
    const { jobId, pages } = started
    const early = this.started(jobId)
    // Closed while main was starting the job: nobody is left to take its pages.
    if (this.closed) {
      for (const event of early) if ('page' in event) this.acknowledge(event.page)
      return this.stop(jobId)
    }
    this.settle?.()
    this.settle = undefined
    this.job = { jobId, received: 0, processed: 0, ...(pages !== undefined && { expected: pages }), finished: false }
    this.changed()
    for (const event of early) this.take(event)
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
    for (const page of this.pending.splice(0)) this.acknowledge(page)
    this.cancel()
    this.settle?.()
  }

  private isDone(job: ScanProgress): boolean {
    return job.finished && job.processed === job.received
  }

  private stop(jobId: string): void {
    this.api.cancelDocumentScan({ jobId }).catch((error: unknown) => console.error(`Cancelling scan job ${jobId}: ${String(error)}`))
  }

  /** The early events of the job a start got (none if it failed); the others are dropped once no start waits. */
  private started(jobId: string | undefined): ScanEvent[] {
    this.starting--
    const early = this.early.filter((event) => jobOf(event) === jobId)
    this.early = this.starting > 0 ? this.early.filter((event) => jobOf(event) !== jobId) : []
    return early
  }

  private arrived(event: ScanEvent): void {
    if (this.starting === 0 || jobOf(event) === this.job?.jobId) return this.take(event)
    // The job a start is waiting for cannot have more than its window unacknowledged: more pages are another's job.
    if ('page' in event && this.early.filter((early) => 'page' in early && early.page.jobId === event.page.jobId).length >= SCAN_PAGE_WINDOW) return
    this.early.push(event)
  }

  private take(event: ScanEvent): void {
    if ('page' in event) this.received(event.page)
    else this.ended(event.end.jobId, event.end.error)
  }

  /** Main holds the job's next pages back until this says the page is done with. */
  private acknowledge(page: DocumentScanPage): void {
    this.api.acknowledgeScanPage({ jobId: page.jobId, index: page.index }).catch((error: unknown) => console.error(`Acknowledging page ${page.index} of scan job ${page.jobId}: ${String(error)}`))
  }

  private received(page: DocumentScanPage): void {
    const job = this.job
    // Another screen's job (events reach every screen): acknowledging it would let it run ahead of its own screen.
    if (!job || page.jobId !== job.jobId) return
    // In one-page mode, pages the feeder sent before the cancel reached it are not wanted.
    if (this.onePage && job.received > 0) return this.acknowledge(page)
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
        try {
          await this.handlers.onPage(page)
        } finally {
          this.acknowledge(page)
        }
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
