import { captureRefusalOf, PDF_RENDERER_MISSING, type CaptureRefusal } from '../../../shared/contract/capture-schemas'
import { MotcuaError } from '../../../shared/contract/dispatch'
import type { MessageKey } from '../i18n/messages'

/** A page on the board whose sealed file is no longer in IndexedDB (storage cleared behind the app's back). */
export class MissingPageError extends Error {
  override readonly name = 'MissingPageError'
}

const REFUSAL_MESSAGES: Record<CaptureRefusal, MessageKey> = {
  unreadableImage: 'capture.unreadableImage',
  imageTooLarge: 'capture.imageTooLarge',
  imageTooSmall: 'capture.imageTooSmall',
  tooManyPages: 'capture.tooManyPages',
  unreadablePdf: 'capture.unreadablePdf',
  encryptedPdf: 'capture.encryptedPdf',
  pageTooLarge: 'capture.pageTooLarge',
  tooManyPdfPages: 'capture.tooManyPdfPages',
}

/**
 * What the screen says about a failed capture or PDF when the pages (or an imported PDF) are the cause, or when
 * this machine cannot render PDFs; undefined for every other failure, which describeError words. Any other bad
 * input while capturing can only be the picture itself.
 */
export function captureProblemKey(error: unknown): MessageKey | undefined {
  if (error instanceof MissingPageError) return 'capture.pageMissing'
  if (error instanceof MotcuaError && error.code === 'unavailable' && error.reason === PDF_RENDERER_MISSING) return 'capture.pdfRendererMissing'
  if (!(error instanceof MotcuaError) || error.code !== 'invalidInput') return undefined
  const reason = captureRefusalOf(error.reason)
  return reason ? REFUSAL_MESSAGES[reason] : 'capture.unreadableImage'
}
