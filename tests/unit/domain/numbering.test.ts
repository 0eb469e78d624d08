import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ticketLabel, ticketNumber } from '../../../src/shared/domain/queue/numbering'

describe('ticket numbers', () => {
  it('a lone issuing device numbers 1, 2, 3… and labels them short', () => {
    expect([1, 2, 3].map((k) => ticketNumber(k, { index: 0, count: 1 }))).toEqual([1, 2, 3])
    expect(ticketLabel('A', 15)).toBe('A015')
    expect(ticketLabel('B', 1002)).toBe('B1002')
  })

  it('two issuing devices start in separate halves of the 3-digit range', () => {
    expect(ticketNumber(1, { index: 0, count: 2 })).toBe(1)
    expect(ticketNumber(1, { index: 1, count: 2 })).toBe(500)
  })

  it('never gives two devices the same number, even past their blocks', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 1500 }), (count, perDevice) => {
        const seen = new Set<number>()
        const mostPerDevice = Math.min(perDevice, Math.floor(999 / count) + 999)
        for (let index = 0; index < count; index++) {
          for (let k = 1; k <= mostPerDevice; k++) {
            const number = ticketNumber(k, { index, count })
            if (seen.has(number)) return false
            seen.add(number)
          }
        }
        return true
      }),
      { numRuns: 40 },
    )
  })

  it('refuses impossible blocks and ordinals', () => {
    expect(() => ticketNumber(1, { index: 2, count: 2 })).toThrow(RangeError)
    expect(() => ticketNumber(1, { index: 0, count: 10 })).toThrow(RangeError)
    expect(() => ticketNumber(0, { index: 0, count: 1 })).toThrow(RangeError)
    expect(() => ticketNumber(1.5, { index: 0, count: 1 })).toThrow(RangeError)
    expect(() => ticketNumber(999 + 1000, { index: 0, count: 1 })).toThrow(RangeError)
  })
})
