import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { epochDayFromParts, isoDateOf } from '../../../src/shared/domain/calendar/days'
import { CalendarOverridesError } from '../../../src/shared/domain/calendar/overrides'
import { addWorkingDays, isWorkingDay, NATIONAL_CALENDAR, WorkingCalendar, workingDaysBetween } from '../../../src/shared/domain/calendar/workdays'

/** A made-up city decision for Tết 2026: Friday 13/2 off in exchange for working Saturday 28/2. */
const swapForTet2026 = { extraDaysOff: [{ date: '2026-02-13', name: 'Nghỉ Tết (hoán đổi)' }], workingWeekendDays: ['2026-02-28'] }

const anyDay = fc.integer({ min: epochDayFromParts(2000, 1, 1), max: epochDayFromParts(2060, 12, 31) }).map(isoDateOf)

describe('working days', () => {
  it('are Monday to Friday outside holidays and compensatory days', () => {
    expect(isWorkingDay('2026-02-13')).toBe(true) // Friday
    expect(isWorkingDay('2026-02-14')).toBe(false) // Saturday
    expect(isWorkingDay('2026-02-15')).toBe(false) // Sunday
    expect(isWorkingDay('2026-02-16')).toBe(false) // 29 Tháng Chạp
    expect(isWorkingDay('2026-04-27')).toBe(false) // Nghỉ bù Giỗ Tổ
    expect(isWorkingDay('2028-01-03')).toBe(false) // Nghỉ bù Tết Dương lịch
  })

  it('follow the city overrides: extra days off, cancelled days off, worked Saturdays, the National Day choice', () => {
    const city = new WorkingCalendar({ ...swapForTet2026, cancelledDaysOff: ['2026-04-27'], nationalDayAdjacent: { '2026': 'before' } })
    expect(isWorkingDay('2026-02-13', city)).toBe(false)
    expect(isWorkingDay('2026-02-28', city)).toBe(true)
    expect(isWorkingDay('2026-04-27', city)).toBe(true)
    expect(isWorkingDay('2026-09-01', city)).toBe(false)
    expect(isWorkingDay('2026-09-03', city)).toBe(true)
    expect(city.holidays(2026).filter((holiday) => holiday.date.startsWith('2026-02'))).toEqual([
      { date: '2026-02-13', name: 'Nghỉ Tết (hoán đổi)' },
      ...NATIONAL_CALENDAR.holidays(2026).filter((holiday) => holiday.date.startsWith('2026-02')),
    ])
    expect(city.holidays(2025)).toEqual(NATIONAL_CALENDAR.holidays(2025))
  })

  it('refuses invalid overrides when the calendar is made', () => {
    expect(() => new WorkingCalendar({ workingWeekendDays: ['2026-03-02'] })).toThrow(CalendarOverridesError)
  })

  it('refuses dates that are not YYYY-MM-DD or out of range', () => {
    expect(() => isWorkingDay('2026-02-29')).toThrow(RangeError)
    expect(() => isWorkingDay('2026-2-3')).toThrow(RangeError)
    expect(() => isWorkingDay('2200-01-01')).toThrow(/outside the supported range/)
  })
})

describe('addWorkingDays', () => {
  it.each([
    ['2026-02-13', 0, '2026-02-13', 'a working day itself for n = 0'],
    ['2026-02-13', 1, '2026-02-23', 'across Tết 2026 (16–20/2) and two weekends'],
    ['2026-02-17', 0, '2026-02-23', 'the next working day for n = 0 on Tết'],
    ['2026-02-17', 1, '2026-02-24', 'one day after the first working day when starting on Tết'],
    ['2026-03-07', 0, '2026-03-09', 'Monday for n = 0 on a Saturday'],
    ['2026-03-07', 1, '2026-03-10', 'Tuesday for n = 1 on a Saturday'],
    ['2025-12-31', 1, '2026-01-02', 'across New Year'],
    ['2027-12-31', 1, '2028-01-04', 'across New Year on a weekend and its compensatory Monday'],
    ['2026-01-05', 20, '2026-02-02', 'twenty working days later'],
  ])('%s + %i -> %s (%s)', (date, n, expected) => {
    expect(addWorkingDays(date, n)).toBe(expected)
  })

  it('uses the city calendar it is given', () => {
    const city = new WorkingCalendar(swapForTet2026)
    expect(addWorkingDays('2026-02-12', 1)).toBe('2026-02-13')
    expect(addWorkingDays('2026-02-12', 1, city)).toBe('2026-02-23')
    expect(addWorkingDays('2026-02-27', 1, city)).toBe('2026-02-28')
  })

  it.each([-1, 1.5, Number.NaN])('refuses n = %s', (n) => {
    expect(() => addWorkingDays('2026-02-13', n)).toThrow(RangeError)
  })

  it('always lands on a working day, later for a larger n', () => {
    fc.assert(
      fc.property(anyDay, fc.integer({ min: 0, max: 300 }), (date, n) => {
        const result = addWorkingDays(date, n)
        expect(isWorkingDay(result)).toBe(true)
        expect(addWorkingDays(date, n + 1) > result).toBe(true)
      }),
    )
  })

  it('stays fast with the holidays cached: 10,000 deadlines', () => {
    const started = performance.now()
    for (let index = 0; index < 10_000; index++) addWorkingDays(isoDateOf(epochDayFromParts(2025, 1, 1) + (index % 1500)), 15)
    expect(performance.now() - started).toBeLessThan(3_000)
  })
})

describe('workingDaysBetween', () => {
  it('counts the working days after the first date up to and including the second', () => {
    expect(workingDaysBetween('2026-02-13', '2026-02-23')).toBe(1)
    expect(workingDaysBetween('2026-02-13', '2026-02-13')).toBe(0)
    expect(workingDaysBetween('2026-02-23', '2026-02-13')).toBe(-1)
    expect(workingDaysBetween('2026-02-15', '2026-02-14')).toBe(0) // not -0
    // 2026 has 261 weekdays, 11 of them off: 1/1, Tết 16–20/2, 27/4 (Nghỉ bù Giỗ Tổ), 30/4, 1/5, 2/9 and 3/9.
    expect(workingDaysBetween('2025-12-31', '2026-12-31')).toBe(261 - 11)
  })

  it('undoes addWorkingDays from a working day and is antisymmetric', () => {
    fc.assert(
      fc.property(anyDay, fc.integer({ min: 0, max: 300 }), anyDay, (date, n, other) => {
        if (isWorkingDay(date)) expect(workingDaysBetween(date, addWorkingDays(date, n))).toBe(n)
        expect(workingDaysBetween(other, date) + workingDaysBetween(date, other)).toBe(0)
      }),
    )
  })
})

describe('time zone independence', () => {
  const originalTimeZone = process.env.TZ
  afterEach(() => {
    process.env.TZ = originalTimeZone
  })

  it.each(['Pacific/Kiritimati', 'America/Los_Angeles'])('gives the same answers with the machine set to %s', (timeZone) => {
    process.env.TZ = timeZone
    expect(new Date(0).getTimezoneOffset()).not.toBe(0)
    expect(new WorkingCalendar().holidays(2026)).toEqual(NATIONAL_CALENDAR.holidays(2026))
    expect(isWorkingDay('2026-02-13')).toBe(true)
    expect(addWorkingDays('2026-02-13', 1)).toBe('2026-02-23')
  })
})
