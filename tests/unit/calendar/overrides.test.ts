import { describe, expect, it } from 'vitest'
import { CalendarOverridesError, parseCalendarOverrides } from '../../../src/shared/domain/calendar/overrides'

function issuesOf(input: unknown): { path: string; message: string }[] {
  try {
    parseCalendarOverrides(input)
  } catch (error) {
    expect(error).toBeInstanceOf(CalendarOverridesError)
    return [...(error as CalendarOverridesError).issues]
  }
  throw new Error('expected the overrides to be rejected')
}

describe('city calendar overrides', () => {
  it('fills in empty lists and normalises names to NFC', () => {
    const decomposed = 'Nghỉ Tết bổ sung'.normalize('NFD')
    expect(parseCalendarOverrides({ extraDaysOff: [{ date: '2026-02-13', name: `  ${decomposed} ` }] })).toEqual({
      extraDaysOff: [{ date: '2026-02-13', name: 'Nghỉ Tết bổ sung'.normalize('NFC') }],
      cancelledDaysOff: [],
      workingWeekendDays: [],
      nationalDayAdjacent: {},
    })
  })

  it('accepts a swap: a holiday on a Saturday cancelled and that Saturday worked', () => {
    expect(() => parseCalendarOverrides({ cancelledDaysOff: ['2026-02-21'], workingWeekendDays: ['2026-02-21'] })).toThrow(/not a statutory/)
    expect(parseCalendarOverrides({ cancelledDaysOff: ['2025-02-01'], workingWeekendDays: ['2025-02-01'] }).workingWeekendDays).toEqual(['2025-02-01'])
  })

  it.each([
    ['a date not written YYYY-MM-DD', { cancelledDaysOff: ['13/02/2026'] }, 'cancelledDaysOff.0', /YYYY-MM-DD/],
    ['a date that does not exist', { workingWeekendDays: ['2026-02-30'] }, 'workingWeekendDays.0', /real date/],
    ['a year out of range', { extraDaysOff: [{ date: '2300-01-02', name: 'x' }] }, 'extraDaysOff.0.date', /1800–2199/],
    ['an empty name', { extraDaysOff: [{ date: '2026-02-13', name: '  ' }] }, 'extraDaysOff.0.name', /./],
    ['an unknown field', { extraDays: [] }, '', /extraDays/],
    ['an extra day that is already a holiday', { extraDaysOff: [{ date: '2026-02-17', name: 'Tết' }] }, 'extraDaysOff.0.date', /already a day off \(Tết Nguyên Đán\)/],
    ['cancelling a day that is not off', { cancelledDaysOff: ['2026-03-02'] }, 'cancelledDaysOff.0', /not a statutory or compensatory day off/],
    ['working a weekday', { workingWeekendDays: ['2026-03-02'] }, 'workingWeekendDays.0', /not a Saturday or Sunday/],
    ['working a weekend holiday that is not cancelled', { workingWeekendDays: ['2025-02-01'] }, 'workingWeekendDays.0', /Tết Nguyên Đán.*cancel it first/],
    ['working a day also listed as a day off', { extraDaysOff: [{ date: '2026-02-14', name: 'Nghỉ Tết' }], workingWeekendDays: ['2026-02-14'] }, 'workingWeekendDays.0', /extra day off/],
    ['a date listed twice', { cancelledDaysOff: ['2026-02-16', '2026-02-16'] }, 'cancelledDaysOff.1', /listed twice/],
    ['a bad National Day choice', { nationalDayAdjacent: { '2026': 'both' } }, 'nationalDayAdjacent.2026', /before|after/],
    ['a bad National Day year', { nationalDayAdjacent: { '26': 'before' } }, 'nationalDayAdjacent.26', /key/i],
  ])('rejects %s with its path', (_case, input, path, message) => {
    const issues = issuesOf(input)
    expect(issues.map((issue) => issue.path)).toContain(path)
    expect(issues.find((issue) => issue.path === path)?.message).toMatch(message)
  })

  it('rejects input that is not an object', () => {
    expect(issuesOf(null)).toHaveLength(1)
    expect(issuesOf([])).toHaveLength(1)
  })

  it('reports every problem at once, in a readable message', () => {
    const input = { cancelledDaysOff: ['2026-03-02'], workingWeekendDays: ['2026-03-03'] }
    expect(issuesOf(input)).toHaveLength(2)
    expect(() => parseCalendarOverrides(input)).toThrow(
      'invalid calendar overrides: cancelledDaysOff.0: 2026-03-02 is not a statutory or compensatory day off, so it cannot be cancelled; workingWeekendDays.0: 2026-03-03 is not a Saturday or Sunday',
    )
  })

  it('checks cancellations against the chosen National Day days', () => {
    expect(() => parseCalendarOverrides({ cancelledDaysOff: ['2025-09-03'] })).toThrow(/2025-09-03 is not a statutory/)
    expect(parseCalendarOverrides({ nationalDayAdjacent: { '2025': 'after' }, cancelledDaysOff: ['2025-09-03'] }).cancelledDaysOff).toEqual(['2025-09-03'])
  })
})
