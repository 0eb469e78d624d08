import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DossierCodeSchema, dossierCode } from '../../../src/shared/domain/dossier/dossier-code'

const receivedAt = Date.parse('2026-10-08T09:15:00+07:00')

describe('dossier codes', () => {
  it('have the provincial shape {agency}-{yyMMdd}-{4-digit sequence}', () => {
    const code = dossierCode({ agencyCode: 'H15.50.05.13', receivedAt, ordinal: 975, block: { index: 0, count: 1 } })
    expect(code).toBe('H15.50.05.13-261008-0975')
    expect(DossierCodeSchema.parse(code)).toBe(code)
  })

  it('take the day in Vietnam, not in UTC', () => {
    expect(dossierCode({ agencyCode: '000.00.12.H17', receivedAt: Date.parse('2026-10-07T18:30:00Z'), ordinal: 1, block: { index: 0, count: 1 } })).toBe('000.00.12.H17-261008-0001')
  })

  it('start each counter in its own block and continue past it in its own 5-digit range', () => {
    const code = (index: number, ordinal: number) => dossierCode({ agencyCode: 'H15.50.05.13', receivedAt, ordinal, block: { index, count: 4 } })
    expect(code(0, 1)).toBe('H15.50.05.13-261008-0001')
    expect(code(1, 1)).toBe('H15.50.05.13-261008-2500')
    expect(code(3, 2499)).toBe('H15.50.05.13-261008-9996')
    expect(code(3, 2500)).toBe('H15.50.05.13-261008-40001')
  })

  it('never give two counters of a ward the same code on one day, even past their blocks', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 99 }), fc.integer({ min: 1, max: 400 }), fc.integer({ min: 0, max: 10_000 }), (count, perCounter, skip) => {
        const seen = new Set<string>()
        const span = Math.floor(9999 / count)
        for (let index = 0; index < count; index++) {
          // Around the end of the block, where the overflow starts.
          for (let ordinal = Math.max(1, span - perCounter + (skip % 3)); ordinal <= span + perCounter; ordinal++) {
            const code = dossierCode({ agencyCode: 'H15', receivedAt, ordinal, block: { index, count } })
            if (seen.has(code)) return false
            seen.add(code)
          }
        }
        return true
      }),
      { numRuns: 30 },
    )
  })

  it('refuses malformed agency codes, blocks and ordinals', () => {
    const block = { index: 0, count: 1 }
    expect(() => dossierCode({ agencyCode: 'h15.50', receivedAt, ordinal: 1, block })).toThrow()
    expect(() => dossierCode({ agencyCode: 'H15-50', receivedAt, ordinal: 1, block })).toThrow()
    expect(() => dossierCode({ agencyCode: 'H15', receivedAt, ordinal: 0, block })).toThrow(RangeError)
    expect(() => dossierCode({ agencyCode: 'H15', receivedAt, ordinal: 1, block: { index: 2, count: 2 } })).toThrow(RangeError)
  })
})
