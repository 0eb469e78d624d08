import { createHash } from 'node:crypto'
import fontkit from '@pdf-lib/fontkit'
import {
  concatTransformationMatrix,
  drawObject,
  PDFDocument,
  PDFName,
  popGraphicsState,
  pushGraphicsState,
  rgb,
  type PDFFont,
  type PDFPage,
} from 'pdf-lib'
import type { OcrWord } from '../ocr/tesseract-ocr'
import { ArchivalPdfError } from './errors'
import { embedPageImage, type PageImage } from './page-images'
import { addSrgbOutputIntent, describeDocument, setDocumentId, setPageLabels, type DocumentDescription } from './pdfa'
import { drawableText, invisibleTextOperators } from './text-layer'

/**
 * The archival copy of a scanned paper as Decree 30/2020 (annex I), Circular 01/2023/TT-VPCP and Circular
 * 05/2025/TT-BNV ask for it: PDF/A-2b, one page per physical page in order, each at its physical size with
 * the scan as the page's picture (JPEG as it came, bilevel as CCITT G4) and the OCR text invisibly on top.
 */

/** Decree 30/2020 annex I: scans of at least 200 dpi. */
export const MIN_ARCHIVAL_DPI = 200
const POINTS_PER_INCH = 72
const POINTS_PER_MM = POINTS_PER_INCH / 25.4

export interface ArchivalPdfPage extends PageImage {
  readonly dpi: number
  /** The name of the required paper this page belongs to, for the page labels. */
  readonly label?: string
  /** The OCR words, in px of an image of ocrWidthPx × ocrHeightPx showing the same page. */
  readonly ocr?: { readonly widthPx: number; readonly heightPx: number; readonly words: readonly OcrWord[] }
}

export interface ArchivalPdfOptions extends DocumentDescription {
  /** A TrueType font with Vietnamese (Liberation Serif): embedded as a subset for the text layer and the stamp. */
  readonly font: Uint8Array
  /** The sRGB ICC profile of the output intent. */
  readonly srgbProfile: Uint8Array
  /** One line drawn at the top left of page 1 (the digitiser and the time), which the signature widget then covers. */
  readonly stamp?: string
}

/** Where the stamp is on page 1, in PDF points from the lower-left corner. */
export interface StampRectangle {
  readonly x: number
  readonly y: number
  readonly width: number
  readonly height: number
}

/** Inside the 20 mm top margin of Decree 30 documents, so it covers the margin rather than the text. */
const STAMP = { leftMm: 8, topMm: 5, fontSize: 8, padding: 3, border: 0.5 }

function drawPageImage(page: PDFPage, imageName: PDFName, widthPt: number, heightPt: number): void {
  page.pushOperators(pushGraphicsState(), concatTransformationMatrix(widthPt, 0, 0, heightPt, 0, 0), drawObject(imageName), popGraphicsState())
}

/** A white, black-framed box with the line in it: opaque paint only, PDF/A has no transparency to flatten. */
function drawStamp(page: PDFPage, font: PDFFont, text: string): StampRectangle {
  const { leftMm, topMm, fontSize, padding, border } = STAMP
  const width = font.widthOfTextAtSize(text, fontSize) + 2 * padding
  const height = font.heightAtSize(fontSize, { descender: true }) + 2 * padding
  const x = leftMm * POINTS_PER_MM
  const y = page.getHeight() - topMm * POINTS_PER_MM - height
  page.drawRectangle({ x, y, width, height, color: rgb(1, 1, 1), borderColor: rgb(0, 0, 0), borderWidth: border })
  const descent = font.heightAtSize(fontSize, { descender: true }) - font.heightAtSize(fontSize, { descender: false })
  page.drawText(text, { x: x + padding, y: y + padding + descent, size: fontSize, font, color: rgb(0, 0, 0) })
  return { x, y, width, height }
}

/** The six capitals before "+" that mark a font subset (ISO 32000-1 9.6.4), from the document's digest. */
function subsetTag(digest: Buffer): string {
  return [...digest.subarray(0, 6)].map((byte) => String.fromCharCode(65 + (byte % 26))).join('')
}

/** What can be refused before any work: no pages, or a page under the legal resolution. */
export function checkArchivalPages(pages: ReadonlyArray<{ readonly dpi: number }>): void {
  if (pages.length === 0) throw new ArchivalPdfError('noPages', 'An archival PDF needs at least one page')
  pages.forEach(({ dpi }, index) => {
    if (!(dpi >= MIN_ARCHIVAL_DPI)) throw new ArchivalPdfError('resolutionTooLow', `Page ${index + 1}: ${dpi} dpi; Decree 30/2020 asks for at least ${MIN_ARCHIVAL_DPI}`)
  })
}

/** Builds the unsigned PDF/A-2b; sign it afterwards (signPdf appends an incremental update, which PDF/A allows). */
export async function assembleArchivalPdf(pages: readonly ArchivalPdfPage[], options: ArchivalPdfOptions): Promise<{ pdf: Uint8Array; stamp?: StampRectangle }> {
  checkArchivalPages(pages)
  const contentDigest = createHash('sha256').update(options.title).update(options.createdAt.toISOString())
  for (const page of pages) contentDigest.update(page.bytes)
  const digest = contentDigest.digest()

  const doc = await PDFDocument.create({ updateMetadata: false })
  doc.registerFontkit(fontkit)
  const fontProgram = fontkit.create(options.font)
  const font = await doc.embedFont(options.font, { subset: true, customName: `${subsetTag(digest)}+${fontProgram.postscriptName}` })
  const hasGlyph = (codePoint: number): boolean => fontProgram.hasGlyphForCodePoint(codePoint)
  let stamp: StampRectangle | undefined

  for (const [index, source] of pages.entries()) {
    const widthPt = (source.widthPx / source.dpi) * POINTS_PER_INCH
    const heightPt = (source.heightPx / source.dpi) * POINTS_PER_INCH
    const page = doc.addPage([widthPt, heightPt])
    const imageName = page.node.newXObject('Scan', await embedPageImage(doc, source, index + 1))
    drawPageImage(page, imageName, widthPt, heightPt)
    if (source.ocr !== undefined && source.ocr.words.length > 0) {
      const textLayerFont = { pdfFont: font, resourceName: page.node.newFontDictionary(font.name, font.ref), hasGlyph }
      const geometry = { scaleX: widthPt / source.ocr.widthPx, scaleY: heightPt / source.ocr.heightPx, pageHeightPt: heightPt }
      page.pushOperators(...invisibleTextOperators(source.ocr.words, textLayerFont, geometry))
    }
    if (index === 0 && options.stamp !== undefined) stamp = drawStamp(page, font, drawableText(hasGlyph, options.stamp))
  }

  describeDocument(doc, options)
  addSrgbOutputIntent(doc, options.srgbProfile)
  setPageLabels(doc, pages.map((page) => page.label))
  setDocumentId(doc, digest)
  // A classic cross-reference table: the simplest structure for archive readers, and what the signature appends to.
  const pdf = await doc.save({ useObjectStreams: false, updateFieldAppearances: false })
  return stamp === undefined ? { pdf } : { pdf, stamp }
}
