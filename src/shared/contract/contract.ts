import { z } from 'zod'
import { SealedValueSchema } from '../domain/eventlog/envelope'
import { ProcedureCatalogSchema } from '../domain/dossier/procedures'
import { ReceiptDataSchema } from '../domain/dossier/receipt'
import { BuildDossierPdfInputSchema, BuildDossierPdfOutputSchema, CapturedPageOutputSchema, DigitizeProgressSchema, ImportPdfPagesInputSchema, OpenSealedBlobInputSchema, OpenSealedBlobOutputSchema, ProcessCapturedPageInputSchema, RotateCapturedPageInputSchema } from './capture-schemas'
import { ConfigureSyncInputSchema, SyncBlobOffsetInputSchema, SyncBlobProgressSchema, SyncPullInputSchema, SyncPullOutputSchema, SyncPushInputSchema, SyncPushOutputSchema, SyncStageBlobInputSchema, SyncStatusSchema, SyncUploadBlobChunkInputSchema } from './sync-schemas'
import { AcknowledgeScanPageInputSchema, DocumentScanFinishedSchema, DocumentScannerIdSchema, DocumentScannerSchema, DocumentScannerSourcesSchema, DocumentScanPageSchema, EsclAddressInputSchema, ImportPdfPagesOutputSchema, ScanDocumentsInputSchema, ScanJobIdSchema } from './document-scanner-schemas'
import { CancelIdCardReadOutputSchema, IdCardPresenceSchema, IdCardProgressSchema, ReadIdCardInputSchema, ReadIdCardOutputSchema } from './idcard-schemas'
import { DeviceConfigPatchSchema, DeviceInfoSchema, PrintTicketInputSchema, QueueSetupSchema, ScannerStatusSchema, ScanReceivedSchema, WardSchema } from './schemas'

/**
 * Every call between a screen and main, declared once. The Electron IPC handlers, the preload
 * bridge, the loopback web host, the web bridge and the command line are all derived from this
 * table, and every input is validated where it arrives.
 */
interface OperationSpec<I extends z.ZodType, O extends z.ZodType> {
  readonly input: I
  readonly output: O
  readonly summary: string
}

function operation<I extends z.ZodType, O extends z.ZodType>(spec: OperationSpec<I, O>): OperationSpec<I, O> {
  return spec
}

const NoInput = z.object({}).strict()
const PersonalFieldsSchema = z.record(z.string().regex(/^[a-zA-Z]{1,32}$/), z.string().max(2000)).refine((fields) => Object.keys(fields).length <= 20, 'at most 20 fields')

export const operations = {
  getDeviceInfo: operation({ input: NoInput, output: DeviceInfoSchema, summary: 'This device: configuration, ward, version' }),
  updateDeviceConfig: operation({
    input: DeviceConfigPatchSchema,
    output: DeviceInfoSchema,
    summary: 'Change the device configuration (technician)',
  }),
  getQueueSetup: operation({ input: NoInput, output: QueueSetupSchema, summary: 'The services residents can take a ticket for' }),
  listWards: operation({ input: NoInput, output: z.array(WardSchema), summary: "Đà Nẵng's commune-level units" }),
  sealPersonalData: operation({
    input: z.object({ fields: PersonalFieldsSchema }).strict(),
    output: SealedValueSchema,
    summary: "Encrypt a resident's personal fields with the device data key before they are stored",
  }),
  openPersonalData: operation({
    input: z.object({ sealed: SealedValueSchema }).strict(),
    output: z.object({ fields: PersonalFieldsSchema }).strict(),
    summary: 'Decrypt personal fields sealed on this device',
  }),
  printTicket: operation({
    input: PrintTicketInputSchema,
    output: z.object({ printer: z.enum(['network', 'device', 'none']) }).strict(),
    summary: "Print a ticket the screen drew on the device's thermal printer ('none' when it has none: the screen prints through the system)",
  }),
  getProcedures: operation({ input: NoInput, output: ProcedureCatalogSchema, summary: 'The procedures dossiers are received for: papers, processing time, fees' }),
  issueReceipt: operation({
    input: z.object({ receipt: ReceiptDataSchema, format: z.enum(['a4', 'thermal']) }).strict(),
    output: z.object({ pdfBase64: z.base64().max(8_000_000), seal: z.string().min(1).max(600), sha256: z.string().regex(/^[0-9a-f]{64}$/) }).strict(),
    summary: 'Lay out, seal and sign the receipt of a dossier (Giấy tiếp nhận hồ sơ và hẹn trả kết quả)',
  }),
  verifyDocument: operation({
    input: z.union([z.object({ seal: z.string().min(1).max(1000) }).strict(), z.object({ pdfBase64: z.base64().max(14_000_000) }).strict()]),
    output: z.object({ accepted: z.boolean(), linesVi: z.array(z.string().max(500)).max(30), code: z.string().max(40).optional() }).strict(),
    summary: "Check a receipt's or slip's QR seal, or a signed PDF, offline against the device's trust anchors",
  }),
  getScannerStatus: operation({ input: NoInput, output: ScannerStatusSchema, summary: 'The handheld scanner in serial mode: its port and baud rate, or why there is none (technician)' }),
  readIdCard: operation({
    input: ReadIdCardInputSchema,
    output: ReadIdCardOutputSchema,
    summary: "Read the chip ID card put on a reader (waiting for it), opened with the resident's QR, MRZ or CAN: personal data and face, never stored",
  }),
  getIdCardPresence: operation({ input: NoInput, output: IdCardPresenceSchema, summary: 'Card readers and whether a card is on them, or why PC/SC does not answer' }),
  cancelIdCardRead: operation({
    input: NoInput,
    output: CancelIdCardReadOutputSchema,
    summary: "Call off the card read under way or waiting for a card (the resident left): it answers 'cancelled'",
  }),
  processCapturedPage: operation({
    input: ProcessCapturedPageInputSchema,
    output: CapturedPageOutputSchema,
    summary: 'Turn a photo or scan of a paper into an archival page (found, flattened, upright, encoded) sealed with the device data key',
  }),
  rotateCapturedPage: operation({
    input: RotateCapturedPageInputSchema,
    output: CapturedPageOutputSchema,
    summary: 'Turn a captured page by quarter turns clockwise, re-encoded and sealed again',
  }),
  buildDossierPdf: operation({
    input: BuildDossierPdfInputSchema,
    output: BuildDossierPdfOutputSchema,
    summary: "Build a dossier's signed archival PDF from its captured pages (progress: digitizeProgress), sealed with the device data key",
  }),
  openSealedBlob: operation({
    input: OpenSealedBlobInputSchema,
    output: OpenSealedBlobOutputSchema,
    summary: 'Decrypt a page, thumbnail or PDF sealed on this device, for the clerk to see or print',
  }),
  configureSync: operation({
    input: ConfigureSyncInputSchema,
    output: SyncStatusSchema,
    summary: 'Set sync up (technician): enrol with a hub or the city from a scanned MCSYNC1 code or a typed address and code, or make this PC the ward hub',
  }),
  getSyncStatus: operation({ input: NoInput, output: SyncStatusSchema, summary: "Sync as main sees it: configured and enrolled, the link's last success and error, the hub's link to the city" }),
  syncPushEvents: operation({ input: SyncPushInputSchema, output: SyncPushOutputSchema, summary: "Send a batch of this device's events to its server (acknowledged after commit), or learn where the server's copy of the log ends" }),
  syncPullEvents: operation({ input: SyncPullInputSchema, output: SyncPullOutputSchema, summary: "The ward's events after a version vector, waiting up to waitSeconds for news (long-poll)" }),
  syncBlobOffset: operation({ input: SyncBlobOffsetInputSchema, output: SyncBlobProgressSchema, summary: 'How much of a blob main holds for upload, and how much the server holds' }),
  syncStageBlob: operation({ input: SyncStageBlobInputSchema, output: SyncBlobProgressSchema, summary: "Hand main the next slice of a sealed blob's ciphertext for upload; main checks the whole once it has it" }),
  syncUploadBlobChunk: operation({ input: SyncUploadBlobChunkInputSchema, output: SyncBlobProgressSchema, summary: "Upload the next chunk of a staged blob from the server's offset (resumable, checksummed)" }),
  listDocumentScanners: operation({ input: NoInput, output: z.array(DocumentScannerSchema).max(64), summary: 'Document scanners that answer now: network scanners added by address (eSCL) and SANE devices, with what each can do' }),
  getDocumentScannerSources: operation({ input: NoInput, output: DocumentScannerSourcesSchema, summary: 'How this machine reaches document scanners (eSCL, SANE, WIA) and the added network scanners that do not answer (technician)' }),
  addDocumentScanner: operation({ input: z.object({ address: EsclAddressInputSchema }).strict(), output: DocumentScannerSchema, summary: 'Add a network scanner by its address, http://IP[:port]/eSCL, once it answers (technician)' }),
  removeDocumentScanner: operation({ input: z.object({ scannerId: DocumentScannerIdSchema }).strict(), output: z.object({}).strict(), summary: 'Forget a network scanner added by address (technician)' }),
  scanDocuments: operation({ input: ScanDocumentsInputSchema, output: z.object({ jobId: ScanJobIdSchema }).strict(), summary: 'Start scanning papers: pages come as documentScanPage events, then one documentScanFinished' }),
  importPdfPages: operation({
    input: ImportPdfPagesInputSchema,
    output: ImportPdfPagesOutputSchema,
    summary: "Import a PDF's pages (a scan saved as PDF) as a scan job, once the whole file is checked: rendered one by one as documentScanPage events, then one documentScanFinished",
  }),
  cancelDocumentScan: operation({ input: z.object({ jobId: ScanJobIdSchema }).strict(), output: z.object({ cancelled: z.boolean() }).strict(), summary: 'Stop a scan job or a PDF import (the feeder stops; pages already sent stay); false when it was already over' }),
  acknowledgeScanPage: operation({
    input: AcknowledgeScanPageInputSchema,
    output: z.object({ acknowledged: z.boolean() }).strict(),
    summary: 'Say a documentScanPage is through the pipeline (or dropped), so the job sends more: main keeps a job only a few pages ahead of the screen; false for a page not awaited',
  }),
} as const

/** Events main pushes to every screen. */
export const events = {
  deviceConfigChanged: DeviceInfoSchema,
  scanReceived: ScanReceivedSchema,
  idCardPresence: IdCardPresenceSchema,
  idCardProgress: IdCardProgressSchema,
  digitizeProgress: DigitizeProgressSchema,
  documentScanPage: DocumentScanPageSchema,
  documentScanFinished: DocumentScanFinishedSchema,
} as const

export type Operations = typeof operations
export type OperationName = keyof Operations
export type EventName = keyof typeof events

export type OperationInput<N extends OperationName> = z.input<Operations[N]['input']>
export type OperationOutput<N extends OperationName> = z.output<Operations[N]['output']>
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>

export const OPERATION_NAMES = Object.keys(operations) as OperationName[]
export const EVENT_NAMES = Object.keys(events) as EventName[]

export function isOperationName(name: string): name is OperationName {
  return Object.hasOwn(operations, name)
}

export function isEventName(name: string): name is EventName {
  return Object.hasOwn(events, name)
}

/** The subscribe function for an event: deviceConfigChanged -> onDeviceConfigChanged. */
export type SubscriberName<E extends EventName> = `on${Capitalize<E>}`
export function subscriberName<E extends EventName>(event: E): SubscriberName<E> {
  return `on${event[0]!.toUpperCase()}${event.slice(1)}` as SubscriberName<E>
}

export type Unsubscribe = () => void

/** What a screen sees: one named function per operation and one subscribe function per event. */
export type MotcuaApi = {
  readonly [N in OperationName]: (input: OperationInput<N>) => Promise<OperationOutput<N>>
} & {
  readonly [E in EventName as SubscriberName<E>]: (listener: (payload: EventPayload<E>) => void) => Unsubscribe
}

/** The IPC channel of an operation or an event: fixed by the contract, never chosen by a page. */
export function ipcChannel(name: OperationName | EventName): string {
  return `motcua:${name}`
}
