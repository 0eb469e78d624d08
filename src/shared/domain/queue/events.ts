import { z } from 'zod'

/** Queue events and their payloads (version 1). Every change of a ticket is one of these. */
export const QueueEvent = {
  issued: 'queue.ticketIssued',
  called: 'queue.ticketCalled',
  recalled: 'queue.ticketRecalled',
  skipped: 'queue.ticketSkipped',
  returned: 'queue.ticketReturned',
  transferred: 'queue.ticketTransferred',
  served: 'queue.ticketServed',
  rated: 'queue.serviceRated',
} as const

export const TicketIdSchema = z.uuid()
export const ServiceIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/)
export const CounterNumberSchema = z.number().int().min(1).max(99)
export const DaySchema = z.iso.date()
/** A clerk's display name at the counter, for per-clerk statistics. */
export const ClerkSchema = z.string().trim().min(1).max(80)

/** Who goes first: the law's priority groups, and residents with an appointment. */
export const PRIORITY_CLASSES = ['elderly', 'disability', 'pregnantOrChild', 'meritorious', 'appointment'] as const
export const PriorityClassSchema = z.enum(PRIORITY_CLASSES)
export type PriorityClass = z.infer<typeof PriorityClassSchema>

export const TicketIssuedSchema = z
  .object({
    ticketId: TicketIdSchema,
    serviceId: ServiceIdSchema,
    day: DaySchema,
    number: z.number().int().min(1).max(99_999),
    label: z.string().regex(/^[A-Z]{1,2}\d{3,5}$/),
    priority: PriorityClassSchema.optional(),
    appointmentId: z.uuid().optional(),
  })
  .strict()
export type TicketIssued = z.infer<typeof TicketIssuedSchema>

const AtCounter = z.object({ ticketId: TicketIdSchema, counter: CounterNumberSchema }).strict()

export const TicketCalledSchema = AtCounter.extend({ clerk: ClerkSchema.optional() }).strict()
export type TicketCalled = z.infer<typeof TicketCalledSchema>
export const TicketRecalledSchema = AtCounter
export const TicketSkippedSchema = AtCounter
export const TicketServedSchema = AtCounter
export const TicketReturnedSchema = z.object({ ticketId: TicketIdSchema }).strict()
export const TicketTransferredSchema = AtCounter.extend({ toServiceId: ServiceIdSchema.optional(), toCounter: CounterNumberSchema.optional() })
  .strict()
  .refine((transfer) => transfer.toServiceId !== undefined || transfer.toCounter !== undefined, 'a transfer names a service or a counter')
export type TicketTransferred = z.infer<typeof TicketTransferredSchema>

/** Không hài lòng / Hài lòng / Rất hài lòng. */
export const RATINGS = [1, 2, 3] as const
/** The nine indicators of the national satisfaction index (Decision 766/QĐ-TTg), 0 to 2 points each. */
export const INDEX_INDICATORS = 9
export const ServiceRatedSchema = z
  .object({
    ticketId: TicketIdSchema.optional(),
    counter: CounterNumberSchema.optional(),
    rating: z.union([z.literal(1), z.literal(2), z.literal(3)]),
    indicators: z.array(z.number().int().min(0).max(2)).length(INDEX_INDICATORS).optional(),
  })
  .strict()
export type ServiceRated = z.infer<typeof ServiceRatedSchema>
