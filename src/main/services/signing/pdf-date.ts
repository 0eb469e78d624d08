/**
 * PDF date strings (ISO 32000-1 7.9.4), e.g. D:20250601143000+07'00'. Signing times are written in
 * Vietnam's time zone, UTC+07:00 all year round, so the receipt shows the local time of the counter.
 */

const VIETNAM_OFFSET = { minutes: 7 * 60, pdfText: "+07'00'" }
const MINUTE_MS = 60_000

const pad = (value: number, width = 2): string => String(value).padStart(width, '0')

export function formatPdfDate(instant: Date): string {
  const local = new Date(instant.getTime() + VIETNAM_OFFSET.minutes * MINUTE_MS)
  const date = pad(local.getUTCFullYear(), 4) + pad(local.getUTCMonth() + 1) + pad(local.getUTCDate())
  const time = pad(local.getUTCHours()) + pad(local.getUTCMinutes()) + pad(local.getUTCSeconds())
  return `D:${date}${time}${VIETNAM_OFFSET.pdfText}`
}

const PDF_DATE = /^D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:(Z)|([+-])(\d{2})'?(?:(\d{2})'?)?)?$/

/** The instant a PDF date denotes; undefined when the text is not one. A missing zone is read as UTC. */
export function parsePdfDate(text: string): Date | undefined {
  const match = PDF_DATE.exec(text)
  if (match === null) return undefined
  const [, year, month = '01', day = '01', hour = '00', minute = '00', second = '00', , sign, offsetHours = '0', offsetMinutes = '0'] = match
  const offset = (sign === '-' ? -1 : 1) * (Number(offsetHours) * 60 + Number(offsetMinutes))
  const utc = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second)) - offset * MINUTE_MS
  const valid = Number(month) >= 1 && Number(month) <= 12 && Number(day) >= 1 && Number(day) <= 31 && Number(hour) <= 23 && Number(minute) <= 59 && Number(second) <= 59
  return valid && Number.isFinite(utc) ? new Date(utc) : undefined
}
