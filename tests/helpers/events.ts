import { randomUUID } from 'node:crypto'
import type { EventEnvelope } from '../../src/shared/domain/eventlog/envelope'
import { encodeHlc, tickHlc, type HlcState } from '../../src/shared/domain/eventlog/hlc'
import { QueueEvent, type PriorityClass } from '../../src/shared/domain/queue/events'

export const TEST_WARD = '20242'
export const TEST_DAY = '2026-11-23'
export const TEST_DAY_START_MS = Date.parse('2026-11-23T08:00:00+07:00')

/** Writes events as one device would: its own seq and clock. */
export class DeviceLog {
  private seq = 0
  private clock: HlcState = { wallMs: 0, counter: 0 }

  constructor(readonly deviceId: string) {}

  event(type: string, payload: Record<string, unknown>, nowMs: number): EventEnvelope {
    this.clock = tickHlc(this.clock, nowMs)
    return { deviceId: this.deviceId, seq: ++this.seq, hlc: encodeHlc(this.clock), wardCode: TEST_WARD, type, v: 1, payload }
  }

  issue(label: string, nowMs: number, serviceId = 'ho-tich', day = TEST_DAY, priority?: PriorityClass): EventEnvelope & { payload: { ticketId: string } } {
    const number = Number(label.replace(/^[A-Z]+/, ''))
    const payload = { ticketId: randomUUID(), serviceId, day, number, label, ...(priority && { priority }) }
    return this.event(QueueEvent.issued, payload, nowMs) as EventEnvelope & { payload: { ticketId: string } }
  }

  call(ticketId: string, counter: number, nowMs: number, clerk?: string): EventEnvelope {
    return this.event(QueueEvent.called, { ticketId, counter, ...(clerk && { clerk }) }, nowMs)
  }

  /** recall, skip (no-show) or serve the ticket at this counter. */
  atCounter(action: 'recalled' | 'skipped' | 'served', ticketId: string, counter: number, nowMs: number): EventEnvelope {
    return this.event(QueueEvent[action], { ticketId, counter }, nowMs)
  }

  returnTicket(ticketId: string, nowMs: number): EventEnvelope {
    return this.event(QueueEvent.returned, { ticketId }, nowMs)
  }

  transfer(ticketId: string, counter: number, to: { toServiceId?: string; toCounter?: number }, nowMs: number): EventEnvelope {
    return this.event(QueueEvent.transferred, { ticketId, counter, ...to }, nowMs)
  }

  rate(rating: 1 | 2 | 3, nowMs: number, ticketId?: string): EventEnvelope {
    return this.event(QueueEvent.rated, { rating, ...(ticketId && { ticketId }) }, nowMs)
  }
}
