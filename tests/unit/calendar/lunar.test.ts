import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { epochDayFromParts, epochDayOf, isoDateOf } from '../../../src/shared/domain/calendar/days'
import { lunarToSolar, lunarYearMonths, solarToLunar, type LunarDate } from '../../../src/shared/domain/calendar/lunar'

const tet = (year: number): string => lunarToSolar({ year, month: 1, day: 1, isLeapMonth: false })
const lunar = (year: number, month: number, day: number, isLeapMonth = false): LunarDate => ({ year, month, day, isLeapMonth })

const FIRST_DAY_1900 = epochDayFromParts(1900, 1, 1)
const LAST_DAY_2100 = epochDayFromParts(2100, 12, 31)

describe('Vietnamese lunar calendar (UTC+7)', () => {
  it.each([
    [2025, '2025-01-29'],
    [2026, '2026-02-17'],
    [2027, '2027-02-06'],
    [2028, '2028-01-26'],
    [2029, '2029-02-13'],
  ])('Tết %i is on %s', (year, date) => {
    expect(tet(year)).toBe(date)
    expect(solarToLunar(date)).toEqual(lunar(year, 1, 1))
  })

  it('puts Tết 2030 on 2 February: the new moon is at 23:07 in Vietnam but 00:07 on 3 February in China', () => {
    expect(tet(2030)).toBe('2030-02-02')
    expect(solarToLunar('2030-02-03')).toEqual(lunar(2030, 1, 2))
  })

  it('puts Tết 1985 on 21 January, a month before China (20 February, which is 1/2 in Vietnam)', () => {
    expect(tet(1985)).toBe('1985-01-21')
    expect(solarToLunar('1985-01-20')).toEqual(lunar(1984, 12, 30))
    expect(solarToLunar('1985-02-20')).toEqual(lunar(1985, 2, 1))
  })

  it('puts Tết 2007 on 17 February, a day before China', () => {
    expect(tet(2007)).toBe('2007-02-17')
    expect(solarToLunar('2007-02-18')).toEqual(lunar(2007, 1, 2))
  })

  it('puts Tết Mậu Thân 1968 on 29 January, the first Tết after the North moved to UTC+7', () => {
    expect(tet(1968)).toBe('1968-01-29')
  })

  it('finds Giỗ Tổ Hùng Vương (10/3) 2025 on 7 April', () => {
    expect(lunarToSolar(lunar(2025, 3, 10))).toBe('2025-04-07')
  })

  it.each([
    [2020, 4, '2020-05-23'],
    [2023, 2, '2023-03-22'],
    [2025, 6, '2025-07-25'],
    [2033, 11, '2033-12-22'],
  ])('lunar year %i has leap month %i starting %s', (year, month, firstDay) => {
    const months = lunarYearMonths(year)
    expect(months).toHaveLength(13)
    expect(months.filter((candidate) => candidate.isLeapMonth)).toEqual([expect.objectContaining({ year, month, firstDay })])
    expect(solarToLunar(firstDay)).toEqual(lunar(year, month, 1, true))
    expect(lunarToSolar(lunar(year, month, 1, true))).toBe(firstDay)
  })

  it('lays out every lunar year 1900–2100 as 12 or 13 consecutive months of 29 or 30 days starting on Tết', () => {
    for (let year = 1900; year <= 2100; year++) {
      const months = lunarYearMonths(year)
      const leapMonths = months.filter((month) => month.isLeapMonth)
      expect(months.length).toBe(12 + leapMonths.length)
      expect(leapMonths.length).toBeLessThanOrEqual(1)
      expect(months.filter((month) => !month.isLeapMonth).map((month) => month.month)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
      expect(months[0]?.firstDay).toBe(tet(year))
      months.forEach((month, index) => {
        expect([29, 30]).toContain(month.length)
        const next = months[index + 1]?.firstDay ?? tet(year + 1)
        expect(isoDateOf(epochDayOf(month.firstDay) + month.length)).toBe(next)
      })
    }
  })

  it('advances one lunar day per solar day from 1900 to 2100', () => {
    let previous = solarToLunar(isoDateOf(FIRST_DAY_1900))
    for (let day = FIRST_DAY_1900 + 1; day <= LAST_DAY_2100; day++) {
      const current = solarToLunar(isoDateOf(day))
      if (current.day !== 1) expect(current).toEqual({ ...previous, day: previous.day + 1 })
      else expect(previous.day === 29 || previous.day === 30).toBe(true)
      previous = current
    }
  })

  it('round-trips lunar -> solar -> lunar for any lunar date of 1900–2100', () => {
    const lunarDates = fc
      .integer({ min: 1900, max: 2100 })
      .chain((year) => fc.constantFrom(...lunarYearMonths(year)))
      .chain((month) => fc.integer({ min: 1, max: month.length }).map((day) => lunar(month.year, month.month, day, month.isLeapMonth)))
    fc.assert(
      fc.property(lunarDates, (date) => {
        expect(solarToLunar(lunarToSolar(date))).toEqual(date)
      }),
      { numRuns: 2000 },
    )
  })

  it('round-trips solar -> lunar -> solar for any day of 1900–2100', () => {
    fc.assert(
      fc.property(fc.integer({ min: FIRST_DAY_1900, max: LAST_DAY_2100 }), (epochDay) => {
        const date = isoDateOf(epochDay)
        expect(lunarToSolar(solarToLunar(date))).toBe(date)
      }),
      { numRuns: 2000 },
    )
  })

  it('refuses lunar dates that do not exist', () => {
    expect(() => lunarToSolar(lunar(2026, 1, 1, true))).toThrow(/no leap month 1/)
    const shortMonth = lunarYearMonths(2025).find((month) => month.length === 29)
    expect(shortMonth).toBeDefined()
    if (shortMonth !== undefined) expect(() => lunarToSolar(lunar(2025, shortMonth.month, 30, shortMonth.isLeapMonth))).toThrow(/has days 1\.\.29/)
    expect(() => lunarToSolar(lunar(2025, 13, 1))).toThrow(/1\.\.12/)
    expect(() => lunarToSolar(lunar(2025, 1, 0))).toThrow(RangeError)
    expect(() => lunarToSolar(lunar(2300, 1, 1))).toThrow(/outside the supported range/)
  })

  it('refuses solar dates that are not real dates or are out of range', () => {
    expect(() => solarToLunar('2025-02-29')).toThrow(RangeError)
    expect(() => solarToLunar('29/01/2025')).toThrow(RangeError)
    expect(() => solarToLunar('1700-01-01')).toThrow(/outside the supported range/)
  })
})
