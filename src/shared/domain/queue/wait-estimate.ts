import type { QueueState } from './fold'
import { counterWeight, type CounterSetup, type QueueRules } from './setup'

/** Enough of today's served tickets of a service to trust their mean over the configured default. */
const LEARNING_SAMPLE = 3
const RECENT_SAMPLE = 20

/** The mean service time of a service's most recent tickets today, in milliseconds. */
export function meanServiceMs(state: QueueState, serviceId: string, rules: QueueRules): number {
  const durations = state.tickets
    .filter((ticket) => ticket.serviceId === serviceId && ticket.servedAt !== undefined && ticket.calledAt !== undefined)
    .sort((a, b) => b.servedAt! - a.servedAt!)
    .slice(0, RECENT_SAMPLE)
    .map((ticket) => ticket.servedAt! - ticket.calledAt!)
  if (durations.length < LEARNING_SAMPLE) return rules.defaultServiceMinutes * 60_000
  return durations.reduce((sum, duration) => sum + duration, 0) / durations.length
}

export interface WaitEstimate {
  /** Tickets of this service waiting now (the next resident would be behind them). */
  readonly ahead: number
  /** Whole minutes, rounded up; 0 when nobody waits. */
  readonly minutes: number
}

/**
 * How long a resident taking a ticket now would wait: the tickets ahead, times the service's
 * recent mean service time, shared by the counters that serve it.
 */
export function estimateWait(state: QueueState, serviceId: string, counters: readonly CounterSetup[], rules: QueueRules): WaitEstimate {
  const ahead = state.waiting.filter((ticket) => ticket.serviceId === serviceId).length
  return { ahead, minutes: minutesToServe(state, serviceId, ahead, counters, rules) }
}

/** Minutes until `ahead` tickets of a service are served, at today's pace, by the counters serving it. */
export function minutesToServe(state: QueueState, serviceId: string, ahead: number, counters: readonly CounterSetup[], rules: QueueRules): number {
  const serving = Math.max(1, counters.filter((counter) => counterWeight(counter, serviceId) !== undefined).length)
  return Math.ceil((ahead * meanServiceMs(state, serviceId, rules)) / serving / 60_000)
}
