import { AppointmentEvent, type AppointmentBooked } from '../../../shared/domain/appointments/events'
import { checkInVerdict, findByCode, foldAppointments, type Appointment, type CheckInVerdict } from '../../../shared/domain/appointments/appointments'
import type { AppointmentRules } from '../../../shared/domain/appointments/rules'
import { compareEvents, eventKey, type EventEnvelope } from '../../../shared/domain/eventlog/envelope'
import { encodeHlc } from '../../../shared/domain/eventlog/hlc'
import { currentTicketAt, QueueFolder, ticketsIssuedBy, type QueueState, type Ticket } from '../../../shared/domain/queue/fold'
import { QueueEvent, type PriorityClass, type ServiceRated, type TicketIssued } from '../../../shared/domain/queue/events'
import { ticketLabel, ticketNumber, type TicketBlock } from '../../../shared/domain/queue/numbering'
import { pickNextTicket } from '../../../shared/domain/queue/selection'
import type { CounterSetup, QueueRules } from '../../../shared/domain/queue/setup'
import { vietnamDay, vietnamDayStartMs } from '../../../shared/domain/time'
import type { Service } from '../../../shared/contract/schemas'
import type { EventStore, NewEvent } from './event-store'

/** Events of a day start no earlier than this before its midnight: room for devices whose clocks run behind. */
const CLOCK_SKEW_ALLOWANCE_MS = 6 * 60 * 60 * 1000

interface FoldCache {
  readonly day: string
  readonly rules: QueueRules
  readonly folder: QueueFolder
  readonly applied: Set<string>
  last?: EventEnvelope
}

/** One running fold per store: a busy day has tens of thousands of events, and every tap and every window reads the queue. */
const foldCaches = new WeakMap<EventStore, FoldCache>()

/**
 * The queue of a day as the screens see it: a fold of that day's events. Only events after the
 * last one folded are read; when an event arrives that belongs earlier in the order (replicated
 * from a device whose clock ran behind), the day is folded again from the start.
 */
export async function readQueue(store: EventStore, day: string, rules: QueueRules): Promise<QueueState> {
  const dayFrom = encodeHlc({ wallMs: vietnamDayStartMs(day) - CLOCK_SKEW_ALLOWANCE_MS, counter: 0 })
  let cache = foldCaches.get(store)
  if (!cache || cache.day !== day || cache.rules !== rules) cache = freshCache(store, day, rules)
  const last = cache.last
  const applied = cache.applied
  const [candidates, total] = await Promise.all([store.eventsFromHlc(last?.hlc ?? dayFrom), store.countFrom(dayFrom)])
  const fresh = candidates.filter((event) => !applied.has(eventKey(event))).sort(compareEvents)
  const inOrder = last === undefined || fresh.every((event) => compareEvents(event, last) > 0)
  if (inOrder && applied.size + fresh.length === total) {
    applyAll(cache, fresh)
  } else {
    cache = freshCache(store, day, rules)
    applyAll(cache, (await store.eventsFromHlc(dayFrom)).sort(compareEvents))
  }
  return cache.folder.state()
}

function freshCache(store: EventStore, day: string, rules: QueueRules): FoldCache {
  const cache: FoldCache = { day, rules, folder: new QueueFolder(day, rules), applied: new Set() }
  foldCaches.set(store, cache)
  return cache
}

function applyAll(cache: FoldCache, ordered: readonly EventEnvelope[]): void {
  for (const event of ordered) {
    cache.folder.apply(event)
    cache.applied.add(eventKey(event))
  }
  if (ordered.length > 0) cache.last = ordered.at(-1)
}

const APPOINTMENT_TYPES = [AppointmentEvent.booked, AppointmentEvent.cancelled]

/** Appointments, with today's check-ins (an appointment's ticket). */
export async function readAppointments(store: EventStore, today: string, rules: QueueRules): Promise<Map<string, Appointment>> {
  return foldAppointments(await store.eventsOfTypes(APPOINTMENT_TYPES), await readQueue(store, today, rules))
}

/** Runs one queue action: decide on today's state and write the event, in one transaction. */
async function act<T>(store: EventStore, rules: QueueRules, now: number, decide: (state: QueueState) => { event: NewEvent; result: T } | undefined): Promise<T | undefined> {
  const day = vietnamDay(now)
  const outcome = await store.appendAfter(async () => decide(await readQueue(store, day, rules)))
  return outcome?.result
}

export interface IssuedTicket {
  readonly ticket: TicketIssued
  /** Tickets for the same service waiting before this one. */
  readonly ahead: number
}

export interface TicketRequest {
  readonly service: Service
  readonly block: TicketBlock
  readonly rules: QueueRules
  readonly priority?: PriorityClass
  readonly appointmentId?: string
}

/** The event that issues a ticket on this state: this device's next number for the service, in its block. */
function issueDecision(store: EventStore, state: QueueState, request: TicketRequest): { event: NewEvent; result: IssuedTicket } {
  const { service, block, priority, appointmentId } = request
  const number = ticketNumber(ticketsIssuedBy(state, store.deviceId, service.id) + 1, block)
  const ticket: TicketIssued = {
    ticketId: crypto.randomUUID(),
    serviceId: service.id,
    day: state.day,
    number,
    label: ticketLabel(service.prefix, number),
    ...(priority && { priority }),
    ...(appointmentId && { appointmentId }),
  }
  const ahead = state.waiting.filter((waiting) => waiting.serviceId === service.id).length
  return { event: { type: QueueEvent.issued, v: 1, payload: { ...ticket } }, result: { ticket, ahead } }
}

/** A resident takes a ticket: the number is decided and written in one transaction. */
export async function takeTicket(store: EventStore, request: TicketRequest, now: number = Date.now()): Promise<IssuedTicket> {
  const issued = await act(store, request.rules, now, (state) => issueDecision(store, state, request))
  if (!issued) throw new Error('Ticket was not issued')
  return issued
}

/** A clerk calls the next ticket by the ward's rules; undefined when nobody waits for this counter. */
export function callNext(store: EventStore, counter: CounterSetup, rules: QueueRules, clerk?: string, now: number = Date.now()): Promise<Ticket | undefined> {
  return act(store, rules, now, (state) => {
    const next = pickNextTicket(state, counter, rules, now)
    return next && { event: { type: QueueEvent.called, v: 1, payload: { ticketId: next.ticketId, counter: counter.number, ...(clerk && { clerk }) } }, result: next }
  })
}

/** A clerk calls one particular ticket (waiting, or a no-show who came back to the desk). */
export function callTicket(store: EventStore, ticketId: string, counter: number, rules: QueueRules, clerk?: string, now: number = Date.now()): Promise<Ticket | undefined> {
  return act(store, rules, now, (state) => {
    const ticket = state.tickets.find((candidate) => candidate.ticketId === ticketId && (candidate.status === 'waiting' || candidate.status === 'skipped'))
    return ticket && { event: { type: QueueEvent.called, v: 1, payload: { ticketId, counter, ...(clerk && { clerk }) } }, result: ticket }
  })
}

export type CounterAction = 'recall' | 'skip' | 'serve'
const ACTION_EVENTS: Record<CounterAction, string> = { recall: QueueEvent.recalled, skip: QueueEvent.skipped, serve: QueueEvent.served }

/** Recall, no-show or served, for the ticket this counter is serving now. */
export function actOnCurrent(store: EventStore, action: CounterAction, counter: number, rules: QueueRules, now: number = Date.now()): Promise<Ticket | undefined> {
  return act(store, rules, now, (state) => {
    const current = currentTicketAt(state, counter)
    return current && { event: { type: ACTION_EVENTS[action], v: 1, payload: { ticketId: current.ticketId, counter } }, result: current }
  })
}

/** Sends the current ticket to another service's queue or to another counter. */
export function transferCurrent(store: EventStore, counter: number, to: { serviceId?: string; counter?: number }, rules: QueueRules, now: number = Date.now()): Promise<Ticket | undefined> {
  return act(store, rules, now, (state) => {
    const current = currentTicketAt(state, counter)
    const payload = { ticketId: current?.ticketId, counter, ...(to.serviceId && { toServiceId: to.serviceId }), ...(to.counter && { toCounter: to.counter }) }
    return current && { event: { type: QueueEvent.transferred, v: 1, payload }, result: current }
  })
}

/** A no-show back at the kiosk within the window goes back into the queue. */
export function returnTicket(store: EventStore, ticketId: string, rules: QueueRules, now: number = Date.now()): Promise<Ticket | undefined> {
  return act(store, rules, now, (state) => {
    const ticket = state.tickets.find((candidate) => candidate.ticketId === ticketId && candidate.status === 'skipped')
    const inWindow = ticket?.skippedAt !== undefined && now - ticket.skippedAt <= rules.noShowReturnMinutes * 60_000
    return ticket && inWindow ? { event: { type: QueueEvent.returned, v: 1, payload: { ticketId } }, result: ticket } : undefined
  })
}

export async function rateService(store: EventStore, rating: ServiceRated): Promise<void> {
  await store.append({ type: QueueEvent.rated, v: 1, payload: { ...rating } })
}

export async function bookAppointment(store: EventStore, booking: AppointmentBooked): Promise<void> {
  await store.append({ type: AppointmentEvent.booked, v: 1, payload: { ...booking } })
}

export type CheckInOutcome = { readonly verdict: 'ok'; readonly ticket: IssuedTicket; readonly appointment: Appointment } | { readonly verdict: Exclude<CheckInVerdict, 'ok'> }

/** An appointment slip scanned at the kiosk becomes a priority ticket, once, inside its window: checked and issued in one transaction. */
export async function checkIn(
  store: EventStore,
  code: string,
  services: readonly Service[],
  block: TicketBlock,
  rules: { queue: QueueRules; appointments: AppointmentRules },
  now: number = Date.now(),
): Promise<CheckInOutcome> {
  const today = vietnamDay(now)
  let refusal: Exclude<CheckInVerdict, 'ok'> = 'unknown'
  const outcome = await store.appendAfter(async () => {
    const queue = await readQueue(store, today, rules.queue)
    const appointment = findByCode(foldAppointments(await store.eventsOfTypes(APPOINTMENT_TYPES), queue), code)
    const verdict = checkInVerdict(appointment, rules.appointments, now)
    const service = services.find((candidate) => candidate.id === appointment?.serviceId)
    if (verdict !== 'ok' || !appointment || !service) {
      if (verdict !== 'ok') refusal = verdict
      return undefined
    }
    const decision = issueDecision(store, queue, { service, block, rules: rules.queue, priority: 'appointment', appointmentId: appointment.appointmentId })
    return { event: decision.event, result: { verdict: 'ok' as const, ticket: decision.result, appointment } }
  })
  return outcome?.result ?? { verdict: refusal }
}
