import { toNfc } from '../text'
import { vietnamDay } from '../time'
import { trimScannerFraming, type ParseResult } from './scan-input'

export type Sex = 'Nam' | 'Nữ'

/**
 * The QR on the chip ID card. 2021 CCCD: `ID|old ID|full name|DOB ddMMyyyy|sex|address|issue date ddMMyyyy`.
 * The 2024 thẻ căn cước adds fields whose layout is unpublished, so the leading seven are read as on the
 * 2021 card and the rest are kept in order.
 */
export interface CccdQrData {
  /** 12-digit personal identification number. */
  readonly id: string
  /** 9-digit number of the old identity card (CMND), or null when the card carries none. */
  readonly oldId: string | null
  readonly fullName: string
  /** YYYY-MM-DD */
  readonly dateOfBirth: string
  readonly sex: Sex
  readonly address: string
  /** YYYY-MM-DD */
  readonly issueDate: string
  /** Fields after the seventh (2024 card: cancelled ID number, parents' names...), trimmed and NFC. */
  readonly extra: readonly string[]
}

export type CccdQrField = Exclude<keyof CccdQrData, 'extra'>

export type CccdQrErrorCode =
  | 'empty'
  | 'fieldCount'
  | 'idFormat'
  | 'idProvince'
  | 'idCenturySex'
  | 'idBirthYear'
  | 'oldIdFormat'
  | 'nameEmpty'
  | 'dateInvalid'
  | 'birthInFuture'
  | 'issuedBeforeBirth'
  | 'sexUnknown'
  | 'addressEmpty'

export interface CccdQrError {
  readonly code: CccdQrErrorCode
  readonly field?: CccdQrField
  /** English, for the log; the screen translates the code. */
  readonly message: string
}

export interface CccdQrOptions {
  /** Today in Vietnam as YYYY-MM-DD (injectable for tests); defaults to the current day. */
  readonly today?: string
}

/** The QR's fields as scanned (trimmed, otherwise untouched), before validation. */
type CccdQrFieldTexts = { readonly [F in CccdQrField]: string } & { readonly extra: readonly string[] }

const LEADING_FIELD_COUNT = 7
const ID_PATTERN = /^\d{12}$/
const OLD_ID_PATTERN = /^\d{9}$/
const DATE_PATTERN = /^(\d{2})(\d{2})(\d{4})$/
const PROVINCE_CODE_MIN = 1
const PROVINCE_CODE_MAX = 96
/** Per the facts, digit 4 of the ID is 0/1 for a man/woman born in the 1900s and 2/3 for the 2000s. */
const CENTURIES_BY_ID_DIGIT_PAIR = ['19', '20']

/** Whether the text is laid out like a card QR at all: a run of digits, then a '|'. */
export function isCccdQrShaped(text: string): boolean {
  return /^\d+\|/.test(trimScannerFraming(text))
}

/** Splits a card QR into its fields, or null when it has fewer than the 2021 card's seven. */
export function splitCccdQr(text: string): CccdQrFieldTexts | null {
  const fields = trimScannerFraming(text)
    .split('|')
    .map((field) => field.trim())
  if (fields.length < LEADING_FIELD_COUNT) return null
  const [id = '', oldId = '', fullName = '', dateOfBirth = '', sex = '', address = '', issueDate = '', ...extra] = fields
  return { id, oldId, fullName, dateOfBirth, sex, address, issueDate, extra }
}

export function parseCccdQr(text: string, options: CccdQrOptions = {}): ParseResult<CccdQrData, CccdQrError> {
  if (trimScannerFraming(text) === '') return fail('empty', 'The scan is empty')
  const fields = splitCccdQr(text)
  if (!fields) return fail('fieldCount', `A card QR has at least ${LEADING_FIELD_COUNT} fields separated by '|'`)

  const { id } = fields
  if (!ID_PATTERN.test(id)) return fail('idFormat', 'The ID number must be 12 digits', 'id')
  const provinceCode = Number(id.slice(0, 3))
  if (provinceCode < PROVINCE_CODE_MIN || provinceCode > PROVINCE_CODE_MAX) {
    return fail('idProvince', `The ID number's province code ${id.slice(0, 3)} is not 001-096`, 'id')
  }

  const oldId = fields.oldId === '' ? null : fields.oldId
  if (oldId !== null && !OLD_ID_PATTERN.test(oldId)) return fail('oldIdFormat', 'The old ID number must be 9 digits when present', 'oldId')

  const fullName = normaliseText(fields.fullName)
  if (fullName === '') return fail('nameEmpty', 'The full name is empty', 'fullName')

  const dateOfBirth = isoDateOf(fields.dateOfBirth)
  if (!dateOfBirth) return fail('dateInvalid', 'The date of birth is not a calendar date in ddMMyyyy', 'dateOfBirth')

  const sex = sexOf(fields.sex)
  if (!sex) return fail('sexUnknown', "The sex must be 'Nam' or 'Nữ'", 'sex')

  const address = normaliseText(fields.address)
  if (address === '') return fail('addressEmpty', 'The address is empty', 'address')

  const issueDate = isoDateOf(fields.issueDate)
  if (!issueDate) return fail('dateInvalid', 'The issue date is not a calendar date in ddMMyyyy', 'issueDate')

  const today = options.today ?? vietnamDay(Date.now())
  if (dateOfBirth > today) return fail('birthInFuture', `The date of birth ${dateOfBirth} is after today (${today})`, 'dateOfBirth')
  if (issueDate < dateOfBirth) return fail('issuedBeforeBirth', 'The issue date is before the date of birth', 'issueDate')

  const expectedCenturySexDigit = centurySexDigitOf(dateOfBirth, sex)
  if (id[3] !== expectedCenturySexDigit) {
    const expectation = expectedCenturySexDigit ? `should be ${expectedCenturySexDigit}` : 'has no known value (1900s and 2000s only)'
    return fail('idCenturySex', `ID digit 4 is ${id[3]}, but for ${sex} born ${dateOfBirth.slice(0, 4)} it ${expectation}`, 'id')
  }
  if (id.slice(4, 6) !== dateOfBirth.slice(2, 4)) {
    return fail('idBirthYear', `ID digits 5-6 (${id.slice(4, 6)}) do not match the birth year ${dateOfBirth.slice(0, 4)}`, 'id')
  }

  return { ok: true, value: { id, oldId, fullName, dateOfBirth, sex, address, issueDate, extra: fields.extra.map(normaliseText) } }
}

function fail(code: CccdQrErrorCode, message: string, field?: CccdQrField): ParseResult<never, CccdQrError> {
  return { ok: false, error: field ? { code, field, message } : { code, message } }
}

/** NFC so the same name always has the same bytes; one space between words, as line breaks may sneak in. */
function normaliseText(text: string): string {
  return toNfc(text).replace(/\s+/g, ' ').trim()
}

/** ddMMyyyy -> YYYY-MM-DD, or null unless it names a real day (no 31/02, 29/02 only in leap years). */
function isoDateOf(ddMMyyyy: string): string | null {
  const match = DATE_PATTERN.exec(ddMMyyyy)
  if (!match) return null
  const [, day = '', month = '', year = ''] = match
  const monthNumber = Number(month)
  if (monthNumber < 1 || monthNumber > 12) return null
  const dayNumber = Number(day)
  if (dayNumber < 1 || dayNumber > daysInMonth(Number(year), monthNumber)) return null
  return `${year}-${month}-${day}`
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28
  return [4, 6, 9, 11].includes(month) ? 30 : 31
}

/** Accepts any case and either Unicode form of "Nam" / "Nữ". */
export function sexOf(text: string): Sex | null {
  const folded = toNfc(text).toLowerCase()
  if (folded === 'nam') return 'Nam'
  if (folded === 'nữ') return 'Nữ'
  return null
}

/** The ID's fourth digit for this birth and sex, or null for a century the facts give no digit for. */
function centurySexDigitOf(dateOfBirth: string, sex: Sex): string | null {
  const centuryIndex = CENTURIES_BY_ID_DIGIT_PAIR.indexOf(dateOfBirth.slice(0, 2))
  if (centuryIndex < 0) return null
  return String(centuryIndex * 2 + (sex === 'Nữ' ? 1 : 0))
}
