import { z } from 'zod'
import { DeviceIdSchema, WardCodeSchema } from '../domain/eventlog/envelope'
import { AppointmentRulesSchema } from '../domain/appointments/rules'
import { CalendarOverridesSchema } from '../domain/calendar/overrides'
import { CounterNumberSchema, ServiceIdSchema } from '../domain/queue/events'
import { CounterSetupSchema, QueueRulesSchema, type CounterSetup } from '../domain/queue/setup'

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
  })
  .partial()
  .strict()
export type DeviceConfigPatch = z.infer<typeof DeviceConfigPatchSchema>

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
