/**
 * The Vietnamese lunisolar calendar (âm lịch), after Hồ Ngọc Đức's astronomical algorithm.
 *
 * A month starts on the local day of a new moon. Lunar month 11 is the month that contains the December
 * solstice; a "suì" (from one month 11 to the next) has 12 or 13 months, and in a 13-month suì the first month
 * in which the sun enters no new 30° sign (no "trung khí") is the leap month, numbered like the month before it.
 * Everything is reckoned at UTC+7: the Chinese calendar applies the same rules at UTC+8, which is why the two
 * disagree in some years (Tết 1985 was on 21 January in Vietnam, 20 February in China).
 */
import { epochDayFromParts, epochDayOf, gregorianYearOf, isoDateOf } from './days'

export interface LunarDate {
  readonly year: number
  /** 1..12; a leap month carries the number of the month before it. */
  readonly month: number
  /** 1..29 or 1..30 */
  readonly day: number
  readonly isLeapMonth: boolean
}

export interface LunarMonth {
  readonly year: number
  readonly month: number
  readonly isLeapMonth: boolean
  /** Gregorian date of day 1. */
  readonly firstDay: string
  /** 29 or 30 days. */
  readonly length: number
}

/** The astronomical approximations below are accurate enough for these years (the range Hồ Ngọc Đức tabulates). */
export const FIRST_SUPPORTED_YEAR = 1800
export const LAST_SUPPORTED_YEAR = 2199

const TIME_ZONE_DAYS = 7 / 24
const JULIAN_DAY_OF_EPOCH_DAY_0 = 2_440_588
const SYNODIC_MONTH_DAYS = 29.530588853
/** Julian day of new moon number 0 (6 January 1900). */
const NEW_MOON_0_JULIAN_DAY = 2_415_021.076998695
/** Sign 9 starts at 270°, the December solstice. */
const SOLSTICE_SIGN = 9
const DEGREE = Math.PI / 180

function assertSupportedYear(year: number, what: string): void {
  if (!Number.isInteger(year) || year < FIRST_SUPPORTED_YEAR || year > LAST_SUPPORTED_YEAR) {
    throw new RangeError(`${what} ${year} is outside the supported range ${FIRST_SUPPORTED_YEAR}–${LAST_SUPPORTED_YEAR}`)
  }
}

/** Julian day (UT) of the k-th new moon after 6 January 1900 (Meeus' series, as Hồ Ngọc Đức uses it). */
function newMoonJulianDay(k: number): number {
  const t = k / 1236.85 // Julian centuries since 1900
  const t2 = t * t
  const t3 = t2 * t
  const meanNewMoon = 2415020.75933 + 29.53058868 * k + 0.0001178 * t2 - 0.000000155 * t3 + 0.00033 * Math.sin((166.56 + 132.87 * t - 0.009173 * t2) * DEGREE)
  const sunAnomaly = (359.2242 + 29.10535608 * k - 0.0000333 * t2 - 0.00000347 * t3) * DEGREE
  const moonAnomaly = (306.0253 + 385.81691806 * k + 0.0107306 * t2 + 0.00001236 * t3) * DEGREE
  const moonLatitude = (21.2964 + 390.67050646 * k - 0.0016528 * t2 - 0.00000239 * t3) * DEGREE
  const correction =
    (0.1734 - 0.000393 * t) * Math.sin(sunAnomaly) +
    0.0021 * Math.sin(2 * sunAnomaly) -
    0.4068 * Math.sin(moonAnomaly) +
    0.0161 * Math.sin(2 * moonAnomaly) -
    0.0004 * Math.sin(3 * moonAnomaly) +
    0.0104 * Math.sin(2 * moonLatitude) -
    0.0051 * Math.sin(sunAnomaly + moonAnomaly) -
    0.0074 * Math.sin(sunAnomaly - moonAnomaly) +
    0.0004 * Math.sin(2 * moonLatitude + sunAnomaly) -
    0.0004 * Math.sin(2 * moonLatitude - sunAnomaly) -
    0.0006 * Math.sin(2 * moonLatitude + moonAnomaly) +
    0.001 * Math.sin(2 * moonLatitude - moonAnomaly) +
    0.0005 * Math.sin(2 * moonAnomaly + sunAnomaly)
  // ΔT (TT − UT) in days; this polynomial holds after the year 800, well before the supported range.
  const deltaT = -0.000278 + 0.000265 * t + 0.000262 * t2
  return meanNewMoon + correction - deltaT
}

/** Epoch day of the local (UTC+7) calendar day on which the k-th new moon falls. */
function newMoonEpochDay(k: number): number {
  return Math.floor(newMoonJulianDay(k) + 0.5 + TIME_ZONE_DAYS) - JULIAN_DAY_OF_EPOCH_DAY_0
}

/** The 30° sign (0..11, 0 = March equinox) the sun is in at local midnight starting a day. */
function sunSignAtStartOf(epochDay: number): number {
  const julianDay = epochDay + JULIAN_DAY_OF_EPOCH_DAY_0 - 0.5 - TIME_ZONE_DAYS
  const t = (julianDay - 2451545.0) / 36525 // Julian centuries since J2000
  const t2 = t * t
  const meanAnomaly = (357.5291 + 35999.0503 * t - 0.0001559 * t2 - 0.00000048 * t * t2) * DEGREE
  const meanLongitude = 280.46645 + 36000.76983 * t + 0.0003032 * t2
  const equationOfCentre =
    (1.9146 - 0.004817 * t - 0.000014 * t2) * Math.sin(meanAnomaly) +
    (0.019993 - 0.000101 * t) * Math.sin(2 * meanAnomaly) +
    0.00029 * Math.sin(3 * meanAnomaly)
  const longitude = (((meanLongitude + equationOfCentre) % 360) + 360) % 360
  return Math.floor(longitude / 30)
}

/** Index k of the new moon that starts lunar month 11 of a Gregorian year (the month holding the December solstice). */
function month11NewMoonIndex(gregorianYear: number): number {
  const k = Math.floor((epochDayFromParts(gregorianYear, 12, 31) + JULIAN_DAY_OF_EPOCH_DAY_0 - NEW_MOON_0_JULIAN_DAY) / SYNODIC_MONTH_DAYS)
  // The last new moon of the year may fall after the solstice; month 11 then began one moon earlier.
  return sunSignAtStartOf(newMoonEpochDay(k)) >= SOLSTICE_SIGN ? k - 1 : k
}

interface SuiMonth {
  readonly year: number
  readonly month: number
  readonly isLeapMonth: boolean
  readonly firstEpochDay: number
  readonly length: number
}

const suiCache = new Map<number, readonly SuiMonth[]>()

/** The months from lunar month 11 of Gregorian year `endYear - 1` up to (not including) month 11 of `endYear`. */
function suiEndingIn(endYear: number): readonly SuiMonth[] {
  const cached = suiCache.get(endYear)
  if (cached !== undefined) return cached
  const firstK = month11NewMoonIndex(endYear - 1)
  const monthCount = month11NewMoonIndex(endYear) - firstK
  const starts = Array.from({ length: monthCount + 1 }, (_, offset) => newMoonEpochDay(firstK + offset))
  const leapOffset = monthCount === 13 ? firstMonthWithoutMajorTerm(starts) : undefined
  const months: SuiMonth[] = []
  let year = endYear - 1
  let month = 11
  for (let offset = 0; offset < monthCount; offset++) {
    const isLeapMonth = offset === leapOffset
    if (offset > 0 && !isLeapMonth) {
      month = (month % 12) + 1
      if (month === 1) year = endYear
    }
    const firstEpochDay = starts[offset] as number
    months.push({ year, month, isLeapMonth, firstEpochDay, length: (starts[offset + 1] as number) - firstEpochDay })
  }
  suiCache.set(endYear, months)
  return months
}

/** Offset of the first month after month 11 during which the sun enters no new sign. */
function firstMonthWithoutMajorTerm(monthStarts: readonly number[]): number {
  const signs = monthStarts.map(sunSignAtStartOf)
  const offset = signs.findIndex((sign, index) => index >= 1 && sign === signs[index + 1])
  if (offset < 0) throw new Error('a 13-month lunar year without a leap month: the astronomical approximations failed')
  return offset
}

/** The lunar date of a Gregorian 'YYYY-MM-DD' date. */
export function solarToLunar(date: string): LunarDate {
  const epochDay = epochDayOf(date)
  const gregorianYear = gregorianYearOf(epochDay)
  assertSupportedYear(gregorianYear, 'year')
  const nextSui = suiEndingIn(gregorianYear + 1)
  const sui = epochDay >= (nextSui[0] as SuiMonth).firstEpochDay ? nextSui : suiEndingIn(gregorianYear)
  const month = sui.findLast((candidate) => candidate.firstEpochDay <= epochDay) as SuiMonth
  return { year: month.year, month: month.month, day: epochDay - month.firstEpochDay + 1, isLeapMonth: month.isLeapMonth }
}

/** The Gregorian 'YYYY-MM-DD' date of a lunar date; throws a RangeError for a day or leap month that does not exist. */
export function lunarToSolar(lunar: LunarDate): string {
  const { year, month, day, isLeapMonth } = lunar
  assertSupportedYear(year, 'lunar year')
  if (!Number.isInteger(month) || month < 1 || month > 12) throw new RangeError(`lunar month must be 1..12, not ${month}`)
  // Months 11 and 12 of a lunar year belong to the suì that ends in the next Gregorian year.
  const sui = suiEndingIn(month >= 11 ? year + 1 : year)
  const found = sui.find((candidate) => candidate.year === year && candidate.month === month && candidate.isLeapMonth === isLeapMonth)
  if (found === undefined) throw new RangeError(`lunar year ${year} has no leap month ${month}`)
  if (!Number.isInteger(day) || day < 1 || day > found.length) {
    throw new RangeError(`${isLeapMonth ? 'leap ' : ''}lunar month ${month} of ${year} has days 1..${found.length}, not ${day}`)
  }
  return isoDateOf(found.firstEpochDay + day - 1)
}

/** The months of a lunar year in order, leap month included. */
export function lunarYearMonths(year: number): readonly LunarMonth[] {
  assertSupportedYear(year, 'lunar year')
  return [...suiEndingIn(year), ...suiEndingIn(year + 1)]
    .filter((month) => month.year === year)
    .map(({ firstEpochDay, ...month }) => ({ ...month, firstDay: isoDateOf(firstEpochDay) }))
}
