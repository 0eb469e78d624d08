import { describe, expect, it } from 'vitest'
import { statutoryHolidays } from '../../../src/shared/domain/calendar/holidays'

const datesNamed = (year: number, name: string, adjacent?: 'before' | 'after'): string[] =>
  statutoryHolidays(year, adjacent)
    .filter((holiday) => holiday.name === name)
    .map((holiday) => holiday.date)

describe('statutory holidays (Labor Code 2019, art. 112)', () => {
  it('lists 2025 as the law gives it: Tết from 29 Tháng Chạp to mùng 4, Giỗ Tổ on 7 April, National Day with Monday 1/9', () => {
    expect(statutoryHolidays(2025)).toEqual([
      { date: '2025-01-01', name: 'Tết Dương lịch' },
      { date: '2025-01-28', name: 'Tết Nguyên Đán' },
      { date: '2025-01-29', name: 'Tết Nguyên Đán' },
      { date: '2025-01-30', name: 'Tết Nguyên Đán' },
      { date: '2025-01-31', name: 'Tết Nguyên Đán' },
      { date: '2025-02-01', name: 'Tết Nguyên Đán' },
      { date: '2025-04-07', name: 'Giỗ Tổ Hùng Vương' },
      { date: '2025-04-30', name: 'Ngày Chiến thắng' },
      { date: '2025-05-01', name: 'Ngày Quốc tế Lao động' },
      { date: '2025-09-01', name: 'Quốc khánh' },
      { date: '2025-09-02', name: 'Quốc khánh' },
    ])
  })

  it('starts Tết on the last day of the lunar year, whether it is the 29th or the 30th of Tháng Chạp', () => {
    expect(datesNamed(2026, 'Tết Nguyên Đán')).toEqual(['2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20'])
    expect(datesNamed(2024, 'Tết Nguyên Đán')).toEqual(['2024-02-09', '2024-02-10', '2024-02-11', '2024-02-12', '2024-02-13'])
  })

  it('gives Monday 3 January 2028 off for New Year on a Saturday', () => {
    expect(datesNamed(2028, 'Nghỉ bù Tết Dương lịch')).toEqual(['2028-01-03'])
  })

  it('gives Monday 27 April 2026 off for Giỗ Tổ on a Sunday', () => {
    expect(datesNamed(2026, 'Nghỉ bù Giỗ Tổ Hùng Vương')).toEqual(['2026-04-27'])
  })

  it('moves two weekend holidays to two different weekdays (30/4 and 1/5 2022 -> Monday and Tuesday)', () => {
    expect(datesNamed(2022, 'Nghỉ bù Ngày Chiến thắng')).toEqual(['2022-05-02'])
    expect(datesNamed(2022, 'Nghỉ bù Ngày Quốc tế Lao động')).toEqual(['2022-05-03'])
  })

  it('skips holidays when placing a compensatory day (Giỗ Tổ on Saturday 29/4/2023 -> Tuesday 2/5)', () => {
    expect(datesNamed(2023, 'Nghỉ bù Giỗ Tổ Hùng Vương')).toEqual(['2023-05-02'])
    expect(datesNamed(2023, 'Nghỉ bù Ngày Chiến thắng')).toEqual(['2023-05-03'])
  })

  it('gives no compensatory day for Tết days on a weekend: the government decides those', () => {
    expect(datesNamed(2025, 'Tết Nguyên Đán')).toContain('2025-02-01') // a Saturday
    expect(statutoryHolidays(2025).some((holiday) => holiday.name.includes('Nghỉ bù'))).toBe(false)
  })

  it.each([
    [2025, 'Tuesday', ['2025-09-01', '2025-09-02']],
    [2027, 'Thursday', ['2027-09-02', '2027-09-03']],
    [2026, 'Wednesday', ['2026-09-02', '2026-09-03']],
    [2024, 'Monday', ['2024-09-02', '2024-09-03']],
  ])('bridges National Day %i (2/9 on a %s) to the weekend by default', (year, _weekday, dates) => {
    expect(datesNamed(year, 'Quốc khánh')).toEqual(dates)
  })

  it('lets the adjacent National Day day be chosen, and compensates whichever days fall on the weekend', () => {
    // 2/9/2023 is a Saturday: the default 3/9 is a Sunday too, so both move to Monday and Tuesday.
    expect(datesNamed(2023, 'Quốc khánh')).toEqual(['2023-09-02', '2023-09-03'])
    expect(datesNamed(2023, 'Nghỉ bù Quốc khánh')).toEqual(['2023-09-04', '2023-09-05'])
    expect(datesNamed(2023, 'Quốc khánh', 'before')).toEqual(['2023-09-01', '2023-09-02'])
    expect(datesNamed(2023, 'Nghỉ bù Quốc khánh', 'before')).toEqual(['2023-09-04'])
  })

  it('makes up a holiday that falls on another one (Giỗ Tổ on 30 April 1947)', () => {
    const april1947 = statutoryHolidays(1947).filter((holiday) => holiday.date.startsWith('1947-04') || holiday.date.startsWith('1947-05'))
    expect(april1947).toEqual([
      { date: '1947-04-30', name: 'Giỗ Tổ Hùng Vương' },
      { date: '1947-05-01', name: 'Ngày Quốc tế Lao động' },
      { date: '1947-05-02', name: 'Nghỉ bù Ngày Chiến thắng' },
    ])
  })

  it('returns sorted, distinct days with NFC Vietnamese names, five for Tết and two for National Day, every year 1900–2100', () => {
    const names = ['Tết Dương lịch', 'Tết Nguyên Đán', 'Giỗ Tổ Hùng Vương', 'Ngày Chiến thắng', 'Ngày Quốc tế Lao động', 'Quốc khánh']
    const allowed = new Set([...names, ...names.filter((name) => name !== 'Tết Nguyên Đán').map((name) => `Nghỉ bù ${name}`)])
    for (let year = 1900; year <= 2100; year++) {
      const holidays = statutoryHolidays(year)
      const dates = holidays.map((holiday) => holiday.date)
      expect(dates.every((date) => date.startsWith(`${year}-`))).toBe(true)
      expect([...dates].sort()).toEqual(dates)
      expect(new Set(dates).size).toBe(dates.length)
      expect(holidays.filter((holiday) => holiday.name === 'Tết Nguyên Đán')).toHaveLength(5)
      expect(holidays.filter((holiday) => holiday.name === 'Quốc khánh')).toHaveLength(2)
      for (const { name } of holidays) {
        expect(allowed).toContain(name)
        expect(name).toBe(name.normalize('NFC'))
      }
    }
  })
})
