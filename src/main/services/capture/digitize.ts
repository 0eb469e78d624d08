import { X509Certificate } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import sharp from 'sharp'
import { MAX_DIGITIZE_SEQUENCE } from '../../../shared/contract/capture-schemas'
import { DossierCodeSchema } from '../../../shared/domain/dossier/dossier-code'
import { vietnamClock, vietnamDay, vietnameseDate } from '../../../shared/domain/time'
import { signPdf } from '../signing/pades'
import type { Signer } from '../signing/signer'
import { createOcrEngine, type OcrEngine, type OcrPage } from './ocr/tesseract-ocr'
import { assembleArchivalPdf, checkArchivalPages, type ArchivalPdfPage } from './pdf/archival-pdf'
import { ArchivalPdfError } from './pdf/errors'
import type { ProcessedPage } from './page-processor'

/**
 * A dossier's papers, captured and processed page by page, become one signed archival PDF: OCR for the text
 * layer and for search, PDF/A-2b assembly, the digitiser's name and time on page 1, and the digitiser's
 * PAdES signature over it all (Circular 01/2023/TT-VPCP art. 8).
 */

/** What the archival PDF needs of a processed page: the stored image, its size and dpi, and the OCR picture. */
export type DigitizablePage = Pick<ProcessedPage, 'widthPx' | 'heightPx' | 'dpi' | 'encoding' | 'bytes' | 'ocrImage'>

export interface ArchivalPage {
  readonly page: DigitizablePage
  /** The required paper's name (e.g. "Tờ khai đăng ký khai sinh"), shown as the page label. */
  readonly label?: string
}

export interface DigitizeOptions {
  /** The app's resources folder: the font (fonts/LiberationSerif-Regular.ttf) and the sRGB profile (icc/sRGB.icc). */
  resourcesDir: string
  /** Names the file `${dossierCode}.${sequence}.pdf` (Circular 05/2025/TT-BNV). */
  dossierCode?: string
  /** 1 for the dossier's first digitized PDF; default 1. */
  sequence?: number
  ocr: boolean
  /** The digitiser's key: without it the PDF is not signed, and not yet the legal electronic copy. */
  signer?: Signer
  /** Shown at the top left of page 1; defaults to the signer certificate's common name. */
  digitizerName?: string
  /** The signature's /Location, e.g. the ward's one-stop centre. */
  location?: string
  now?: () => Date
  onProgress?(done: number, total: number): void
}

export interface DigitizedDocument {
  readonly pdf: Uint8Array
  readonly fileName: string
  /** The OCR text of every page, pages separated by form feeds as pdftotext does; '' without OCR. */
  readonly text: string
}

const FONT_FILE = join('fonts', 'LiberationSerif-Regular.ttf')
const SRGB_PROFILE_FILE = join('icc', 'sRGB.icc')
const APP_NAME = 'Một Cửa Kiosk'
const SIGNING_REASON = 'Số hoá tài liệu giấy (Thông tư 01/2023/TT-VPCP)'

/** `${dossierCode}.${sequence}.pdf`, or a name from the time when the document belongs to no dossier yet. */
export function archivalFileName(dossierCode: string | undefined, sequence: number | undefined, now: Date): string {
  const number = sequence ?? 1
  if (!(Number.isSafeInteger(number) && number >= 1 && number <= MAX_DIGITIZE_SEQUENCE)) throw new ArchivalPdfError('invalidSequence', `The sequence must be a whole number from 1 to ${MAX_DIGITIZE_SEQUENCE}; got ${sequence}`)
  if (dossierCode === undefined) return `ban-so-hoa-${vietnamDay(now.getTime()).replaceAll('-', '')}-${vietnamClock(now.getTime()).replace(':', '')}.${number}.pdf`
  const parsed = DossierCodeSchema.safeParse(dossierCode)
  if (!parsed.success) throw new ArchivalPdfError('invalidDossierCode', `Not a dossier code ({agency}-{yyMMdd}-{sequence}): ${JSON.stringify(dossierCode.slice(0, 40))}`)
  return `${parsed.data}.${number}.pdf`
}

function commonNameOf(signer: Signer | undefined): string | undefined {
  const leaf = signer?.certificateChain[0]
  return leaf === undefined ? undefined : /^CN=(.+)$/m.exec(new X509Certificate(leaf).subject)?.[1]
}

/** "Người số hoá: NAME — Thời gian: dd/mm/yyyy HH:mm", in Vietnam time. */
export function digitizerStamp(name: string, at: Date): string {
  const epochMs = at.getTime()
  return `Người số hoá: ${name} — Thời gian: ${vietnameseDate(vietnamDay(epochMs))} ${vietnamClock(epochMs)}`
}

async function recognizeAll(pages: readonly ArchivalPage[], options: DigitizeOptions): Promise<Array<OcrPage | undefined>> {
  if (!options.ocr) {
    options.onProgress?.(pages.length, pages.length)
    return pages.map(() => undefined)
  }
  const engine: OcrEngine = await createOcrEngine('vie')
  try {
    const results: OcrPage[] = []
    for (const { page } of pages) {
      results.push(await engine.recognize(page.ocrImage))
      options.onProgress?.(results.length, pages.length)
    }
    return results
  } finally {
    await engine.terminate()
  }
}

async function ocrImageSize(page: DigitizablePage): Promise<{ widthPx: number; heightPx: number }> {
  const { width, height } = await sharp(page.ocrImage).metadata()
  return { widthPx: width ?? page.widthPx, heightPx: height ?? page.heightPx }
}

/** The signed (when a signer is given) PDF/A-2b of `pages`, in their order, one PDF page per physical page. */
export async function buildArchivalPdf(pages: readonly ArchivalPage[], options: DigitizeOptions): Promise<DigitizedDocument> {
  const now = (options.now ?? (() => new Date()))()
  const fileName = archivalFileName(options.dossierCode, options.sequence, now)
  checkArchivalPages(pages.map(({ page }) => page))
  const [font, srgbProfile] = await Promise.all([readFile(join(options.resourcesDir, FONT_FILE)), readFile(join(options.resourcesDir, SRGB_PROFILE_FILE))])
  const ocr = await recognizeAll(pages, options)

  const pdfPages: ArchivalPdfPage[] = []
  for (const [index, { page, label }] of pages.entries()) {
    const words = ocr[index]?.words
    pdfPages.push({
      encoding: page.encoding,
      bytes: page.bytes,
      widthPx: page.widthPx,
      heightPx: page.heightPx,
      dpi: page.dpi,
      ...(label !== undefined && { label: label.normalize('NFC') }),
      ...(words !== undefined && { ocr: { ...(await ocrImageSize(page)), words } }),
    })
  }

  const digitizerName = (options.digitizerName ?? commonNameOf(options.signer))?.normalize('NFC')
  const { pdf, stamp } = await assembleArchivalPdf(pdfPages, {
    title: options.dossierCode === undefined ? 'Bản số hoá tài liệu giấy' : `Bản số hoá hồ sơ ${options.dossierCode}`,
    ...(digitizerName !== undefined && { author: digitizerName, stamp: digitizerStamp(digitizerName, now) }),
    createdAt: now,
    creatorTool: APP_NAME,
    producer: `${APP_NAME} (pdf-lib)`,
    font,
    srgbProfile,
  })
  const text = options.ocr ? ocr.map((page) => page?.text ?? '').join('\f') : ''
  if (options.signer === undefined) return { pdf, fileName, text }

  const signed = await signPdf(Buffer.from(pdf), {
    signer: options.signer,
    reason: SIGNING_REASON,
    location: options.location ?? '',
    ...(digitizerName !== undefined && { name: digitizerName }),
    // The widget sits over the stamp drawn in the page, which shows the name in Vietnamese.
    ...(stamp !== undefined && { visible: stamp }),
    now: () => now,
  })
  return { pdf: signed, fileName, text }
}
