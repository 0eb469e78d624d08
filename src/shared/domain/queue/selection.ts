import type { QueueState, Ticket } from './fold'
import { counterWeight, type CounterSetup, type QueueRules } from './setup'

/**
 * The ticket a counter calls next, or undefined when nobody waits for it:
 * 1. tickets transferred to this very counter (they have waited once already);
 * 2. priority tickets, unless this counter has just called `priorityStreak` of them in a row
 *    while normal tickets wait (so normal tickets are never starved);
 * 3. within a group, the highest weight × waiting time, then the earliest ticket.
 */
export function pickNextTicket(state: QueueState, counter: CounterSetup, rules: QueueRules, now: number): Ticket | undefined {
  const candidates = state.waiting.filter((ticket) =>
    ticket.forCounter !== undefined ? ticket.forCounter === counter.number : counterWeight(counter, ticket.serviceId) !== undefined,
  )
  if (candidates.length === 0) return undefined
  const transferredHere = candidates.filter((ticket) => ticket.forCounter === counter.number)
  if (transferredHere.length > 0) return mostUrgent(transferredHere, counter, now)

  const priority = candidates.filter((ticket) => ticket.priority !== undefined)
  const normal = candidates.filter((ticket) => ticket.priority === undefined)
  if (priority.length === 0) return mostUrgent(normal, counter, now)
  if (normal.length === 0 || priorityCallsInARow(state, counter.number) < rules.priorityStreak) return mostUrgent(priority, counter, now)
  return mostUrgent(normal, counter, now)
}

function mostUrgent(tickets: readonly Ticket[], counter: CounterSetup, now: number): Ticket | undefined {
  let best: Ticket | undefined
  let bestScore = -Infinity
  for (const ticket of tickets) {
    // +1 ms so that a ticket issued this very millisecond still counts its weight.
    const score = (counterWeight(counter, ticket.serviceId) ?? 1) * (Math.max(0, now - ticket.issuedAt) + 1)
    if (score > bestScore || (score === bestScore && best !== undefined && ticket.issuedHlc < best.issuedHlc)) {
      best = ticket
      bestScore = score
    }
  }
  return best
}

/** How many of this counter's latest calls (recalls aside) were priority tickets, back to the last normal one. */
function priorityCallsInARow(state: QueueState, counter: number): number {
  let streak = 0
  for (const call of state.calls) {
    if (call.counter !== counter || call.kind !== 'call') continue
    if (call.priority === undefined) break
    streak++
  }
  return streak
}
