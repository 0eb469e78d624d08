import { z } from 'zod'
import { SealedValueSchema } from '../domain/eventlog/envelope'
import { ProcedureCatalogSchema } from '../domain/dossier/procedures'
import { ReceiptDataSchema } from '../domain/dossier/receipt'
import { IdCardPresenceSchema, IdCardProgressSchema, ReadIdCardInputSchema, ReadIdCardOutputSchema } from './idcard-schemas'
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
} as const

/** Events main pushes to every screen. */
export const events = {
  deviceConfigChanged: DeviceInfoSchema,
  scanReceived: ScanReceivedSchema,
  idCardPresence: IdCardPresenceSchema,
  idCardProgress: IdCardProgressSchema,
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
