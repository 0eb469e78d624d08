import { randomUUID } from 'node:crypto'
import sharp from 'sharp'
import { MotcuaError } from '../../../../shared/contract/dispatch'
import { MAX_PAGES_PER_SCAN_JOB, MAX_SCANNED_PAGE_BYTES, SCAN_PAGE_WINDOW, type DocumentScanFinished, type DocumentScanPage, type ScanDocumentsInput } from '../../../../shared/contract/document-scanner-schemas'
import { DocumentScanError } from './scanner-errors'
import type { DocumentScanSource, PageSink, ScannedPage } from './scan-source'

export interface ScanJobEvents {
  page(page: DocumentScanPage): void
  finished(finished: DocumentScanFinished): void
}

/**
 * A page as the scanner sent it, unless it is over the event limit (a colour PNG from SANE, a 600 dpi
 * JPEG): then it is re-encoded as JPEG, which processPage would do to it anyway.
 */
export async function fitPageForEvent(page: ScannedPage, maxBytes: number = MAX_SCANNED_PAGE_BYTES): Promise<ScannedPage> {
  if (page.bytes.byteLength <= maxBytes) return page
  for (const quality of [90, 75]) {
    let jpeg: Buffer
    try {
      jpeg = await sharp(page.bytes).withDensity(page.dpi).jpeg({ quality }).toBuffer()
    } catch (error) {
      throw new DocumentScanError('badResponse', `A scanned page that cannot be decoded: ${error instanceof Error ? error.message : String(error)}`)
    }
    if (jpeg.byteLength <= maxBytes) return { bytes: jpeg, mime: 'image/jpeg', dpi: page.dpi }
  }
  throw new DocumentScanError('pageTooLarge', `A scanned page of ${page.bytes.byteLength} bytes stays over ${maxBytes} bytes as JPEG; scan at a lower resolution`)
}

/** Where a job's pages come from: a scanner scanning, or an imported PDF's pages rendered one by one. */
export type PageFeed = (onPage: PageSink, signal: AbortSignal) => Promise<void>

interface RunningJob {
  /** The scanner it holds; none for a PDF's pages. */
  readonly scannerId: string | undefined
  readonly controller: AbortController
}

/**
 * A screen that went away without cancelling (a crashed or closed window) acknowledges nothing, and its job would
 * hold the scanner for ever. Generous: one page through a busy pipeline takes seconds, never minutes.
 */
const SCAN_ACK_TIMEOUT_MS = 10 * 60_000

/** A job's pages sent and not yet acknowledged; kept past the job's end until they are, or the screen is given up on. */
interface PageWindow {
  readonly unacked: Set<number>
  /** Lets the job's source go on: set while it waits for room. */
  room: (() => void) | undefined
  silence: NodeJS.Timeout | undefined
}

/** PDF imports at once: each holds its file in memory and runs pdftoppm, on machines with two cores. */
const MAX_FEED_JOBS = 2

/**
 * Scan jobs: started by scanDocuments (or importPdfPages), pages streamed as they come (documentScanPage), then
 * one documentScanFinished with how many pages came and why it stopped early, if it did. One job per scanner.
 * A job runs at most SCAN_PAGE_WINDOW pages ahead of the screen's acknowledgements (acknowledgeScanPage): its
 * source waits until there is room, so its end, too, comes once the screen has caught up that far.
 */
export class DocumentScanJobs {
  private readonly running = new Map<string, RunningJob>()
  private readonly windows = new Map<string, PageWindow>()

  constructor(
    private readonly open: (scannerId: string) => Promise<DocumentScanSource>,
    private readonly events: ScanJobEvents,
    private readonly log: (line: string) => void,
    private readonly ackTimeoutMs: number = SCAN_ACK_TIMEOUT_MS,
  ) {}

  async start(input: ScanDocumentsInput): Promise<{ jobId: string }> {
    if ([...this.running.values()].some((job) => job.scannerId === input.scannerId)) throw new MotcuaError('unavailable', `Scanner ${input.scannerId.slice(0, 100)} is already scanning`)
    const jobId = randomUUID()
    const controller = new AbortController()
    // Taken before the first await, so that two quick calls cannot both start on the same scanner.
    this.running.set(jobId, { scannerId: input.scannerId, controller })
    let source: DocumentScanSource
    try {
      source = await this.open(input.scannerId)
    } catch (error) {
      this.running.delete(jobId)
      throw error
    }
    const duplex = input.source === 'feederDuplex' || input.duplex === true
    const settings = { source: input.source === 'platen' ? 'platen' : 'feeder', duplex, colorMode: input.colorMode, dpi: input.dpi } as const
    void this.run(jobId, input.scannerId, (onPage, signal) => source.scan(settings, onPage, signal), controller)
    return { jobId }
  }

  /** A job over pages already at hand (an imported PDF's), with the same page cap, cancel and end as a scanner's. */
  startFeed(name: string, feed: PageFeed): { jobId: string } {
    const feeding = [...this.running.values()].filter((job) => job.scannerId === undefined).length
    if (feeding >= MAX_FEED_JOBS) throw new MotcuaError('unavailable', `Already importing ${feeding} PDFs; wait for one to end`)
    const jobId = randomUUID()
    const controller = new AbortController()
    this.running.set(jobId, { scannerId: undefined, controller })
    void this.run(jobId, name, feed, controller)
    return { jobId }
  }

  /** False when the job is unknown or already over. */
  cancel(jobId: string): boolean {
    const job = this.running.get(jobId)
    job?.controller.abort()
    return job !== undefined
  }

  /**
   * The screen is done with a page (through the pipeline, or dropped): the job may send another. False, and logged,
   * for a page that is not awaited (an unknown job, a page not sent, one acknowledged twice).
   */
  acknowledge(jobId: string, index: number): boolean {
    const window = this.windows.get(jobId)
    if (!window?.unacked.delete(index)) {
      this.log(`Scan job ${jobId}: ignored an acknowledgement of page ${index}, which is not awaited`)
      return false
    }
    window.room?.()
    clearTimeout(window.silence)
    window.silence = undefined
    if (window.unacked.size > 0) this.watch(jobId, window)
    else if (!this.running.has(jobId)) this.windows.delete(jobId)
    return true
  }

  cancelAll(): void {
    for (const job of this.running.values()) job.controller.abort()
    for (const window of this.windows.values()) clearTimeout(window.silence)
    this.windows.clear()
  }

  /** Gives the screen up when it acknowledges nothing for ackTimeoutMs: the job is cancelled, its window forgotten. */
  private watch(jobId: string, window: PageWindow): void {
    window.silence ??= setTimeout(() => {
      this.windows.delete(jobId)
      const job = this.running.get(jobId)
      this.log(`Scan job ${jobId}: no page acknowledged for ${this.ackTimeoutMs} ms${job ? '; cancelling it' : ''}`)
      job?.controller.abort()
    }, this.ackTimeoutMs)
    // Only there to free a job nobody takes pages from; must not keep the CLI alive.
    window.silence.unref()
  }

  /** Resolves once the window has room for another page, or the job is cancelled. */
  private roomIn(window: PageWindow, signal: AbortSignal): Promise<void> {
    if (window.unacked.size < SCAN_PAGE_WINDOW || signal.aborted) return Promise.resolve()
    return new Promise((resolve) => {
      const go = (): void => {
        window.room = undefined
        signal.removeEventListener('abort', go)
        resolve()
      }
      window.room = go
      signal.addEventListener('abort', go, { once: true })
    })
  }

  /** `name` (the scanner's id, or what the feed is) is only for the log. */
  private async run(jobId: string, name: string, feed: PageFeed, controller: AbortController): Promise<void> {
    let pages = 0
    const window: PageWindow = { unacked: new Set(), room: undefined, silence: undefined }
    this.windows.set(jobId, window)
    let pageFailure: DocumentScanError | undefined
    const stopWith = (error: DocumentScanError): void => {
      pageFailure ??= error
      controller.abort()
    }
    // The source waits for each page to be passed on, and for room in the window, before it takes the next one.
    const onPage = async (page: ScannedPage): Promise<void> => {
      if (pageFailure || controller.signal.aborted) return
      // A feeder that never says "no more" (a broken scanner, a loop in the paper path) must still end.
      if (pages >= MAX_PAGES_PER_SCAN_JOB) return stopWith(new DocumentScanError('tooManyPages', `The scanner sent more than ${MAX_PAGES_PER_SCAN_JOB} pages in one job`))
      try {
        const fitted = await fitPageForEvent(page)
        if (controller.signal.aborted) return
        const index = pages++
        // Awaited before the event goes out: a screen may acknowledge the page at once.
        window.unacked.add(index)
        this.watch(jobId, window)
        this.events.page({ jobId, index, imageBase64: Buffer.from(fitted.bytes).toString('base64'), mime: fitted.mime, dpi: fitted.dpi })
        await this.roomIn(window, controller.signal)
      } catch (error) {
        stopWith(error instanceof DocumentScanError ? error : new DocumentScanError('scanFailed', String(error)))
      }
    }
    let failure: DocumentScanError | undefined
    try {
      await feed(onPage, controller.signal)
    } catch (error) {
      failure = error instanceof DocumentScanError ? error : new DocumentScanError('scanFailed', error instanceof Error ? error.message : String(error))
    }
    // A page that could not be passed on is why the scan was stopped, not the cancellation that followed.
    failure = pageFailure ?? (controller.signal.aborted ? new DocumentScanError('cancelled', 'Scan cancelled') : failure)
    this.running.delete(jobId)
    if (window.unacked.size === 0) {
      clearTimeout(window.silence)
      this.windows.delete(jobId)
    }
    if (failure) this.log(`Scan job ${jobId} on ${name}: ${failure.code}: ${failure.message}`)
    this.events.finished({ jobId, pages, ...(failure && { error: failure.code }) })
  }
}
