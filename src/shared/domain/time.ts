/** Vietnam keeps UTC+7 all year (no daylight saving), so the local day is plain arithmetic. */
export const VIETNAM_OFFSET_MS = 7 * 60 * 60 * 1000

/** The calendar day in Vietnam, YYYY-MM-DD, of an instant. */
export function vietnamDay(epochMs: number): string {
  return new Date(epochMs + VIETNAM_OFFSET_MS).toISOString().slice(0, 10)
}

/** The first instant of a Vietnamese calendar day. */
export function vietnamDayStartMs(day: string): number {
  const start = Date.parse(`${day}T00:00:00+07:00`)
  if (Number.isNaN(start)) throw new RangeError(`Not a calendar day: ${JSON.stringify(day)}`)
  return start
}

/** HH:mm in Vietnam. */
export function vietnamClock(epochMs: number): string {
  return new Date(epochMs + VIETNAM_OFFSET_MS).toISOString().slice(11, 16)
}

/** A calendar day as Vietnamese documents print it: YYYY-MM-DD -> dd/mm/yyyy. */
export function vietnameseDate(day: string): string {
  return day.split('-').reverse().join('/')
}

/** An instant as the screens show it, in Vietnam time: "HH:mm dd/mm/yyyy". */
export function vietnameseDateTime(epochMs: number): string {
  return `${vietnamClock(epochMs)} ${vietnameseDate(vietnamDay(epochMs))}`
}
