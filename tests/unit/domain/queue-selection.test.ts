import { describe, expect, it } from 'vitest'
import { foldQueue } from '../../../src/shared/domain/queue/fold'
import { pickNextTicket } from '../../../src/shared/domain/queue/selection'
import { DEFAULT_QUEUE_RULES, type CounterSetup } from '../../../src/shared/domain/queue/setup'
import { estimateWait, meanServiceMs } from '../../../src/shared/domain/queue/wait-estimate'
import type { EventEnvelope } from '../../../src/shared/domain/eventlog/envelope'
import { DeviceLog, TEST_DAY, TEST_DAY_START_MS } from '../../helpers/events'

const t = (minutes: number): number => TEST_DAY_START_MS + minutes * 60_000
const everything: CounterSetup = { number: 1 }

/** Replays calls the way a counter makes them: pick, then call, on the state so far. */
function callsInOrder(events: EventEnvelope[], counter: CounterSetup, count: number, rules = DEFAULT_QUEUE_RULES): string[] {
  const clerk = new DeviceLog('counter-001')
  const labels: string[] = []
  for (let index = 0; index < count; index++) {
    const now = t(100 + index)
    const next = pickNextTicket(foldQueue(events, TEST_DAY, rules), counter, rules, now)
    if (!next) break
    labels.push(next.label)
    events.push(clerk.call(next.ticketId, counter.number, now), clerk.atCounter('served', next.ticketId, counter.number, now + 1))
  }
  return labels
}

describe('calling the next ticket', () => {
  it('is first come, first served between equal tickets', () => {
    const kiosk = new DeviceLog('kiosk-0001')
    const events = ['A001', 'A002', 'A003'].map((label, index) => kiosk.issue(label, t(index)))
    expect(callsInOrder(events, everything, 5)).toEqual(['A001', 'A002', 'A003'])
  })

  it('puts priority first, but at most `priorityStreak` in a row while normal tickets wait', () => {
    const kiosk = new DeviceLog('kiosk-0001')
    const events = [
      kiosk.issue('A001', t(0)),
      kiosk.issue('A002', t(1)),
      kiosk.issue('A003', t(2), 'ho-tich', TEST_DAY, 'elderly'),
      kiosk.issue('A004', t(3), 'ho-tich', TEST_DAY, 'disability'),
      kiosk.issue('A005', t(4), 'ho-tich', TEST_DAY, 'appointment'),
      kiosk.issue('A006', t(5), 'ho-tich', TEST_DAY, 'pregnantOrChild'),
    ]
    expect(callsInOrder(events, everything, 6, { ...DEFAULT_QUEUE_RULES, priorityStreak: 2 })).toEqual(['A003', 'A004', 'A001', 'A005', 'A006', 'A002'])
  })

  it('never starves normal tickets, however many priority tickets keep coming', () => {
    const kiosk = new DeviceLog('kiosk-0001')
    const events: EventEnvelope[] = [kiosk.issue('A001', t(0))]
    for (let index = 0; index < 30; index++) events.push(kiosk.issue(`P${String(index + 1).padStart(3, '0')}`, t(1 + index), 'ho-tich', TEST_DAY, 'elderly'))
    const order = callsInOrder(events, everything, 4, { ...DEFAULT_QUEUE_RULES, priorityStreak: 3 })
    expect(order.indexOf('A001')).toBe(3)
  })

  it('weighs waiting time by the counter\'s weight for each service, and skips services it does not serve', () => {
    const kiosk = new DeviceLog('kiosk-0001')
    const events = [kiosk.issue('B001', t(0), 'chung-thuc'), kiosk.issue('A001', t(4), 'ho-tich'), kiosk.issue('D001', t(0), 'dat-dai')]
    const counter: CounterSetup = { number: 1, services: [{ serviceId: 'ho-tich', weight: 3 }, { serviceId: 'chung-thuc', weight: 1 }] }
    // At 10:00 B001 has waited 100 min (score 100), A001 96 min × 3 (score 288).
    expect(callsInOrder(events, counter, 3)).toEqual(['A001', 'B001'])
  })

  it('gives a ticket transferred to this counter precedence, and hides it from the others', () => {
    const kiosk = new DeviceLog('kiosk-0001')
    const clerk = new DeviceLog('counter-002')
    const first = kiosk.issue('A001', t(0))
    const moved = kiosk.issue('A002', t(1))
    const events = [first, moved, clerk.call(moved.payload.ticketId, 2, t(2)), clerk.transfer(moved.payload.ticketId, 2, { toCounter: 3 }, t(3))]
    const state = foldQueue(events, TEST_DAY)
    expect(pickNextTicket(state, { number: 3 }, DEFAULT_QUEUE_RULES, t(5))?.label).toBe('A002')
    expect(pickNextTicket(state, { number: 1 }, DEFAULT_QUEUE_RULES, t(5))?.label).toBe('A001')
  })
})

describe('the wait estimate', () => {
  it('uses the default service time until the day has taught it better', () => {
    const kiosk = new DeviceLog('kiosk-0001')
    const state = foldQueue([kiosk.issue('A001', t(0)), kiosk.issue('A002', t(0))], TEST_DAY)
    expect(meanServiceMs(state, 'ho-tich', DEFAULT_QUEUE_RULES)).toBe(DEFAULT_QUEUE_RULES.defaultServiceMinutes * 60_000)
    expect(estimateWait(state, 'ho-tich', [{ number: 1 }, { number: 2, services: [{ serviceId: 'other', weight: 1 }] }], DEFAULT_QUEUE_RULES)).toEqual({
      ahead: 2,
      minutes: 2 * DEFAULT_QUEUE_RULES.defaultServiceMinutes,
    })
  })

  it('learns from recent service times and shares the load between the counters serving the service', () => {
    const kiosk = new DeviceLog('kiosk-0001')
    const clerk = new DeviceLog('counter-001')
    const events: EventEnvelope[] = []
    for (let index = 0; index < 4; index++) {
      const ticket = kiosk.issue(`A00${index + 1}`, t(index))
      events.push(ticket, clerk.call(ticket.payload.ticketId, 1, t(10 + index * 4)), clerk.atCounter('served', ticket.payload.ticketId, 1, t(12 + index * 4)))
    }
    for (let index = 0; index < 6; index++) events.push(kiosk.issue(`A1${String(index).padStart(2, '0')}`, t(40)))
    const state = foldQueue(events, TEST_DAY)
    expect(meanServiceMs(state, 'ho-tich', DEFAULT_QUEUE_RULES)).toBe(2 * 60_000)
    expect(estimateWait(state, 'ho-tich', [{ number: 1 }, { number: 2 }, { number: 3 }], DEFAULT_QUEUE_RULES)).toEqual({ ahead: 6, minutes: 4 })
  })
})
