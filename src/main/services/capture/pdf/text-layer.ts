import {
  beginText,
  endText,
  PDFOperator,
  popGraphicsState,
  pushGraphicsState,
  setCharacterSqueeze,
  setFontAndSize,
  setTextMatrix,
  setTextRenderingMode,
  showText,
  TextRenderingMode,
  type PDFFont,
  type PDFName,
} from 'pdf-lib'
import type { OcrWord } from '../ocr/tesseract-ocr'

/**
 * The invisible text layer of a scanned page: each OCR word set in the embedded font with text render mode 3
 * (neither filled nor stroked), on its line's baseline, its font size from the line's height and horizontally
 * scaled (Tz) so it spans the word's box. Viewers then find, select and copy the words where the picture shows them.
 */

export interface TextLayerGeometry {
  /** PDF points per OCR-image pixel, horizontally and vertically. */
  readonly scaleX: number
  readonly scaleY: number
  readonly pageHeightPt: number
}

/** Tz outside this range means a box tesseract got wrong; clamping keeps a stray word from covering the page. */
const SQUEEZE_PERCENT = { min: 10, max: 500 }

/**
 * The word with only the characters the font can draw: PDF/A forbids showing .notdef, and OCR can return
 * symbols outside Liberation Serif (Vietnamese, Latin and common punctuation are all in it).
 */
export function drawableText(hasGlyph: (codePoint: number) => boolean, text: string): string {
  return [...text].filter((character) => hasGlyph(character.codePointAt(0)!)).join('')
}

/** The embedded font, with the question pdf-lib does not answer: does it have a glyph for this code point? */
export interface TextLayerFont {
  readonly pdfFont: PDFFont
  readonly resourceName: PDFName
  hasGlyph(codePoint: number): boolean
}

export function invisibleTextOperators(words: readonly OcrWord[], { pdfFont: font, resourceName: fontResourceName, hasGlyph }: TextLayerFont, geometry: TextLayerGeometry): PDFOperator[] {
  const glyphHeightPerPoint = font.heightAtSize(1, { descender: true })
  const operators: PDFOperator[] = []
  let currentSize = Number.NaN
  for (const word of words) {
    const text = drawableText(hasGlyph, word.text)
    const boxWidthPt = (word.box.x1 - word.box.x0) * geometry.scaleX
    if (text === '' || boxWidthPt <= 0 || word.lineHeight <= 0) continue
    const size = Math.round(((word.lineHeight * geometry.scaleY) / glyphHeightPerPoint) * 100) / 100
    const naturalWidth = font.widthOfTextAtSize(text, size)
    if (naturalWidth <= 0) continue
    const squeeze = Math.min(SQUEEZE_PERCENT.max, Math.max(SQUEEZE_PERCENT.min, (100 * boxWidthPt) / naturalWidth))
    if (size !== currentSize) operators.push(setFontAndSize(fontResourceName, size))
    currentSize = size
    const x = word.box.x0 * geometry.scaleX
    const y = geometry.pageHeightPt - word.baseline * geometry.scaleY
    operators.push(setCharacterSqueeze(Math.round(squeeze * 100) / 100), setTextMatrix(1, 0, 0, 1, round(x), round(y)), showText(font.encodeText(text)))
  }
  if (operators.length === 0) return []
  // q/Q: the render mode and Tz are graphics state and would otherwise leak into whatever is drawn next.
  return [pushGraphicsState(), beginText(), setTextRenderingMode(TextRenderingMode.Invisible), ...operators, endText(), popGraphicsState()]
}

const round = (value: number): number => Math.round(value * 100) / 100
