import type { CaptureMode } from '../../../../shared/capture/types'
import type { DocumentScannerCapabilities } from '../../../../shared/contract/document-scanner-schemas'
import { DocumentScanError } from './scanner-errors'

/** What the clerk asked for, after feederDuplex was split into feeder + duplex. */
export interface ScanSettings {
  readonly source: 'platen' | 'feeder'
  readonly duplex: boolean
  readonly colorMode: CaptureMode
  readonly dpi: number
}

/** A page as the scanner sent it: a JPEG or PNG file and the resolution it was scanned at. */
export interface ScannedPage {
  readonly bytes: Uint8Array
  readonly mime: 'image/jpeg' | 'image/png'
  readonly dpi: number
}

export type PageSink = (page: ScannedPage) => void | Promise<void>

/** One scanner, whatever protocol reaches it. */
export interface DocumentScanSource {
  capabilities(): Promise<DocumentScannerCapabilities>
  /**
   * Resolves when the last page is delivered; rejects with a DocumentScanError (cancelled when the signal aborts).
   * The next page waits for onPage's promise, so a slow consumer holds the pages back instead of piling them up.
   */
  scan(settings: ScanSettings, onPage: PageSink, signal: AbortSignal): Promise<void>
}

/** The usual resolutions offered from a scanner that accepts a range. */
const COMMON_RESOLUTIONS = [75, 100, 150, 200, 240, 300, 400, 600, 1200]

export function resolutionsInRange(min: number, max: number, step: number): number[] {
  const inRange = COMMON_RESOLUTIONS.filter((dpi) => dpi >= min && dpi <= max && (step <= 1 || (dpi - min) % step === 0))
  return inRange.length > 0 ? inRange : [max]
}

/** The scanner's smallest resolution at or above the one asked for, else its largest: processPage resamples to its dpi. */
export function chooseResolution(supported: readonly number[], requested: number): number {
  const sorted = [...supported].sort((a, b) => a - b)
  return sorted.find((dpi) => dpi >= requested) ?? sorted[sorted.length - 1]!
}

/** Gray stands in for black-and-white: our pipeline thresholds adaptively, a scanner's fixed threshold loses faint stamps. */
export function scannerColorMode(mode: CaptureMode): 'color' | 'gray' {
  return mode === 'color' ? 'color' : 'gray'
}

const cancelled = (): DocumentScanError => new DocumentScanError('cancelled', 'Scan cancelled')

/** Throws `cancelled` once the signal has aborted: checked between the steps of a scan. */
export function throwIfCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw cancelled()
}

/** Waits, or ends early with `cancelled` when the signal aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(cancelled())
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(cancelled())
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal.addEventListener('abort', onAbort, { once: true })
  })
}
