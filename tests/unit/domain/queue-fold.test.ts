import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { foldQueue, nextTicketFor, ticketsIssuedBy, type QueueState } from '../../../src/shared/domain/queue/fold'
import { DeviceLog, TEST_DAY, TEST_DAY_START_MS } from '../../helpers/events'

const t = (minutes: number): number => TEST_DAY_START_MS + minutes * 60_000

/** The parts of the state a screen shows, in a form two replicas can be compared by. */
function visible(state: QueueState): unknown {
  return {
    tickets: state.tickets.map((ticket) => [ticket.label, ticket.call?.counter ?? null]),
    waiting: state.waiting.map((ticket) => ticket.label),
    calls: state.calls.map((call) => [call.label, call.counter]),
    nowServing: [...state.nowServing].sort(([a], [b]) => a - b).map(([counter, call]) => [counter, call.label]),
    lost: state.lostCalls.map((lost) => [lost.label, lost.counter, lost.wonByCounter]),
  }
}

describe('the queue fold', () => {
  it('puts issued tickets in line and moves a called one to its counter', () => {
    const kiosk = new DeviceLog('kiosk-0001')
    const counter = new DeviceLog('counter-001')
    const a1 = kiosk.issue('A001', t(0))
    const a2 = kiosk.issue('A002', t(1))
    const call = counter.call(a1.payload.ticketId, 3, t(2))
    const state = foldQueue([a1, a2, call], TEST_DAY)
    expect(state.waiting.map((ticket) => ticket.label)).toEqual(['A002'])
    expect(state.nowServing.get(3)?.label).toBe('A001')
    expect(state.calls.map((c) => c.label)).toEqual(['A001'])
    expect(ticketsIssuedBy(state, 'kiosk-0001', 'ho-tich')).toBe(2)
    expect(nextTicketFor(state, () => true)?.label).toBe('A002')
    expect(nextTicketFor(state, (serviceId) => serviceId === 'chung-thuc')).toBeUndefined()
  })

  it('keeps other days out of today', () => {
    const kiosk = new DeviceLog('kiosk-0001')
    const yesterday = kiosk.issue('A001', t(0), 'ho-tich', '2026-11-22')
    expect(foldQueue([yesterday], TEST_DAY).tickets).toEqual([])
  })

  it('lets the earlier of two conflicting calls win and tells the other counter', () => {
    const kiosk = new DeviceLog('kiosk-0001')
    const counter1 = new DeviceLog('counter-001')
    const counter2 = new DeviceLog('counter-002')
    const a1 = kiosk.issue('A001', t(0))
    // Cut off from each other, both counters call A001; counter 2's clock is a little earlier.
    const late = counter1.call(a1.payload.ticketId, 1, t(5))
    const early = counter2.call(a1.payload.ticketId, 2, t(4))
    for (const order of [[a1, late, early], [early, a1, late], [late, early, a1]]) {
      const state = foldQueue(order, TEST_DAY)
      expect(state.nowServing.get(2)?.label).toBe('A001')
      expect(state.nowServing.has(1)).toBe(false)
      expect(state.lostCalls).toEqual([{ ticketId: a1.payload.ticketId, label: 'A001', counter: 1, wonByCounter: 2 }])
    }
  })

  it('skips events it cannot understand instead of failing', () => {
    const kiosk = new DeviceLog('kiosk-0001')
    const good = kiosk.issue('A001', t(0))
    const badPayload = kiosk.event('queue.ticketIssued', { ticketId: 'not-a-uuid' }, t(1))
    const fromTheFuture = kiosk.event('queue.ticketTeleported', { anything: 1 }, t(2))
    const otherArea = kiosk.event('dossier.received', { anything: 1 }, t(3))
    const state = foldQueue([good, badPayload, fromTheFuture, otherArea], TEST_DAY)
    expect(state.tickets.map((ticket) => ticket.label)).toEqual(['A001'])
    expect(state.skipped).toBe(2)
  })

  it('gives every replica the same state, whatever the order, duplication or delay of three devices\' events', () => {
    const kiosk = new DeviceLog('kiosk-0001')
    const counter1 = new DeviceLog('counter-001')
    const counter2 = new DeviceLog('counter-002')
    const issued = Array.from({ length: 6 }, (_unused, index) => kiosk.issue(`A${String(index + 1).padStart(3, '0')}`, t(index)))
    const calls = [
      counter1.call(issued[0]!.payload.ticketId, 1, t(10)),
      counter2.call(issued[0]!.payload.ticketId, 2, t(10)), // conflict at the same millisecond: decided by device id
      counter2.call(issued[1]!.payload.ticketId, 2, t(11)),
      counter1.call(issued[2]!.payload.ticketId, 1, t(12)),
      counter2.call(issued[2]!.payload.ticketId, 2, t(13)),
    ]
    const all = [...issued, ...calls]
    const reference = visible(foldQueue(all, TEST_DAY))
    fc.assert(
      fc.property(fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length }), fc.array(fc.nat(all.length - 1), { maxLength: 10 }), (shuffled, duplicates) => {
        const withDuplicates = [...shuffled, ...duplicates.map((index) => all[index]!)]
        expect(visible(foldQueue(withDuplicates, TEST_DAY))).toEqual(reference)
      }),
      { numRuns: 300 },
    )
  })
})
