import { z } from 'zod'
import { SealedValueSchema } from '../eventlog/envelope'
import { DaySchema, ServiceIdSchema } from '../queue/events'

export const AppointmentEvent = {
  booked: 'appointment.booked',
  cancelled: 'appointment.cancelled',
} as const

export const AppointmentCodeSchema = z.string().regex(/^[A-HJ-NP-Z2-9]{8}$/, 'appointment code: 8 letters and digits')
export const SlotTimeSchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'time: HH:mm')

/**
 * A booking. Who booked is personal data: it travels sealed with the device data key (main holds
 * it), never in clear. How they identified is kept in clear only as a kind, for statistics.
 */
export const AppointmentBookedSchema = z
  .object({
    appointmentId: z.uuid(),
    code: AppointmentCodeSchema,
    serviceId: ServiceIdSchema,
    day: DaySchema,
    time: SlotTimeSchema,
    identifiedBy: z.enum(['chipCard', 'cccdQr', 'phone']),
    holder: SealedValueSchema,
  })
  .strict()
export type AppointmentBooked = z.infer<typeof AppointmentBookedSchema>

export const AppointmentCancelledSchema = z.object({ appointmentId: z.uuid() }).strict()
