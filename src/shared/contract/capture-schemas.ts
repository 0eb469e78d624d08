import { z } from 'zod'
import { PAGE_SOURCES } from '../capture/types'
import { DossierCodeSchema } from '../domain/dossier/dossier-code'
import { MAX_BLOB_BYTES, SealedBlobSchema } from '../domain/eventlog/envelope'

/** Digitizing paper documents (issue #8) through the contract: captured pages, their PDF, and progress. */

const Sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'sha256: 64 lowercase hex digits')
/** A camera frame or an imported file: a 4K JPEG is a few MB, a large PNG or TIFF up to ~30 MB. */
export const MAX_IMAGE_BYTES = 32 * 1024 * 1024
const base64Of = (maxBytes: number) => z.base64().max(Math.ceil(maxBytes / 3) * 4)

export const CaptureModeSchema = z.enum(['color', 'gray', 'bw'])
export const PageSourceSchema = z.enum(PAGE_SOURCES)
const PointSchema = z.object({ x: z.number().finite().min(-100_000).max(100_000), y: z.number().finite().min(-100_000).max(100_000) }).strict()
/** top-left, top-right, bottom-right, bottom-left, in source pixels. */
export const QuadSchema = z.tuple([PointSchema, PointSchema, PointSchema, PointSchema]).readonly()

/** What a processed page is, without its bytes: nothing personal, so it may rest in clear next to the sealed bytes. */
export const CapturedPageSchema = z
  .object({
    sha256: Sha256Schema,
    /** Size of the encoded page (the blob's plaintext). */
    bytes: z.number().int().min(1).max(MAX_BLOB_BYTES),
    widthPx: z.number().int().min(1).max(30_000),
    heightPx: z.number().int().min(1).max(30_000),
    dpi: z.number().int().min(50).max(1200),
    encoding: z.enum(['jpeg', 'ccitt-g4']),
    rotation: z.union([z.literal(0), z.literal(90), z.literal(180), z.literal(270)]),
    deskewDegrees: z.number().finite().min(-90).max(90),
    blank: z.boolean(),
    quality: z
      .object({
        score: z.number().min(0).max(1),
        sharpness: z.number().finite().min(0),
        glareShare: z.number().min(0).max(1),
        warnings: z.array(z.enum(['noPageFound', 'blurry', 'glare', 'tooDark', 'lowResolution'])).max(5),
      })
      .strict(),
  })
  .strict()
export type CapturedPage = z.infer<typeof CapturedPageSchema>

export const ProcessCapturedPageInputSchema = z
  .object({
    /** The image file (JPEG, PNG, TIFF, WebP) as the camera or the clerk's file gave it. */
    imageBase64: base64Of(MAX_IMAGE_BYTES).min(4),
    mode: CaptureModeSchema,
    dpi: z.union([z.literal(200), z.literal(300)]),
    source: PageSourceSchema,
    corners: QuadSchema.optional(),
  })
  .strict()

/**
 * A PDF the clerk imports (what office scanners save): 64 MiB takes a whole dossier scanned at 300 dpi in colour
 * (a few hundred KB a page) or grey; a larger file is a second import. main holds it, and a copy on disk for
 * pdftoppm, while its pages are rendered.
 */
export const MAX_PDF_BYTES = 64 * 1024 * 1024

export const ImportPdfPagesInputSchema = z
  .object({
    pdfBase64: base64Of(MAX_PDF_BYTES).min(4),
    /** The archival dpi the pages are rendered at. */
    dpi: z.union([z.literal(200), z.literal(300)]),
  })
  .strict()

/** A processed page: its description, its bytes sealed with the device data key, and its thumbnail (clear, for the screen's memory; sealed, for IndexedDB). */
export const CapturedPageOutputSchema = z
  .object({
    page: CapturedPageSchema,
    sealed: SealedBlobSchema,
    thumbnailBase64: base64Of(1024 * 1024),
    sealedThumbnail: SealedBlobSchema,
  })
  .strict()
export type CapturedPageOutput = z.infer<typeof CapturedPageOutputSchema>

export const RotateCapturedPageInputSchema = z
  .object({ sealed: SealedBlobSchema, page: CapturedPageSchema, quarterTurns: z.number().int().min(1).max(3) })
  .strict()

export const MAX_PAGES_PER_PDF = 200
/** How many times one dossier may be digitized: its PDFs are numbered 1 to 999 in their file names. */
export const MAX_DIGITIZE_SEQUENCE = 999

/**
 * Why a page or a PDF was refused as bad input (an invalidInput error's reason), for the screen to say which in
 * Vietnamese. The last four refuse an imported PDF before its job starts: not a PDF pdf-lib can read, encrypted,
 * a page over the pipeline's pixel limit at the dpi, more pages than one job takes.
 */
export const CAPTURE_REFUSALS = ['unreadableImage', 'imageTooLarge', 'imageTooSmall', 'tooManyPages', 'unreadablePdf', 'encryptedPdf', 'pageTooLarge', 'tooManyPdfPages'] as const
export type CaptureRefusal = (typeof CAPTURE_REFUSALS)[number]

/** The error's reason when it is one of the capture refusals (the error came from outside). */
export function captureRefusalOf(reason: string | undefined): CaptureRefusal | undefined {
  return CAPTURE_REFUSALS.find((refusal) => refusal === reason)
}

/** An unavailable error's reason when this machine has no pdftoppm (poppler) to render an imported PDF's pages. */
export const PDF_RENDERER_MISSING = 'pdfRendererMissing'

export const BuildDossierPdfInputSchema = z
  .object({
    dossierCode: DossierCodeSchema,
    /** 1 for the dossier's first PDF, 2 when it is digitized again. */
    sequence: z.number().int().min(1).max(MAX_DIGITIZE_SEQUENCE),
    pages: z
      .array(z.object({ sealed: SealedBlobSchema, page: CapturedPageSchema, label: z.string().trim().min(1).max(300).optional() }).strict())
      .min(1)
      .max(MAX_PAGES_PER_PDF),
    ocr: z.boolean(),
    /** The signed-in clerk; main falls back to the counter's name. */
    digitizerName: z.string().trim().min(1).max(120).optional(),
  })
  .strict()

export const BuildDossierPdfOutputSchema = z
  .object({
    sealedPdf: SealedBlobSchema,
    sha256: Sha256Schema,
    fileName: z.string().regex(/^[\w.-]{1,200}$/),
    pages: z.number().int().min(1).max(MAX_PAGES_PER_PDF),
    bytes: z.number().int().min(1).max(MAX_BLOB_BYTES),
    textChars: z.number().int().min(0),
  })
  .strict()

export const OpenSealedBlobInputSchema = z.object({ sealed: SealedBlobSchema }).strict()
export const OpenSealedBlobOutputSchema = z.object({ base64: base64Of(MAX_BLOB_BYTES) }).strict()

export const DigitizeProgressSchema = z
  .object({
    done: z.number().int().min(0),
    total: z.number().int().min(0),
    /** opening: the pages' seals; pages: laying out (and reading, with OCR) page by page; sealing: the signed PDF. */
    stage: z.enum(['opening', 'pages', 'sealing']),
  })
  .strict()
export type DigitizeProgress = z.infer<typeof DigitizeProgressSchema>
