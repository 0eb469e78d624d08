/**
 * Calendar dates are 'YYYY-MM-DD' strings for a local Vietnamese day. Arithmetic on them goes through
 * "epoch days" (whole days since 1970-01-01) computed in UTC, so the machine's time zone never matters.
 */
const MS_PER_DAY = 86_400_000
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/

/** Epoch day of a Gregorian date given by its parts (month 1..12); out-of-range parts roll over. */
export function epochDayFromParts(year: number, month: number, day: number): number {
  return Date.UTC(year, month - 1, day) / MS_PER_DAY
}

/** Epoch day of a 'YYYY-MM-DD' date, or undefined when the text is not a real date in that form. */
function tryEpochDayOf(date: string): number | undefined {
  const parts = ISO_DATE.exec(date)
  if (parts === null) return undefined
  const epochDay = epochDayFromParts(Number(parts[1]), Number(parts[2]), Number(parts[3]))
  // Date.UTC rolls 2026-02-30 over to March; a real date survives the round trip unchanged.
  return isoDateOf(epochDay) === date ? epochDay : undefined
}

export function isIsoDate(text: string): boolean {
  return tryEpochDayOf(text) !== undefined
}

/** Epoch day of a 'YYYY-MM-DD' date; throws a RangeError for anything else (including 2026-02-30). */
export function epochDayOf(date: string): number {
  const epochDay = tryEpochDayOf(date)
  if (epochDay === undefined) throw new RangeError(`not a date written YYYY-MM-DD: ${JSON.stringify(date)}`)
  return epochDay
}

export function isoDateOf(epochDay: number): string {
  return new Date(epochDay * MS_PER_DAY).toISOString().slice(0, 10)
}

export function gregorianYearOf(epochDay: number): number {
  return new Date(epochDay * MS_PER_DAY).getUTCFullYear()
}

const THURSDAY = 4

/** 0 = Sunday … 6 = Saturday. */
export function weekdayOf(epochDay: number): number {
  return (((epochDay + THURSDAY) % 7) + 7) % 7 // 1970-01-01 was a Thursday
}

/** Saturday or Sunday: the weekly rest days of state offices. */
export function isWeekend(epochDay: number): boolean {
  const weekday = weekdayOf(epochDay)
  return weekday === 0 || weekday === 6
}
