import { compareEvents, eventKey, type EventEnvelope } from '../eventlog/envelope'
import { QUEUE_TICKET_CALLED, QUEUE_TICKET_ISSUED, TicketCalledSchema, TicketIssuedSchema } from './events'

export interface Ticket {
  readonly ticketId: string
  readonly serviceId: string
  readonly number: number
  readonly label: string
  readonly issuedBy: string
  readonly issuedHlc: string
  readonly call?: Call
}

export interface Call {
  readonly ticketId: string
  readonly label: string
  readonly serviceId: string
  readonly counter: number
  readonly hlc: string
}

/** A call that lost: another counter had called the same ticket first (seen after replicas merged). */
export interface LostCall {
  readonly ticketId: string
  readonly label: string
  readonly counter: number
  readonly wonByCounter: number
}

export interface QueueState {
  readonly day: string
  /** Tickets of the day in issue order. */
  readonly tickets: readonly Ticket[]
  /** Waiting tickets, oldest first. */
  readonly waiting: readonly Ticket[]
  /** Calls, newest first. */
  readonly calls: readonly Call[]
  /** The latest call per counter. */
  readonly nowServing: ReadonlyMap<number, Call>
  readonly lostCalls: readonly LostCall[]
  /** Events that could not be understood (a newer app's type, or a bad payload): kept in the log, left out of the state. */
  readonly skipped: number
}

interface MutableTicket {
  ticketId: string
  serviceId: string
  number: number
  label: string
  issuedBy: string
  issuedHlc: string
  call?: Call
}

/**
 * The queue of one day as a deterministic fold of the log: the same events, in whatever order
 * they arrived, give the same state on every replica. When two counters called the same ticket
 * while cut off from each other, the earlier call in the log's total order wins.
 */
export function foldQueue(events: readonly EventEnvelope[], day: string): QueueState {
  // The same event may arrive twice (replication retries): it counts once.
  const ordered = [...new Map(events.map((event) => [eventKey(event), event])).values()].sort(compareEvents)
  const byId = new Map<string, MutableTicket>()
  const calls: Call[] = []
  const lostCalls: LostCall[] = []
  let skipped = 0

  for (const event of ordered) {
    if (event.type === QUEUE_TICKET_ISSUED && event.v === 1) {
      const parsed = TicketIssuedSchema.safeParse(event.payload)
      if (!parsed.success) {
        skipped++
        continue
      }
      const issued = parsed.data
      if (issued.day !== day || byId.has(issued.ticketId)) continue
      byId.set(issued.ticketId, {
        ticketId: issued.ticketId,
        serviceId: issued.serviceId,
        number: issued.number,
        label: issued.label,
        issuedBy: event.deviceId,
        issuedHlc: event.hlc,
      })
    } else if (event.type === QUEUE_TICKET_CALLED && event.v === 1) {
      const parsed = TicketCalledSchema.safeParse(event.payload)
      if (!parsed.success) {
        skipped++
        continue
      }
      const ticket = byId.get(parsed.data.ticketId)
      if (!ticket) continue // a call for another day's ticket
      if (ticket.call) {
        if (ticket.call.counter !== parsed.data.counter) {
          lostCalls.push({ ticketId: ticket.ticketId, label: ticket.label, counter: parsed.data.counter, wonByCounter: ticket.call.counter })
        }
        continue
      }
      const call: Call = { ticketId: ticket.ticketId, label: ticket.label, serviceId: ticket.serviceId, counter: parsed.data.counter, hlc: event.hlc }
      ticket.call = call
      calls.push(call)
    } else if (event.type.startsWith('queue.')) {
      skipped++
    }
  }

  const tickets = [...byId.values()]
  const nowServing = new Map<number, Call>()
  for (const call of calls) nowServing.set(call.counter, call)
  return {
    day,
    tickets,
    waiting: tickets.filter((ticket) => !ticket.call),
    calls: calls.reverse(),
    nowServing,
    lostCalls,
    skipped,
  }
}

/** How many tickets a device has issued today for a service: the basis of its next number. */
export function ticketsIssuedBy(state: QueueState, deviceId: string, serviceId: string): number {
  let count = 0
  for (const ticket of state.tickets) if (ticket.issuedBy === deviceId && ticket.serviceId === serviceId) count++
  return count
}

/** The ticket a counter should call next: the oldest waiting ticket among the services it serves. */
export function nextTicketFor(state: QueueState, servesService: (serviceId: string) => boolean): Ticket | undefined {
  return state.waiting.find((ticket) => servesService(ticket.serviceId))
}
