/**
 * Public holidays of the Labor Code 2019, art. 112, for state offices (weekly rest on Saturday and Sunday).
 * City decisions (the exact Tết days, swapped working days) are applied on top by the working calendar.
 */
import { epochDayFromParts, epochDayOf, isoDateOf, isWeekend, weekdayOf } from './days'
import { lunarToSolar } from './lunar'

export interface Holiday {
  /** 'YYYY-MM-DD' */
  readonly date: string
  /** Vietnamese name, NFC. */
  readonly name: string
}

/** The day that joins 2 September: the law says "the day before or after", the Prime Minister picks it yearly. */
export const NATIONAL_DAY_ADJACENT = ['before', 'after'] as const
type NationalDayAdjacent = (typeof NATIONAL_DAY_ADJACENT)[number]

const TUESDAY = 2

/** Default: bridge to the weekend. Tuesday 2/9 takes Monday 1/9; any other weekday takes 3/9 (Thursday -> Friday). */
function defaultNationalDayAdjacent(year: number): NationalDayAdjacent {
  return weekdayOf(epochDayFromParts(year, 9, 2)) === TUESDAY ? 'before' : 'after'
}

interface DayOff {
  readonly epochDay: number
  readonly name: string
}

/** Tết: the last day of the old lunar year (29 or 30 Tháng Chạp) through the 4th day of lunar month 1. */
function tetDays(year: number): DayOff[] {
  const newYearsDay = epochDayOf(lunarToSolar({ year, month: 1, day: 1, isLeapMonth: false }))
  return [-1, 0, 1, 2, 3].map((offset) => ({ epochDay: newYearsDay + offset, name: 'Tết Nguyên Đán' }))
}

/** The one-day holidays and National Day, which move to the next working day when they fall on a weekend. */
function compensableDays(year: number, nationalDayAdjacent: NationalDayAdjacent): DayOff[] {
  const nationalDay = epochDayFromParts(year, 9, 2)
  return [
    { epochDay: epochDayFromParts(year, 1, 1), name: 'Tết Dương lịch' },
    { epochDay: epochDayOf(lunarToSolar({ year, month: 3, day: 10, isLeapMonth: false })), name: 'Giỗ Tổ Hùng Vương' },
    { epochDay: epochDayFromParts(year, 4, 30), name: 'Ngày Chiến thắng' },
    { epochDay: epochDayFromParts(year, 5, 1), name: 'Ngày Quốc tế Lao động' },
    { epochDay: nationalDayAdjacent === 'before' ? nationalDay - 1 : nationalDay + 1, name: 'Quốc khánh' },
    { epochDay: nationalDay, name: 'Quốc khánh' },
  ].sort((a, b) => a.epochDay - b.epochDay)
}

/**
 * The statutory days off of a Gregorian year, sorted by date: the holidays of art. 112 plus a compensatory day
 * ("Nghỉ bù …") on the next free weekday for each one-day holiday or National Day day that falls on a Saturday or
 * Sunday (Labor Code art. 111). A holiday on the same day as another one (Giỗ Tổ on 30 April, as in 1947; next
 * after 2199) is made up the same way. Tết gets no compensatory days here: the government fixes its exact days
 * each year and the city enters them as overrides.
 */
export function statutoryHolidays(year: number, nationalDayAdjacent = defaultNationalDayAdjacent(year)): Holiday[] {
  const daysOff = tetDays(year)
  const compensable = compensableDays(year, nationalDayAdjacent)
  const listed = new Set(daysOff.map((day) => day.epochDay))
  const taken = new Set([...listed, ...compensable.map((day) => day.epochDay)])
  for (const holiday of compensable) {
    const coincides = listed.has(holiday.epochDay)
    if (!coincides) {
      daysOff.push(holiday)
      listed.add(holiday.epochDay)
      if (!isWeekend(holiday.epochDay)) continue
    }
    let replacement = holiday.epochDay + 1
    while (isWeekend(replacement) || taken.has(replacement)) replacement++
    taken.add(replacement)
    daysOff.push({ epochDay: replacement, name: `Nghỉ bù ${holiday.name}` })
  }
  return daysOff.sort((a, b) => a.epochDay - b.epochDay).map((day) => ({ date: isoDateOf(day.epochDay), name: day.name }))
}
