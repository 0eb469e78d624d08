import { PDF_RENDERER_MISSING, type CaptureRefusal } from '../../../../shared/contract/capture-schemas'
import { MotcuaError } from '../../../../shared/contract/dispatch'
import { MAX_PAGES_PER_SCAN_JOB } from '../../../../shared/contract/document-scanner-schemas'
import { PdfInputError, type PdfInputErrorCode } from '../pdf/errors'
import { kindOfFile } from '../../../../shared/capture/file-kinds'
import { openPdfPages, type PdfPages } from '../pdf/rasterize-input'
import type { PageFeed } from './scan-jobs'
import { DocumentScanError } from './scanner-errors'

/** How each reason a PDF is refused reaches the screen: the clerk's file, or this machine lacking poppler. */
const REFUSALS: Record<PdfInputErrorCode, CaptureRefusal | typeof PDF_RENDERER_MISSING> = {
  unreadablePdf: 'unreadablePdf',
  encryptedPdf: 'encryptedPdf',
  pageTooLarge: 'pageTooLarge',
  tooManyPages: 'tooManyPdfPages',
  rasterizerMissing: PDF_RENDERER_MISSING,
}

/**
 * An imported PDF as a scan job's pages (what many office scanners save). The whole file is checked first, so a
 * PDF that cannot be taken is refused at once with its reason instead of ending a job that had already begun; the
 * pages are then rendered one at a time, each waiting for the job to pass the one before on.
 */
export async function openPdfFeed(bytes: Uint8Array, dpi: number): Promise<{ pages: number; feed: PageFeed }> {
  let pdf: PdfPages
  try {
    if (kindOfFile(bytes) !== 'pdf') throw new PdfInputError('unreadablePdf', 'The imported file has no PDF header')
    pdf = await openPdfPages(bytes, dpi, 'The imported PDF', MAX_PAGES_PER_SCAN_JOB)
  } catch (error) {
    if (!(error instanceof PdfInputError)) throw error
    const reason = REFUSALS[error.code]
    throw new MotcuaError(reason === PDF_RENDERER_MISSING ? 'unavailable' : 'invalidInput', error.message, reason)
  }
  const feed: PageFeed = async (onPage, signal) => {
    try {
      for await (const png of pdf.render(signal)) await onPage({ bytes: png, mime: 'image/png', dpi })
    } catch (error) {
      // A page pdftoppm cannot render (or a renderer gone since the check) ends the job; the pages before it stay.
      if (error instanceof PdfInputError) throw new DocumentScanError(error.code === 'unreadablePdf' ? 'unreadablePdf' : 'scanFailed', error.message, { cause: error })
      throw error
    }
  }
  return { pages: pdf.count, feed }
}
