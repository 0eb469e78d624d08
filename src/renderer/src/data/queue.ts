import { foldQueue, nextTicketFor, ticketsIssuedBy, type Call, type QueueState, type Ticket } from '../../../shared/domain/queue/fold'
import { QUEUE_TICKET_CALLED, QUEUE_TICKET_ISSUED, type TicketCalled, type TicketIssued } from '../../../shared/domain/queue/events'
import { ticketLabel, ticketNumber, type TicketBlock } from '../../../shared/domain/queue/numbering'
import { vietnamDay, vietnamDayStartMs } from '../../../shared/domain/time'
import type { Service } from '../../../shared/contract/schemas'
import type { EventStore } from './event-store'

/** Events of a day start no earlier than this before its midnight: room for devices whose clocks run behind. */
const CLOCK_SKEW_ALLOWANCE_MS = 6 * 60 * 60 * 1000

/** The queue of a day as the screens see it: a fold of that day's events. */
export async function readQueue(store: EventStore, day: string): Promise<QueueState> {
  return foldQueue(await store.eventsFrom(vietnamDayStartMs(day) - CLOCK_SKEW_ALLOWANCE_MS), day)
}

export interface IssuedTicket {
  readonly ticket: TicketIssued
  /** Tickets for the same service waiting before this one. */
  readonly ahead: number
}

/** A resident takes a ticket: the number is decided and written in one transaction. */
export async function takeTicket(store: EventStore, service: Service, block: TicketBlock, now: number = Date.now()): Promise<IssuedTicket> {
  const day = vietnamDay(now)
  const outcome = await store.appendAfter(async () => {
    const state = await readQueue(store, day)
    const number = ticketNumber(ticketsIssuedBy(state, store.deviceId, service.id) + 1, block)
    const ticket: TicketIssued = { ticketId: crypto.randomUUID(), serviceId: service.id, day, number, label: ticketLabel(service.prefix, number) }
    const ahead = state.waiting.filter((waiting) => waiting.serviceId === service.id).length
    return { event: { type: QUEUE_TICKET_ISSUED, v: 1, payload: { ...ticket } }, result: { ticket, ahead } }
  })
  if (!outcome) throw new Error('Ticket was not issued')
  return outcome.result
}

/** A clerk calls the next waiting ticket; undefined when nobody is waiting. */
export async function callNext(store: EventStore, counter: number, now: number = Date.now()): Promise<Call | undefined> {
  const day = vietnamDay(now)
  const outcome = await store.appendAfter(async () => {
    const state = await readQueue(store, day)
    const next: Ticket | undefined = nextTicketFor(state, () => true)
    if (!next) return undefined
    const called: TicketCalled = { ticketId: next.ticketId, counter }
    return { event: { type: QUEUE_TICKET_CALLED, v: 1, payload: { ...called } }, result: next }
  })
  if (!outcome) return undefined
  const ticket = outcome.result
  return { ticketId: ticket.ticketId, label: ticket.label, serviceId: ticket.serviceId, counter, hlc: outcome.envelope.hlc }
}
