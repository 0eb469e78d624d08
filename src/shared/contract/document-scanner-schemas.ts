import { z } from 'zod'
import { CaptureModeSchema, MAX_PAGES_PER_PDF } from './capture-schemas'

/**
 * Document scanners through the contract (issue #8): network scanners over eSCL (AirScan), SANE devices on
 * Linux, and the scan jobs whose pages stream to the screen as events.
 */

export const DOCUMENT_SCANNER_KINDS = ['escl', 'sane'] as const
export const SCAN_SOURCES = ['platen', 'feeder', 'feederDuplex'] as const
export type ScanSource = (typeof SCAN_SOURCES)[number]

/**
 * Why a scan job ended early, for the screen to say in Vietnamese. unreachable: no connection; timeout: the
 * scanner stopped answering; scannerBusy: still busy after the retries; badResponse: an answer that is not eSCL
 * (or an image that is not JPEG/PNG); pageTooLarge: a page that cannot be brought under the event limit;
 * tooManyPages: the job went past MAX_PAGES_PER_SCAN_JOB (a feeder that never runs empty); unreadablePdf: an
 * imported PDF's page that pdftoppm could not render.
 */
export const DOCUMENT_SCAN_ERROR_CODES = [
  'unreachable',
  'timeout',
  'scannerBusy',
  'feederEmpty',
  'paperJam',
  'coverOpen',
  'badResponse',
  'pageTooLarge',
  'tooManyPages',
  'unsupportedSettings',
  'saneUnavailable',
  'unreadablePdf',
  'scanFailed',
  'cancelled',
] as const
export type DocumentScanErrorCode = (typeof DOCUMENT_SCAN_ERROR_CODES)[number]

/** A job's pages are one paper's, and no paper has more pages than one archival PDF takes. */
export const MAX_PAGES_PER_SCAN_JOB = MAX_PAGES_PER_PDF

/** A page crosses to the screen as base64 in one event: at most 8 MB of text, so 6 MB of image. */
export const MAX_SCANNED_PAGE_BYTES = 6_000_000

/**
 * Pages a job may have sent that the screen has not acknowledged (acknowledgeScanPage). The screen takes one page
 * at a time through the pipeline (seconds each): three keep it fed (one in the pipeline, one waiting, one on its
 * way) while the rest of a 200-page colour PDF or feeder batch waits in pdftoppm or the scanner, not as up to
 * 8 MB of base64 each in the screen's memory.
 */
export const SCAN_PAGE_WINDOW = 3

/** Where a technician reaches a network scanner: http(s)://IP[:port]/eSCL, or just its IP address or host name. */
export const EsclAddressInputSchema = z.string().trim().min(1).max(300)

export const DocumentScannerCapabilitiesSchema = z
  .object({
    sources: z.array(z.enum(SCAN_SOURCES)).min(1).max(3),
    colorModes: z.array(CaptureModeSchema).min(1).max(3),
    resolutions: z.array(z.number().int().min(1).max(9600)).min(1).max(64),
    maxWidthMm: z.number().positive().max(10_000),
    maxHeightMm: z.number().positive().max(100_000),
  })
  .strict()
export type DocumentScannerCapabilities = z.infer<typeof DocumentScannerCapabilitiesSchema>

export const DocumentScannerIdSchema = z.string().min(1).max(400)

export const DocumentScannerSchema = z
  .object({
    /** escl:<address> or sane:<device name>. */
    id: DocumentScannerIdSchema,
    name: z.string().max(300),
    kind: z.enum(DOCUMENT_SCANNER_KINDS),
    /** The eSCL base URL, or the SANE device name. */
    address: z.string().max(400),
    capabilities: DocumentScannerCapabilitiesSchema,
  })
  .strict()
export type DocumentScanner = z.infer<typeof DocumentScannerSchema>

/** The ways this machine can reach scanners, and the technician's scanners that do not answer. */
export const DocumentScannerSourcesSchema = z
  .object({
    sources: z.array(z.object({ kind: z.enum(['escl', 'sane', 'wia']), available: z.boolean(), message: z.string().max(500) }).strict()).max(3),
    unreachable: z.array(z.object({ address: z.string().max(400), error: z.enum(DOCUMENT_SCAN_ERROR_CODES), message: z.string().max(500) }).strict()).max(32),
  })
  .strict()
export type DocumentScannerSources = z.infer<typeof DocumentScannerSourcesSchema>

export const ScanJobIdSchema = z.uuid()

/** An imported PDF's job: its pages come as a scanner's do, and how many to expect is known from the start. */
export const ImportPdfPagesOutputSchema = z.object({ jobId: ScanJobIdSchema, pages: z.number().int().min(1).max(MAX_PAGES_PER_SCAN_JOB) }).strict()

export const ScanDocumentsInputSchema = z
  .object({
    scannerId: DocumentScannerIdSchema,
    /** feederDuplex is the same as feeder with duplex. */
    source: z.enum(SCAN_SOURCES),
    colorMode: CaptureModeSchema,
    /** The scanner's nearest resolution at or above this one is used; each page says which. */
    dpi: z.number().int().min(50).max(1200),
    duplex: z.boolean().optional(),
  })
  .strict()
  .refine((input) => !(input.duplex === true && input.source === 'platen'), { message: 'duplex needs the feeder', path: ['duplex'] })
export type ScanDocumentsInput = z.infer<typeof ScanDocumentsInputSchema>

/** 0-based, in the order the scanner delivered them (duplex: front, back, front, ...). */
const ScanPageIndexSchema = z.number().int().min(0).max(MAX_PAGES_PER_SCAN_JOB - 1)

export const DocumentScanPageSchema = z
  .object({
    jobId: ScanJobIdSchema,
    index: ScanPageIndexSchema,
    imageBase64: z.base64().min(4).max(Math.ceil(MAX_SCANNED_PAGE_BYTES / 3) * 4),
    mime: z.enum(['image/jpeg', 'image/png']),
    dpi: z.number().int().min(1).max(9600),
  })
  .strict()
export type DocumentScanPage = z.infer<typeof DocumentScanPageSchema>

/** The screen is done with a page: main sends the job's next one only when fewer than its window are unacknowledged. */
export const AcknowledgeScanPageInputSchema = z.object({ jobId: ScanJobIdSchema, index: ScanPageIndexSchema }).strict()

export const DocumentScanFinishedSchema = z
  .object({
    jobId: ScanJobIdSchema,
    /** Pages delivered before the end, whatever the end was. */
    pages: z.number().int().min(0).max(MAX_PAGES_PER_SCAN_JOB),
    error: z.enum(DOCUMENT_SCAN_ERROR_CODES).optional(),
  })
  .strict()
export type DocumentScanFinished = z.infer<typeof DocumentScanFinishedSchema>
