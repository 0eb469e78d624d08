import { z } from 'zod'
import { SlotTimeSchema } from './events'

export const AppointmentRulesSchema = z
  .object({
    /** Start times of the slots of a working day. */
    slotTimes: z.array(SlotTimeSchema).min(1).max(48),
    capacityPerSlot: z.number().int().min(1).max(50),
    /** How many working days ahead a resident may book. */
    daysAhead: z.number().int().min(1).max(60),
    /** Check-in opens this many minutes before the slot and closes this many after it. */
    earlyMinutes: z.number().int().min(0).max(240),
    lateMinutes: z.number().int().min(0).max(240),
  })
  .strict()
export type AppointmentRules = z.infer<typeof AppointmentRulesSchema>

export const DEFAULT_APPOINTMENT_RULES: AppointmentRules = {
  slotTimes: ['07:30', '08:00', '08:30', '09:00', '09:30', '10:00', '10:30', '13:30', '14:00', '14:30', '15:00', '15:30', '16:00'],
  capacityPerSlot: 2,
  daysAhead: 10,
  earlyMinutes: 30,
  lateMinutes: 15,
}
