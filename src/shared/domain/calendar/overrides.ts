/**
 * City overrides of the statutory calendar: the government and the city decide each year which days around Tết
 * and the national holidays are off, and which Saturdays are worked in exchange ("ngày làm bù"). An entry that
 * cannot apply (cancelling a day that is not off, working a weekday "làm bù") is a mistake in the configuration:
 * it is rejected with a clear error, never silently ignored.
 */
import { z } from 'zod'
import { toNfc } from '../text'
import { epochDayOf, isIsoDate, isWeekend } from './days'
import { NATIONAL_DAY_ADJACENT, statutoryHolidays, type Holiday } from './holidays'
import { FIRST_SUPPORTED_YEAR, LAST_SUPPORTED_YEAR } from './lunar'

const isSupportedYear = (year: number): boolean => year >= FIRST_SUPPORTED_YEAR && year <= LAST_SUPPORTED_YEAR
const SUPPORTED_RANGE = `${FIRST_SUPPORTED_YEAR}–${LAST_SUPPORTED_YEAR}`

const DateSchema = z
  .string()
  .refine(isIsoDate, { message: 'expected a real date written YYYY-MM-DD', abort: true })
  .refine((date) => isSupportedYear(Number(date.slice(0, 4))), `the year must be within ${SUPPORTED_RANGE}`)

const YearKeySchema = z
  .string()
  .regex(/^\d{4}$/, { message: 'expected a four-digit year', abort: true })
  .refine((year) => isSupportedYear(Number(year)), `the year must be within ${SUPPORTED_RANGE}`)

export const CalendarOverridesSchema = z
  .object({
    /** Days off beyond the statutory ones, e.g. the extra Tết days the government grants. */
    extraDaysOff: z.array(z.object({ date: DateSchema, name: z.string().trim().min(1).max(120).transform(toNfc) }).strict()).default([]),
    /** Statutory or compensatory days off that are worked after all, e.g. when the government moves Tết days. */
    cancelledDaysOff: z.array(DateSchema).default([]),
    /** Saturdays and Sundays that are worked ("ngày làm bù"), in exchange for a bridged day off. */
    workingWeekendDays: z.array(DateSchema).default([]),
    /** Per year ("2026"), the day that joins 2 September when the government's choice differs from the default. */
    nationalDayAdjacent: z.record(YearKeySchema, z.enum(NATIONAL_DAY_ADJACENT)).default({}),
  })
  .strict()

/** Overrides as written in the city's configuration (fields may be left out). */
export type CalendarOverridesInput = z.input<typeof CalendarOverridesSchema>
export type CalendarOverrides = z.output<typeof CalendarOverridesSchema>

interface OverrideIssue {
  /** Dotted path in the input, e.g. "cancelledDaysOff.0"; empty for the whole object. */
  readonly path: string
  readonly message: string
}

/** Checks that need the statutory calendar, run once the shape is valid. */
function conflictsOf(overrides: CalendarOverrides): OverrideIssue[] {
  const statutoryByYear = new Map<string, ReadonlyMap<string, Holiday>>()
  const statutoryDayOff = (date: string): Holiday | undefined => {
    const year = date.slice(0, 4)
    let byDate = statutoryByYear.get(year)
    if (byDate === undefined) {
      byDate = new Map(statutoryHolidays(Number(year), overrides.nationalDayAdjacent[year]).map((holiday) => [holiday.date, holiday]))
      statutoryByYear.set(year, byDate)
    }
    return byDate.get(date)
  }
  const issues: OverrideIssue[] = []
  const check = (dates: readonly string[], pathOf: (index: number) => string, problemOf: (date: string) => string | undefined): void => {
    dates.forEach((date, index) => {
      const message = dates.indexOf(date) < index ? `${date} is listed twice` : problemOf(date)
      if (message !== undefined) issues.push({ path: pathOf(index), message })
    })
  }
  const extraDates = overrides.extraDaysOff.map((day) => day.date)
  const cancelled = new Set(overrides.cancelledDaysOff)
  check(extraDates, (index) => `extraDaysOff.${index}.date`, (date) => {
    const statutory = statutoryDayOff(date)
    return statutory === undefined ? undefined : `${date} is already a day off (${statutory.name})`
  })
  check(overrides.cancelledDaysOff, (index) => `cancelledDaysOff.${index}`, (date) =>
    statutoryDayOff(date) === undefined ? `${date} is not a statutory or compensatory day off, so it cannot be cancelled` : undefined,
  )
  check(overrides.workingWeekendDays, (index) => `workingWeekendDays.${index}`, (date) => {
    if (!isWeekend(epochDayOf(date))) return `${date} is not a Saturday or Sunday`
    if (extraDates.includes(date)) return `${date} is also listed as an extra day off`
    const statutory = statutoryDayOff(date)
    return statutory !== undefined && !cancelled.has(date) ? `${date} is a day off (${statutory.name}); cancel it first` : undefined
  })
  return issues
}

export class CalendarOverridesError extends Error {
  override readonly name = 'CalendarOverridesError'
  constructor(readonly issues: readonly OverrideIssue[]) {
    super(`invalid calendar overrides: ${issues.map((issue) => (issue.path === '' ? issue.message : `${issue.path}: ${issue.message}`)).join('; ')}`)
  }
}

/** Validates overrides from configuration; throws a CalendarOverridesError listing every problem. */
export function parseCalendarOverrides(input: unknown): CalendarOverrides {
  const shape = CalendarOverridesSchema.safeParse(input)
  if (!shape.success) throw new CalendarOverridesError(shape.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message })))
  const conflicts = conflictsOf(shape.data)
  if (conflicts.length > 0) throw new CalendarOverridesError(conflicts)
  return shape.data
}
