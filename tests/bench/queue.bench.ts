import 'fake-indexeddb/auto'
import { performance } from 'node:perf_hooks'
import type { EventEnvelope } from '../../src/shared/domain/eventlog/envelope'
import { foldQueue } from '../../src/shared/domain/queue/fold'
import { pickNextTicket } from '../../src/shared/domain/queue/selection'
import { DEFAULT_QUEUE_RULES } from '../../src/shared/domain/queue/setup'
import { MotcuaDatabase } from '../../src/renderer/src/data/db'
import { EventStore } from '../../src/renderer/src/data/event-store'
import { callNext } from '../../src/renderer/src/data/queue'
import { DeviceLog, TEST_DAY, TEST_DAY_START_MS, TEST_WARD } from '../helpers/events'
import { figure, ms, percentile } from './stats'

const TICKETS = 10_000
const SERVICES = ['ho-tich', 'chung-thuc', 'cu-tru', 'dat-dai', 'bao-tro', 'ho-kinh-doanh']

/** A busy day: 10,000 tickets over six services, a tenth of them priority; all but the last 500 called and served. */
function busyDay(): EventEnvelope[] {
  const kiosk = new DeviceLog('kiosk-0001')
  const counters = Array.from({ length: 8 }, (_unused, index) => new DeviceLog(`counter-00${index + 1}`))
  const events: EventEnvelope[] = []
  for (let index = 0; index < TICKETS; index++) {
    const at = TEST_DAY_START_MS + index * 2_000
    const ticket = kiosk.issue(`A${String((index % 999) + 1).padStart(3, '0')}`, at, SERVICES[index % SERVICES.length], TEST_DAY, index % 10 === 0 ? 'elderly' : undefined)
    events.push(ticket)
    if (index < TICKETS - 500) {
      const clerk = counters[index % counters.length]!
      events.push(clerk.call(ticket.payload.ticketId, (index % 8) + 1, at + 60_000), clerk.atCounter('served', ticket.payload.ticketId, (index % 8) + 1, at + 300_000))
    }
  }
  return events
}

function timed(runs: number, work: () => unknown): number[] {
  const samples: number[] = []
  for (let run = 0; run < runs; run++) {
    const start = performance.now()
    work()
    samples.push(performance.now() - start)
  }
  return samples
}

export async function benchQueue(): Promise<void> {
  const events = busyDay()
  foldQueue(events, TEST_DAY)
  const folds = timed(7, () => foldQueue(events, TEST_DAY))
  figure(`fold of a ${TICKETS.toLocaleString('en')}-ticket day (${events.length.toLocaleString('en')} events), median`, ms(percentile(folds, 50)), '≤ 200 ms')

  const state = foldQueue(events, TEST_DAY)
  const counter = { number: 1, services: SERVICES.slice(0, 3).map((serviceId, index) => ({ serviceId, weight: index + 1 })) }
  const now = TEST_DAY_START_MS + TICKETS * 2_000
  const picks = timed(200, () => pickNextTicket(state, counter, DEFAULT_QUEUE_RULES, now))
  figure('call-next decision on that day (500 waiting), p95', ms(percentile(picks, 95)), '≤ 20 ms')

  // The whole action as a clerk's tap runs it: read the day from IndexedDB, fold, decide, append.
  const db = new MotcuaDatabase('bench-queue')
  await db.events.bulkAdd(events)
  const store = new EventStore(db, 'counter-bench', TEST_WARD, () => now)
  const taps: number[] = []
  for (let tap = 0; tap < 10; tap++) {
    const start = performance.now()
    await callNext(store, counter, DEFAULT_QUEUE_RULES, undefined, now)
    taps.push(performance.now() - start)
  }
  figure('call-next tap end to end (fake-indexeddb in Node), median', ms(percentile(taps, 50)))
}
