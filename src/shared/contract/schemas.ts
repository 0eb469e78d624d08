import { z } from 'zod'
import { DeviceIdSchema, WardCodeSchema } from '../domain/eventlog/envelope'
import { AppointmentRulesSchema } from '../domain/appointments/rules'
import { CalendarOverridesSchema } from '../domain/calendar/overrides'
import { CounterNumberSchema, ServiceIdSchema } from '../domain/queue/events'
import { CounterSetupSchema, QueueRulesSchema, type CounterSetup } from '../domain/queue/setup'
import { bytesPerRow, MAX_RASTER_HEIGHT, RASTER_WIDTHS } from '../printing/escpos'
import { SyncConfigSchema } from './sync-schemas'

export const ROLES = ['kiosk', 'counter', 'display', 'technician'] as const
export const RoleSchema = z.enum(ROLES)
export type Role = z.infer<typeof RoleSchema>

export const TopologySchema = z.enum(['standalone', 'ward', 'city'])
export const LanguageSchema = z.enum(['vi', 'en'])
export type Language = z.infer<typeof LanguageSchema>

const TicketBlockSchema = z
  .object({ index: z.number().int().min(0).max(8), count: z.number().int().min(1).max(9) })
  .strict()
  .refine((block) => block.index < block.count, 'ticket block index must be below the count')

const HOST_NAME = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*$/

/** A printer's host name or IP address, without scheme or port. All digits and dots must be an IPv4 address. */
function isPrinterHost(host: string): boolean {
  if (host.includes(':')) return z.ipv6().safeParse(host).success
  if (/^[\d.]+$/.test(host)) return z.ipv4().safeParse(host).success
  return HOST_NAME.test(host)
}

/** A device node or serial port: /dev/usb/lp0, /dev/ttyUSB0, \\.\COM3 (or a drive path on Windows). */
const PrinterPathSchema = z
  .string()
  .max(260)
  .regex(/^(\/|[A-Za-z]:[\\/]|\\\\[.?]\\)[^\0]*$/, 'printer path must be absolute')
  .refine((path) => !/(^|[\\/])\.\.([\\/]|$)/.test(path), 'printer path must not contain ..')

/** The raw-printing port of network receipt printers (JetDirect), used when none is configured. */
export const DEFAULT_PRINTER_PORT = 9100

export const PRINTER_KINDS = ['none', 'network', 'device', 'system'] as const

/** The ticket printer: a thermal printer (ESC/POS over TCP or a device path), the system printer, or none. */
export const PrinterConfigSchema = z
  .object({
    kind: z.enum(PRINTER_KINDS),
    host: z.string().max(253).refine(isPrinterHost, 'printer host must be a host name or an IP address, without scheme or port').optional(),
    port: z.number().int().min(1).max(65535).optional(),
    path: PrinterPathSchema.optional(),
    paperWidth: z.union([z.literal(58), z.literal(80)]),
  })
  .strict()
  .refine((printer) => printer.kind !== 'network' || printer.host !== undefined, { message: 'a network printer needs a host', path: ['host'] })
  .refine((printer) => printer.kind !== 'device' || printer.path !== undefined, { message: 'a device printer needs a path', path: ['path'] })
export type PrinterConfig = z.infer<typeof PrinterConfigSchema>
/** Until a technician sets one up, and in configuration files written before printing existed. */
export const NO_PRINTER: PrinterConfig = { kind: 'none', paperWidth: 80 }

/** A serial port: an absolute device path (/dev/ttyACM0, a symlink such as /dev/serial/by-id/...) or a Windows port name (COM3, \\.\COM12). */
const SerialPortPathSchema = z
  .string()
  .max(260)
  .regex(/^(\/[^\0]*|(\\\\\.\\)?COM[1-9]\d{0,2})$/, 'scanner port must be an absolute device path or a port name such as COM3')
  .refine((path) => !/(^|\/)\.\.(\/|$)/.test(path), 'scanner port must not contain ..')

/**
 * A handheld scanner in serial (USB-COM) mode. Without a port, main picks a USB scanner by itself; without
 * a baud rate it starts at 9600. suffix 'none': the scanner sends no CR/LF and a scan ends after 50 ms of silence.
 */
export const ScannerConfigSchema = z
  .object({
    port: SerialPortPathSchema.optional(),
    baudRate: z.number().int().min(1200).max(921_600).optional(),
    suffix: z.enum(['newline', 'none']).optional(),
  })
  .strict()
export type ScannerConfig = z.infer<typeof ScannerConfigSchema>

/** The longest scan a serial scanner may send, in UTF-8 bytes; main drops longer ones. */
export const MAX_SERIAL_SCAN_BYTES = 4096

/** One scan from a handheld scanner in serial mode, pushed to every screen. */
export const ScanReceivedSchema = z
  .object({ text: z.string().min(1).max(MAX_SERIAL_SCAN_BYTES), source: z.literal('serial'), port: z.string().min(1).max(260) })
  .strict()
export type ScanReceived = z.infer<typeof ScanReceivedSchema>

/** For the technician: whether a serial scanner is open, on which port and at which baud rate, or what went wrong. */
export const ScannerStatusSchema = z
  .object({
    state: z.enum(['none', 'connected', 'error']),
    port: z.string().max(260).optional(),
    baudRate: z.number().int().positive().optional(),
    message: z.string().max(500).optional(),
  })
  .strict()
export type ScannerStatus = z.infer<typeof ScannerStatusSchema>

/** What a technician provisions: kept by main in the device's data folder. */
export const DeviceConfigSchema = z
  .object({
    deviceId: DeviceIdSchema,
    wardCode: WardCodeSchema,
    roles: z.array(RoleSchema).min(1).max(4),
    counterNumber: CounterNumberSchema,
    counterCount: z.number().int().min(1).max(99),
    ticketBlock: TicketBlockSchema,
    topology: TopologySchema,
    language: LanguageSchema,
    printer: PrinterConfigSchema.default(NO_PRINTER),
    // Absent from configuration files written before serial scanners were supported: find one by itself.
    scanner: ScannerConfigSchema.default({}),
    // Absent until a technician sets sync up (configureSync): the device stays standalone.
    sync: SyncConfigSchema.optional(),
  })
  .strict()
  .refine((config) => config.counterNumber <= config.counterCount, 'counterNumber must not exceed counterCount')
export type DeviceConfig = z.infer<typeof DeviceConfigSchema>

export const DeviceConfigPatchSchema = z
  .object({
    wardCode: WardCodeSchema,
    roles: z.array(RoleSchema).min(1).max(4),
    counterNumber: CounterNumberSchema,
    counterCount: z.number().int().min(1).max(99),
    ticketBlock: TicketBlockSchema,
    language: LanguageSchema,
    printer: PrinterConfigSchema,
    scanner: ScannerConfigSchema,
  })
  .partial()
  .strict()
export type DeviceConfigPatch = z.infer<typeof DeviceConfigPatchSchema>

/** A ticket the screen drew, as 1-bit rows (see src/shared/printing/escpos.ts), for the thermal printer. */
export const PrintTicketInputSchema = z
  .object({
    width: z.union(RASTER_WIDTHS.map((width) => z.literal(width))),
    height: z.number().int().min(1).max(MAX_RASTER_HEIGHT),
    rows: z.base64().max(Math.ceil((bytesPerRow(Math.max(...RASTER_WIDTHS)) * MAX_RASTER_HEIGHT) / 3) * 4),
  })
  .strict()
  .refine((raster) => base64ByteLength(raster.rows) === bytesPerRow(raster.width) * raster.height, { message: 'rows must hold width/8 bytes per row for every row', path: ['rows'] })

export function base64ByteLength(base64: string): number {
  return (base64.length / 4) * 3 - (base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0)
}

export const WardSchema = z
  .object({ code: WardCodeSchema, name: z.string().min(1), fullName: z.string().min(1), type: z.enum(['Phường', 'Xã', 'Đặc khu']) })
  .strict()
export type Ward = z.infer<typeof WardSchema>

/** A problem main met and the screen must show (in Vietnamese), e.g. a damaged config file it set aside. */
export const NoticeSchema = z.object({ code: z.enum(['configReset']), detail: z.string().max(500) }).strict()
export type Notice = z.infer<typeof NoticeSchema>

export const DeviceInfoSchema = z
  .object({
    config: DeviceConfigSchema,
    ward: WardSchema,
    appVersion: z.string().min(1).max(40),
    runtime: z.enum(['electron', 'browser', 'cli']),
    notices: z.array(NoticeSchema).max(20),
  })
  .strict()
export type DeviceInfo = z.infer<typeof DeviceInfoSchema>

export const ServiceSchema = z
  .object({
    id: ServiceIdSchema,
    fieldId: ServiceIdSchema,
    name: z.string().min(1).max(200),
    nameEn: z.string().min(1).max(200),
    prefix: z.string().regex(/^[A-Z]{1,2}$/),
  })
  .strict()
export type Service = z.infer<typeof ServiceSchema>

export const FieldSchema = z
  .object({ id: ServiceIdSchema, name: z.string().min(1).max(200), nameEn: z.string().min(1).max(200) })
  .strict()

/** How the ward runs its queue: services, counters and rules. Comes from the city through sync. */
export const QueueSetupSchema = z
  .object({
    /** True for the set-up shipped with the app: to be replaced by the city's through sync. */
    sample: z.boolean(),
    fields: z.array(FieldSchema).min(1).max(200),
    services: z.array(ServiceSchema).min(1).max(2000),
    /** Counters with a service list of their own; a counter not listed serves every service. */
    counters: z.array(CounterSetupSchema).max(99),
    queueRules: QueueRulesSchema,
    appointmentRules: AppointmentRulesSchema,
    /** The city's changes to the statutory calendar (extra Tết days, worked Saturdays), for appointment days and deadlines. */
    calendarOverrides: CalendarOverridesSchema.prefault({}),
  })
  .strict()
  .superRefine((setup, context) => {
    const fieldIds = new Set(setup.fields.map((field) => field.id))
    const seenIds = new Set<string>()
    const seenPrefixes = new Set<string>()
    for (const service of setup.services) {
      if (!fieldIds.has(service.fieldId)) context.addIssue({ code: 'custom', message: `service ${service.id}: unknown field ${service.fieldId}` })
      if (seenIds.has(service.id)) context.addIssue({ code: 'custom', message: `duplicate service id ${service.id}` })
      if (seenPrefixes.has(service.prefix)) context.addIssue({ code: 'custom', message: `duplicate ticket prefix ${service.prefix}` })
      seenIds.add(service.id)
      seenPrefixes.add(service.prefix)
    }
    for (const counter of setup.counters) {
      for (const { serviceId } of counter.services ?? []) {
        if (!seenIds.has(serviceId)) context.addIssue({ code: 'custom', message: `counter ${counter.number}: unknown service ${serviceId}` })
      }
    }
  })
export type QueueSetup = z.infer<typeof QueueSetupSchema>

/** Every counter of the ward, 1..counterCount, as the set-up defines it or serving everything. */
export function countersOf(setup: QueueSetup, counterCount: number): CounterSetup[] {
  return Array.from({ length: counterCount }, (_unused, index) => setup.counters.find((counter) => counter.number === index + 1) ?? { number: index + 1 })
}
