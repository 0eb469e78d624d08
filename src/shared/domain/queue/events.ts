import { z } from 'zod'

/** Queue events and their payloads (version 1). */
export const QUEUE_TICKET_ISSUED = 'queue.ticketIssued'
export const QUEUE_TICKET_CALLED = 'queue.ticketCalled'

export const TicketIdSchema = z.uuid()
export const ServiceIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/)
export const CounterNumberSchema = z.number().int().min(1).max(99)
export const DaySchema = z.iso.date()

export const TicketIssuedSchema = z
  .object({
    ticketId: TicketIdSchema,
    serviceId: ServiceIdSchema,
    day: DaySchema,
    number: z.number().int().min(1).max(99_999),
    label: z.string().regex(/^[A-Z]{1,2}\d{3,5}$/),
  })
  .strict()
export type TicketIssued = z.infer<typeof TicketIssuedSchema>

export const TicketCalledSchema = z
  .object({
    ticketId: TicketIdSchema,
    counter: CounterNumberSchema,
  })
  .strict()
export type TicketCalled = z.infer<typeof TicketCalledSchema>
