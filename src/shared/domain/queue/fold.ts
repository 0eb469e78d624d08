import { compareEvents, eventKey, type EventEnvelope } from '../eventlog/envelope'
import { decodeHlc } from '../eventlog/hlc'
import {
  QueueEvent,
  ServiceRatedSchema,
  TicketCalledSchema,
  TicketIssuedSchema,
  TicketRecalledSchema,
  TicketReturnedSchema,
  TicketServedSchema,
  TicketSkippedSchema,
  TicketTransferredSchema,
  type PriorityClass,
  type ServiceRated,
  type TicketCalled,
  type TicketIssued,
  type TicketTransferred,
} from './events'
import { DEFAULT_QUEUE_RULES, type QueueRules } from './setup'

export type TicketStatus = 'waiting' | 'called' | 'skipped' | 'served'

export interface Ticket {
  readonly ticketId: string
  /** The service the ticket now waits for (a transfer changes it). */
  readonly serviceId: string
  readonly issuedServiceId: string
  readonly number: number
  readonly label: string
  readonly priority?: PriorityClass
  readonly appointmentId?: string
  readonly issuedBy: string
  readonly issuedHlc: string
  readonly issuedAt: number
  readonly status: TicketStatus
  /** The counter that called (or served, or skipped) it. */
  readonly counter?: number
  readonly clerk?: string
  /** A transfer to one counter: only that counter calls it. */
  readonly forCounter?: number
  readonly firstCalledAt?: number
  readonly calledAt?: number
  readonly skippedAt?: number
  readonly servedAt?: number
  readonly recalls: number
  readonly transfers: number
}

/** A call or recall, as the display announces it. */
export interface Call {
  readonly ticketId: string
  readonly label: string
  readonly serviceId: string
  readonly counter: number
  readonly hlc: string
  readonly kind: 'call' | 'recall'
  readonly priority?: PriorityClass
}

/** A call that lost: another counter had called the same ticket first (seen after replicas merged). */
export interface LostCall {
  readonly ticketId: string
  readonly label: string
  readonly counter: number
  readonly wonByCounter: number
}

export interface Rating extends ServiceRated {
  readonly at: number
  readonly serviceId?: string
  readonly clerk?: string
}

export interface QueueState {
  readonly day: string
  /** Tickets of the day in issue order. */
  readonly tickets: readonly Ticket[]
  /** Waiting tickets, in issue order. */
  readonly waiting: readonly Ticket[]
  /** Calls and recalls, newest first. */
  readonly calls: readonly Call[]
  /** The latest call per counter, for the display board. */
  readonly nowServing: ReadonlyMap<number, Call>
  readonly lostCalls: readonly LostCall[]
  readonly ratings: readonly Rating[]
  /** Events that could not be understood (a newer app's type, a bad payload): kept in the log, left out of the state. */
  readonly skipped: number
  /** Valid events that came too late to apply (a second "served", a return after the window): ignored the same way everywhere. */
  readonly ignored: number
}

type MutableTicket = { -readonly [K in keyof Ticket]: Ticket[K] }

/**
 * The queue of one day as a deterministic fold of the log: the same events, in whatever order
 * they arrived, give the same state on every replica. An action only applies to a ticket in the
 * state it expects (a counter serves only what it called); when two counters called the same
 * ticket while cut off from each other, the earlier call in the log's total order wins and the
 * other counter is told.
 */
export function foldQueue(events: readonly EventEnvelope[], day: string, rules: QueueRules = DEFAULT_QUEUE_RULES): QueueState {
  // The same event may arrive twice (replication retries): it counts once.
  const ordered = [...new Map(events.map((event) => [eventKey(event), event])).values()].sort(compareEvents)
  const folder = new QueueFolder(day, rules)
  for (const event of ordered) folder.apply(event)
  return folder.state()
}

/**
 * The fold, step by step, for a caller that keeps it between reads and feeds it only the events
 * that came after: events must be applied once each, in the log's total order.
 */
export class QueueFolder {
  private readonly byId = new Map<string, MutableTicket>()
  private readonly calls: Call[] = []
  private readonly lostCalls: LostCall[] = []
  private readonly ratings: Rating[] = []
  private skipped = 0
  private ignored = 0

  constructor(
    readonly day: string,
    private readonly rules: QueueRules,
  ) {}

  apply(event: EventEnvelope): void {
    if (!event.type.startsWith('queue.')) return
    const parsed = parseQueuePayload(event)
    if (parsed === undefined) {
      this.skipped++
      return
    }
    const at = decodeHlc(event.hlc).wallMs
    if (parsed.type === 'issued') return this.issue(parsed.payload, event, at)
    if (parsed.type === 'rated') {
      const ticket = parsed.payload.ticketId ? this.byId.get(parsed.payload.ticketId) : undefined
      if (parsed.payload.ticketId && !ticket) return // a rating of another day's ticket
      this.ratings.push({ ...parsed.payload, at, ...(ticket && { serviceId: ticket.serviceId }), ...(ticket?.clerk && { clerk: ticket.clerk }) })
      return
    }
    const ticket = this.byId.get(parsed.payload.ticketId)
    if (!ticket) return // an action on another day's ticket
    const byCallingCounter = 'counter' in parsed.payload && ticket.status === 'called' && ticket.counter === parsed.payload.counter

    switch (parsed.type) {
      case 'called': {
        const { counter, clerk } = parsed.payload
        if (ticket.status === 'waiting' || ticket.status === 'skipped') {
          ticket.status = 'called'
          ticket.counter = counter
          if (clerk) ticket.clerk = clerk
          ticket.calledAt = at
          ticket.firstCalledAt ??= at
          delete ticket.forCounter
          this.announce(ticket, counter, event.hlc, 'call')
        } else if (ticket.status === 'called' && ticket.counter !== counter) {
          this.lostCalls.push({ ticketId: ticket.ticketId, label: ticket.label, counter, wonByCounter: ticket.counter! })
        } else this.ignored++
        break
      }
      case 'recalled':
        if (byCallingCounter) {
          ticket.recalls++
          this.announce(ticket, ticket.counter!, event.hlc, 'recall')
        } else this.ignored++
        break
      case 'skipped':
        if (byCallingCounter) {
          ticket.status = 'skipped'
          ticket.skippedAt = at
        } else this.ignored++
        break
      case 'returned':
        if (ticket.status === 'skipped' && at - ticket.skippedAt! <= this.rules.noShowReturnMinutes * 60_000) ticket.status = 'waiting'
        else this.ignored++
        break
      case 'transferred': {
        const { toServiceId, toCounter } = parsed.payload
        if (byCallingCounter || ticket.status === 'waiting') {
          ticket.status = 'waiting'
          if (toServiceId) ticket.serviceId = toServiceId
          if (toCounter) ticket.forCounter = toCounter
          else delete ticket.forCounter
          ticket.transfers++
        } else this.ignored++
        break
      }
      case 'served':
        if (byCallingCounter) {
          ticket.status = 'served'
          ticket.servedAt = at
        } else this.ignored++
        break
    }
  }

  /** A snapshot: later events applied to this folder do not change it. */
  state(): QueueState {
    const tickets: Ticket[] = [...this.byId.values()].map((ticket) => ({ ...ticket }))
    const nowServing = new Map<number, Call>()
    for (const entry of this.calls) nowServing.set(entry.counter, entry)
    return {
      day: this.day,
      tickets,
      waiting: tickets.filter((ticket) => ticket.status === 'waiting'),
      calls: [...this.calls].reverse(),
      nowServing,
      lostCalls: [...this.lostCalls],
      ratings: [...this.ratings],
      skipped: this.skipped,
      ignored: this.ignored,
    }
  }

  private issue(issued: TicketIssued, event: EventEnvelope, at: number): void {
    if (issued.day !== this.day || this.byId.has(issued.ticketId)) return
    this.byId.set(issued.ticketId, {
      ticketId: issued.ticketId,
      serviceId: issued.serviceId,
      issuedServiceId: issued.serviceId,
      number: issued.number,
      label: issued.label,
      ...(issued.priority && { priority: issued.priority }),
      ...(issued.appointmentId && { appointmentId: issued.appointmentId }),
      issuedBy: event.deviceId,
      issuedHlc: event.hlc,
      issuedAt: at,
      status: 'waiting',
      recalls: 0,
      transfers: 0,
    })
  }

  private announce(ticket: MutableTicket, counter: number, hlc: string, kind: Call['kind']): void {
    this.calls.push({ ticketId: ticket.ticketId, label: ticket.label, serviceId: ticket.serviceId, counter, hlc, kind, ...(ticket.priority && { priority: ticket.priority }) })
  }
}

type ParsedQueueEvent =
  | { type: 'issued'; payload: TicketIssued }
  | { type: 'called'; payload: TicketCalled }
  | { type: 'recalled' | 'skipped' | 'served'; payload: { ticketId: string; counter: number } }
  | { type: 'returned'; payload: { ticketId: string } }
  | { type: 'transferred'; payload: TicketTransferred }
  | { type: 'rated'; payload: ServiceRated }

const PAYLOAD_SCHEMAS = {
  [QueueEvent.issued]: ['issued', TicketIssuedSchema],
  [QueueEvent.called]: ['called', TicketCalledSchema],
  [QueueEvent.recalled]: ['recalled', TicketRecalledSchema],
  [QueueEvent.skipped]: ['skipped', TicketSkippedSchema],
  [QueueEvent.returned]: ['returned', TicketReturnedSchema],
  [QueueEvent.transferred]: ['transferred', TicketTransferredSchema],
  [QueueEvent.served]: ['served', TicketServedSchema],
  [QueueEvent.rated]: ['rated', ServiceRatedSchema],
} as const

/** The typed payload of a queue event this version understands, or undefined. */
function parseQueuePayload(event: EventEnvelope): ParsedQueueEvent | undefined {
  if (event.v !== 1 || !Object.hasOwn(PAYLOAD_SCHEMAS, event.type)) return undefined
  const [type, schema] = PAYLOAD_SCHEMAS[event.type as keyof typeof PAYLOAD_SCHEMAS]
  const parsed = schema.safeParse(event.payload)
  return parsed.success ? ({ type, payload: parsed.data } as ParsedQueueEvent) : undefined
}

/** The ticket a counter is serving now, if any. */
export function currentTicketAt(state: QueueState, counter: number): Ticket | undefined {
  return state.tickets.find((ticket) => ticket.status === 'called' && ticket.counter === counter)
}

/** How many tickets a device has issued today for a service: the basis of its next number. */
export function ticketsIssuedBy(state: QueueState, deviceId: string, serviceId: string): number {
  let count = 0
  for (const ticket of state.tickets) if (ticket.issuedBy === deviceId && ticket.issuedServiceId === serviceId) count++
  return count
}
