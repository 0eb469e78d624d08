import { performance } from 'node:perf_hooks'
import { foldQueue } from '../../src/shared/domain/queue/fold'
import type { EventEnvelope } from '../../src/shared/domain/eventlog/envelope'
import { DeviceLog, TEST_DAY, TEST_DAY_START_MS } from '../helpers/events'
import { figure, ms, percentile } from './stats'

/** A log of `count` events from a kiosk and two counters: half tickets, half calls. */
function syntheticDay(count: number): EventEnvelope[] {
  const kiosk = new DeviceLog('kiosk-0001')
  const counters = [new DeviceLog('counter-001'), new DeviceLog('counter-002')]
  const events: EventEnvelope[] = []
  const tickets: string[] = []
  for (let index = 0; events.length < count; index++) {
    const now = TEST_DAY_START_MS + index * 50
    const issued = kiosk.issue(`A${String((index % 999) + 1).padStart(3, '0')}`, now)
    events.push(issued)
    tickets.push(issued.payload.ticketId)
    if (index % 2 === 1 && events.length < count) events.push(counters[index % 4 === 1 ? 0 : 1]!.call(tickets[index - 1]!, (index % 2) + 1, now + 10))
  }
  // Replicated logs arrive in any order: fold from a shuffled copy, as a replica would.
  for (let index = events.length - 1; index > 0; index--) {
    const other = Math.floor(Math.random() * (index + 1))
    ;[events[index], events[other]] = [events[other]!, events[index]!]
  }
  return events
}

export async function benchFold(): Promise<void> {
  for (const [count, goal] of [[10_000, '≤ 200 ms'], [100_000, '≤ 1 s']] as const) {
    const events = syntheticDay(count)
    foldQueue(events, TEST_DAY) // warm-up
    const samples: number[] = []
    for (let run = 0; run < 7; run++) {
      const start = performance.now()
      foldQueue(events, TEST_DAY)
      samples.push(performance.now() - start)
    }
    figure(`fold of ${count.toLocaleString('en')} events, median of 7`, ms(percentile(samples, 50)), goal)
  }
}
