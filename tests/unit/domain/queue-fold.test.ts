import fc from 'fast-check'
import { beforeEach, describe, expect, it } from 'vitest'
import { currentTicketAt, foldQueue, ticketsIssuedBy, type QueueState } from '../../../src/shared/domain/queue/fold'
import { DEFAULT_QUEUE_RULES } from '../../../src/shared/domain/queue/setup'
import { DeviceLog, TEST_DAY, TEST_DAY_START_MS } from '../../helpers/events'

const t = (minutes: number): number => TEST_DAY_START_MS + minutes * 60_000

/** The parts of the state a screen shows, in a form two replicas can be compared by. */
function visible(state: QueueState): unknown {
  return {
    tickets: state.tickets.map((ticket) => [ticket.label, ticket.status, ticket.serviceId, ticket.counter ?? null, ticket.forCounter ?? null, ticket.recalls]),
    waiting: state.waiting.map((ticket) => ticket.label),
    calls: state.calls.map((call) => [call.label, call.counter, call.kind]),
    nowServing: [...state.nowServing].sort(([a], [b]) => a - b).map(([counter, call]) => [counter, call.label]),
    lost: state.lostCalls.map((lost) => [lost.label, lost.counter, lost.wonByCounter]),
    ratings: state.ratings.map((rating) => rating.rating),
  }
}

describe('the queue fold', () => {
  // Fresh devices per test: each keeps its own clock, as a real one would.
  let kiosk: DeviceLog
  let counter1: DeviceLog
  let counter2: DeviceLog
  beforeEach(() => {
    kiosk = new DeviceLog('kiosk-0001')
    counter1 = new DeviceLog('counter-001')
    counter2 = new DeviceLog('counter-002')
  })

  it('follows a ticket through issue, call, recall and service', () => {
    const a1 = kiosk.issue('A001', t(0))
    const a2 = kiosk.issue('A002', t(1))
    const events = [a1, a2, counter1.call(a1.payload.ticketId, 3, t(2), 'Lan'), counter1.atCounter('recalled', a1.payload.ticketId, 3, t(3)), counter1.atCounter('served', a1.payload.ticketId, 3, t(9))]
    const state = foldQueue(events, TEST_DAY)
    expect(state.waiting.map((ticket) => ticket.label)).toEqual(['A002'])
    const served = state.tickets[0]!
    expect(served).toMatchObject({ status: 'served', counter: 3, clerk: 'Lan', recalls: 1, issuedAt: t(0), firstCalledAt: t(2), servedAt: t(9) })
    expect(state.calls.map((call) => call.kind)).toEqual(['recall', 'call'])
    expect(state.nowServing.get(3)?.label).toBe('A001')
    expect(currentTicketAt(state, 3)).toBeUndefined()
    expect(ticketsIssuedBy(state, 'kiosk-0001', 'ho-tich')).toBe(2)
  })

  it('lets a no-show come back within the window, and not after it', () => {
    const late = kiosk.issue('A003', t(0))
    const early = kiosk.issue('A004', t(0))
    const events = [
      late,
      early,
      counter1.call(late.payload.ticketId, 1, t(1)),
      counter1.atCounter('skipped', late.payload.ticketId, 1, t(2)),
      counter2.call(early.payload.ticketId, 2, t(1)),
      counter2.atCounter('skipped', early.payload.ticketId, 2, t(2)),
      kiosk.returnTicket(early.payload.ticketId, t(2 + DEFAULT_QUEUE_RULES.noShowReturnMinutes - 1)),
      kiosk.returnTicket(late.payload.ticketId, t(2 + DEFAULT_QUEUE_RULES.noShowReturnMinutes + 1)),
    ]
    const state = foldQueue(events, TEST_DAY)
    expect(state.tickets.map((ticket) => [ticket.label, ticket.status])).toEqual([['A003', 'skipped'], ['A004', 'waiting']])
    expect(state.ignored).toBe(1)
  })

  it('transfers a ticket to another service or to one counter, keeping its place in time', () => {
    const ticket = kiosk.issue('A005', t(0))
    const events = [ticket, counter1.call(ticket.payload.ticketId, 1, t(1)), counter1.transfer(ticket.payload.ticketId, 1, { toServiceId: 'chung-thuc', toCounter: 2 }, t(3))]
    const [moved] = foldQueue(events, TEST_DAY).tickets
    expect(moved).toMatchObject({ status: 'waiting', serviceId: 'chung-thuc', issuedServiceId: 'ho-tich', forCounter: 2, issuedAt: t(0), transfers: 1 })
  })

  it('applies a counter action only to the ticket that counter is serving', () => {
    const ticket = kiosk.issue('A006', t(0))
    const events = [ticket, counter1.call(ticket.payload.ticketId, 1, t(1)), counter2.atCounter('served', ticket.payload.ticketId, 2, t(2)), counter2.atCounter('skipped', ticket.payload.ticketId, 2, t(2))]
    const state = foldQueue(events, TEST_DAY)
    expect(state.tickets[0]!.status).toBe('called')
    expect(state.ignored).toBe(2)
  })

  it('keeps other days out of today', () => {
    expect(foldQueue([kiosk.issue('A001', t(0), 'ho-tich', '2026-11-22')], TEST_DAY).tickets).toEqual([])
  })

  it('lets the earlier of two conflicting calls win and tells the other counter', () => {
    const a1 = kiosk.issue('A007', t(0))
    // Cut off from each other, both counters call A007; counter 2's clock is a little earlier.
    const late = counter1.call(a1.payload.ticketId, 1, t(5))
    const early = counter2.call(a1.payload.ticketId, 2, t(4))
    for (const order of [[a1, late, early], [early, a1, late], [late, early, a1]]) {
      const state = foldQueue(order, TEST_DAY)
      expect(state.nowServing.get(2)?.label).toBe('A007')
      expect(state.nowServing.has(1)).toBe(false)
      expect(state.lostCalls).toEqual([{ ticketId: a1.payload.ticketId, label: 'A007', counter: 1, wonByCounter: 2 }])
    }
  })

  it('skips events it cannot understand instead of failing', () => {
    const good = kiosk.issue('A001', t(0))
    const badPayload = kiosk.event('queue.ticketIssued', { ticketId: 'not-a-uuid' }, t(1))
    const fromTheFuture = kiosk.event('queue.ticketTeleported', { anything: 1 }, t(2))
    const newerVersion = { ...kiosk.issue('A002', t(3)), v: 2 }
    const otherArea = kiosk.event('dossier.received', { anything: 1 }, t(3))
    const state = foldQueue([good, badPayload, fromTheFuture, newerVersion, otherArea], TEST_DAY)
    expect(state.tickets.map((ticket) => ticket.label)).toEqual(['A001'])
    expect(state.skipped).toBe(3)
  })

  it("gives every replica the same state, whatever the order, duplication or delay of three devices' events", () => {
    const k = new DeviceLog('kiosk-0001')
    const c1 = new DeviceLog('counter-001')
    const c2 = new DeviceLog('counter-002')
    const issued = Array.from({ length: 6 }, (_unused, index) => k.issue(`A${String(index + 1).padStart(3, '0')}`, t(index), 'ho-tich', TEST_DAY, index === 2 ? 'elderly' : undefined))
    const id = (index: number): string => issued[index]!.payload.ticketId
    const actions = [
      c1.call(id(0), 1, t(10)),
      c2.call(id(0), 2, t(10)), // conflict at the same millisecond: decided by device id
      c2.call(id(1), 2, t(11)),
      c2.atCounter('recalled', id(1), 2, t(12)),
      c2.atCounter('skipped', id(1), 2, t(13)),
      k.returnTicket(id(1), t(14)),
      c1.atCounter('served', id(0), 1, t(15)),
      c1.call(id(2), 1, t(16)),
      c2.call(id(2), 2, t(16)),
      c1.transfer(id(2), 1, { toCounter: 2 }, t(17)),
      c2.call(id(3), 2, t(18)),
      c2.atCounter('served', id(3), 2, t(19)),
      k.rate(3, t(20), id(3)),
    ]
    const all = [...issued, ...actions]
    const reference = visible(foldQueue(all, TEST_DAY))
    fc.assert(
      fc.property(fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length }), fc.array(fc.nat(all.length - 1), { maxLength: 10 }), (shuffled, duplicates) => {
        expect(visible(foldQueue([...shuffled, ...duplicates.map((index) => all[index]!)], TEST_DAY))).toEqual(reference)
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) },
    )
  })
})
