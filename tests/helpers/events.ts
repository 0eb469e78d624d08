import { randomUUID } from 'node:crypto'
import type { EventEnvelope } from '../../src/shared/domain/eventlog/envelope'
import { encodeHlc, tickHlc, type HlcState } from '../../src/shared/domain/eventlog/hlc'
import { QUEUE_TICKET_CALLED, QUEUE_TICKET_ISSUED } from '../../src/shared/domain/queue/events'

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

  issue(label: string, nowMs: number, serviceId = 'ho-tich', day = TEST_DAY): EventEnvelope & { payload: { ticketId: string } } {
    const number = Number(label.replace(/^[A-Z]+/, ''))
    return this.event(QUEUE_TICKET_ISSUED, { ticketId: randomUUID(), serviceId, day, number, label }, nowMs) as EventEnvelope & { payload: { ticketId: string } }
  }

  call(ticketId: string, counter: number, nowMs: number): EventEnvelope {
    return this.event(QUEUE_TICKET_CALLED, { ticketId, counter }, nowMs)
  }
}
