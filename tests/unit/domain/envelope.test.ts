import { describe, expect, it } from 'vitest'
import { compareEvents, EventEnvelopeSchema, versionVectorOf } from '../../../src/shared/domain/eventlog/envelope'
import { DeviceLog, TEST_DAY_START_MS } from '../../helpers/events'

describe('the event envelope', () => {
  const device = new DeviceLog('kiosk-0001')
  const good = device.issue('A001', TEST_DAY_START_MS)

  it('accepts a well-formed event', () => {
    expect(EventEnvelopeSchema.safeParse(good).success).toBe(true)
  })

  it.each([
    ['a device id with capitals', { deviceId: 'Kiosk-0001' }],
    ['seq 0', { seq: 0 }],
    ['a fractional seq', { seq: 1.5 }],
    ['a clock that is not 16 hex digits', { hlc: 'zz' }],
    ['a ward code that is not 5 digits', { wardCode: '4800' }],
    ['a type without an area', { type: 'ticketIssued' }],
    ['an extra top-level field', { sneaky: true }],
    ['a payload that is not an object', { payload: 'x' }],
  ])('rejects %s', (_name, change) => {
    expect(EventEnvelopeSchema.safeParse({ ...good, ...change }).success).toBe(false)
  })

  it('orders by clock, then device, then sequence', () => {
    const other = new DeviceLog('counter-001')
    const same = other.issue('A002', TEST_DAY_START_MS)
    expect(compareEvents(same, good)).toBeLessThan(0) // same clock: "counter-001" < "kiosk-0001"
    expect(compareEvents(good, good)).toBe(0)
  })

  it('reports for each device the highest sequence held without a gap', () => {
    expect(versionVectorOf([{ deviceId: 'a', seq: 1 }, { deviceId: 'a', seq: 2 }, { deviceId: 'a', seq: 4 }, { deviceId: 'b', seq: 2 }])).toEqual({ a: 2, b: 0 })
  })
})
