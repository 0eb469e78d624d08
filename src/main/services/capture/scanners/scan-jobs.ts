import { randomUUID } from 'node:crypto'
import sharp from 'sharp'
import { MotcuaError } from '../../../../shared/contract/dispatch'
import { MAX_PAGES_PER_SCAN_JOB, MAX_SCANNED_PAGE_BYTES, type DocumentScanFinished, type DocumentScanPage, type ScanDocumentsInput } from '../../../../shared/contract/document-scanner-schemas'
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

/** PDF imports at once: each holds its file in memory and runs pdftoppm, on machines with two cores. */
const MAX_FEED_JOBS = 2

/**
 * Scan jobs: started by scanDocuments (or importPdfPages), pages streamed as they come (documentScanPage), then
 * one documentScanFinished with how many pages came and why it stopped early, if it did. One job per scanner.
 */
export class DocumentScanJobs {
  private readonly running = new Map<string, RunningJob>()

  constructor(
    private readonly open: (scannerId: string) => Promise<DocumentScanSource>,
    private readonly events: ScanJobEvents,
    private readonly log: (line: string) => void,
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

  cancelAll(): void {
    for (const job of this.running.values()) job.controller.abort()
  }

  /** `name` (the scanner's id, or what the feed is) is only for the log. */
  private async run(jobId: string, name: string, feed: PageFeed, controller: AbortController): Promise<void> {
    let pages = 0
    let pageFailure: DocumentScanError | undefined
    const stopWith = (error: DocumentScanError): void => {
      pageFailure ??= error
      controller.abort()
    }
    // The source waits for each page to be passed on before it takes the next one.
    const onPage = async (page: ScannedPage): Promise<void> => {
      if (pageFailure || controller.signal.aborted) return
      // A feeder that never says "no more" (a broken scanner, a loop in the paper path) must still end.
      if (pages >= MAX_PAGES_PER_SCAN_JOB) return stopWith(new DocumentScanError('tooManyPages', `The scanner sent more than ${MAX_PAGES_PER_SCAN_JOB} pages in one job`))
      try {
        const fitted = await fitPageForEvent(page)
        if (controller.signal.aborted) return
        this.events.page({ jobId, index: pages++, imageBase64: Buffer.from(fitted.bytes).toString('base64'), mime: fitted.mime, dpi: fitted.dpi })
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
    if (failure) this.log(`Scan job ${jobId} on ${name}: ${failure.code}: ${failure.message}`)
    this.events.finished({ jobId, pages, ...(failure && { error: failure.code }) })
  }
}
