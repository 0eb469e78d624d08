import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeHlc, encodeHlc, HLC_ZERO, MAX_FORWARD_DRIFT_MS, receiveHlc, tickHlc } from '../../../src/shared/domain/eventlog/hlc'

describe('hybrid logical clock', () => {
  it('encodes so that string order is clock order', () => {
    const a = encodeHlc({ wallMs: 1_700_000_000_000, counter: 5 })
    const b = encodeHlc({ wallMs: 1_700_000_000_000, counter: 6 })
    const c = encodeHlc({ wallMs: 1_700_000_000_001, counter: 0 })
    expect(a < b && b < c).toBe(true)
    expect(decodeHlc(b)).toEqual({ wallMs: 1_700_000_000_000, counter: 6 })
  })

  it('rejects values that are not clocks', () => {
    for (const bad of ['', 'xyz', '0'.repeat(15), 'G'.repeat(16), '0'.repeat(17)]) expect(() => decodeHlc(bad)).toThrow(RangeError)
  })

  it('follows the wall clock when it moves forward, counts when it stands still or goes back', () => {
    const first = tickHlc(HLC_ZERO, 1000)
    expect(first).toEqual({ wallMs: 1000, counter: 0 })
    expect(tickHlc(first, 1000)).toEqual({ wallMs: 1000, counter: 1 })
    expect(tickHlc(first, 500)).toEqual({ wallMs: 1000, counter: 1 })
  })

  it('moves past a remote clock so that what we write next sorts after what we saw', () => {
    const local = { wallMs: 1000, counter: 3 }
    const remote = { wallMs: 2000, counter: 7 }
    const merged = receiveHlc(local, remote, 1500)
    expect(encodeHlc(merged) > encodeHlc(remote)).toBe(true)
    expect(encodeHlc(tickHlc(merged, 1500)) > encodeHlc(remote)).toBe(true)
  })

  it('does not follow a remote clock that is a day or more ahead', () => {
    const local = { wallMs: 1000, counter: 0 }
    expect(receiveHlc(local, { wallMs: 1000 + MAX_FORWARD_DRIFT_MS + 10_000, counter: 0 }, 1000)).toEqual(local)
  })

  it('borrows a millisecond rather than overflow the counter', () => {
    expect(tickHlc({ wallMs: 5, counter: 0xffff }, 5)).toEqual({ wallMs: 6, counter: 0 })
  })

  it('is strictly monotonic under any mix of local ticks and remote clocks', () => {
    const step = fc.oneof(
      fc.record({ kind: fc.constant('tick' as const), now: fc.integer({ min: 0, max: 10_000 }) }),
      fc.record({ kind: fc.constant('receive' as const), now: fc.integer({ min: 0, max: 10_000 }), wallMs: fc.integer({ min: 0, max: 20_000 }), counter: fc.integer({ min: 0, max: 0xffff }) }),
    )
    fc.assert(
      fc.property(fc.array(step, { maxLength: 200 }), (steps) => {
        let clock = HLC_ZERO
        for (const s of steps) {
          const next = s.kind === 'tick' ? tickHlc(clock, s.now) : receiveHlc(clock, { wallMs: s.wallMs, counter: s.counter }, s.now)
          if (s.kind === 'tick' && !(encodeHlc(next) > encodeHlc(clock))) return false
          if (encodeHlc(next) < encodeHlc(clock)) return false
          clock = next
        }
        return true
      }),
    )
  })
})
