import { z } from 'zod'
import { CounterNumberSchema, ServiceIdSchema } from './events'

/** How a ward runs its queue; part of the ward's configuration from the city. */
export const QueueRulesSchema = z
  .object({
    /** At most this many priority tickets in a row at one counter while normal tickets wait: nobody is starved. */
    priorityStreak: z.number().int().min(1).max(20),
    /** A no-show may come back to the queue within this many minutes of being skipped. */
    noShowReturnMinutes: z.number().int().min(0).max(480),
    /** The service time assumed for the wait estimate until the day has served enough tickets to learn from. */
    defaultServiceMinutes: z.number().min(1).max(120),
  })
  .strict()
export type QueueRules = z.infer<typeof QueueRulesSchema>

export const DEFAULT_QUEUE_RULES: QueueRules = { priorityStreak: 2, noShowReturnMinutes: 30, defaultServiceMinutes: 8 }

/**
 * Which services a counter calls, and how strongly: between waiting tickets the counter calls the
 * one with the highest weight × waiting time (weights 1 give first come, first served). No list:
 * the counter serves every service with weight 1.
 */
export const CounterSetupSchema = z
  .object({
    number: CounterNumberSchema,
    services: z.array(z.object({ serviceId: ServiceIdSchema, weight: z.number().min(0.1).max(10) }).strict()).max(500).optional(),
  })
  .strict()
export type CounterSetup = z.infer<typeof CounterSetupSchema>

export function counterWeight(counter: CounterSetup, serviceId: string): number | undefined {
  if (!counter.services) return 1
  return counter.services.find((entry) => entry.serviceId === serviceId)?.weight
}
