import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { formatPdfDate, parsePdfDate } from '../../../src/main/services/signing/pdf-date'

describe('PDF dates', () => {
  it('writes the instant in Vietnam time, UTC+07:00', () => {
    expect(formatPdfDate(new Date('2025-06-01T07:30:05Z'))).toBe("D:20250601143005+07'00'")
    expect(formatPdfDate(new Date('2025-12-31T20:00:00Z'))).toBe("D:20260101030000+07'00'")
  })

  it('reads back what it writes, to the second', () => {
    const seconds = fc.integer({ min: Date.UTC(1970, 0, 1) / 1000, max: Date.UTC(9000, 0, 1) / 1000 })
    fc.assert(fc.property(seconds, (epochSeconds) => parsePdfDate(formatPdfDate(new Date(epochSeconds * 1000)))?.getTime() === epochSeconds * 1000))
  })

  it.each([
    ['D:20250601143005Z', '2025-06-01T14:30:05.000Z'],
    ["D:20250601143005-05'30'", '2025-06-01T20:00:05.000Z'],
    ['D:2025', '2025-01-01T00:00:00.000Z'],
  ])('reads %s from other producers', (text, iso) => {
    expect(parsePdfDate(text)?.toISOString()).toBe(iso)
  })

  it.each(['', '20250601', 'D:20251301000000Z', 'D:2025060114300'])('rejects %j', (text) => {
    expect(parsePdfDate(text)).toBeUndefined()
  })
})
