/**
 * Working days of a one-stop centre: Monday to Friday, except statutory holidays and compensatory days, as changed
 * by the city's overrides. Deadlines ("trả kết quả sau 3 ngày làm việc") are computed here.
 */
import { epochDayOf, gregorianYearOf, isoDateOf, isWeekend } from './days'
import { statutoryHolidays, type Holiday } from './holidays'
import { parseCalendarOverrides, type CalendarOverrides, type CalendarOverridesInput } from './overrides'

interface CalendarYear {
  readonly holidays: readonly Holiday[]
  readonly daysOff: ReadonlySet<number>
  readonly workingWeekendDays: ReadonlySet<number>
}

export class WorkingCalendar {
  readonly #overrides: CalendarOverrides
  /** Deadline arithmetic asks about the same few years thousands of times. */
  readonly #years = new Map<number, CalendarYear>()

  /** Throws a CalendarOverridesError when the overrides are invalid. */
  constructor(overrides: CalendarOverridesInput = {}) {
    this.#overrides = parseCalendarOverrides(overrides)
  }

  /** Every day off of a Gregorian year other than ordinary weekends, sorted by date. */
  holidays(year: number): readonly Holiday[] {
    return this.#year(year).holidays
  }

  /** The hot path of the functions below, on days since 1970-01-01. */
  isWorkingEpochDay(epochDay: number): boolean {
    const year = this.#year(gregorianYearOf(epochDay))
    if (year.daysOff.has(epochDay)) return false
    return !isWeekend(epochDay) || year.workingWeekendDays.has(epochDay)
  }

  #year(year: number): CalendarYear {
    const cached = this.#years.get(year)
    if (cached !== undefined) return cached
    const { extraDaysOff, cancelledDaysOff, workingWeekendDays, nationalDayAdjacent } = this.#overrides
    const inYear = (date: string): boolean => date.startsWith(`${year}-`)
    const cancelled = new Set(cancelledDaysOff)
    const holidays = [
      ...statutoryHolidays(year, nationalDayAdjacent[String(year)]).filter((holiday) => !cancelled.has(holiday.date)),
      ...extraDaysOff.filter((day) => inYear(day.date)),
    ].sort((a, b) => a.date.localeCompare(b.date))
    const calendarYear: CalendarYear = {
      holidays,
      daysOff: new Set(holidays.map((holiday) => epochDayOf(holiday.date))),
      workingWeekendDays: new Set(workingWeekendDays.filter(inYear).map(epochDayOf)),
    }
    this.#years.set(year, calendarYear)
    return calendarYear
  }
}

/** The statutory calendar with no city changes. */
export const NATIONAL_CALENDAR = new WorkingCalendar()

export function isWorkingDay(date: string, calendar = NATIONAL_CALENDAR): boolean {
  return calendar.isWorkingEpochDay(epochDayOf(date))
}

function firstWorkingDayFrom(epochDay: number, calendar: WorkingCalendar): number {
  let day = epochDay
  while (!calendar.isWorkingEpochDay(day)) day++
  return day
}

/**
 * The date `n` working days after `date` (n ≥ 0). Counting starts from the first working day on or after `date`,
 * as a dossier received on a day off counts as received on the next working day: n = 0 gives `date` itself when
 * it is a working day, otherwise the next working day; n = 1 gives the working day after that one, and so on.
 */
export function addWorkingDays(date: string, n: number, calendar = NATIONAL_CALENDAR): string {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`the number of working days must be a whole number ≥ 0, not ${n}`)
  let day = firstWorkingDayFrom(epochDayOf(date), calendar)
  for (let counted = 0; counted < n; counted++) day = firstWorkingDayFrom(day + 1, calendar)
  return isoDateOf(day)
}

/**
 * How many working days lie after `from`, up to and including `to`, so that for a working day `d`,
 * workingDaysBetween(d, addWorkingDays(d, n)) === n. Negative when `to` is before `from`.
 */
export function workingDaysBetween(from: string, to: string, calendar = NATIONAL_CALENDAR): number {
  const start = epochDayOf(from)
  const end = epochDayOf(to)
  const [low, high, step] = start <= end ? [start, end, 1] : [end, start, -1]
  let count = 0
  for (let day = low + 1; day <= high; day++) if (calendar.isWorkingEpochDay(day)) count += step
  return count
}
