import { IcaoError } from './errors'

export type MrzErrorCode = 'invalidFormat' | 'invalidCharacter' | 'checkDigit'
export type MrzCheckedField = 'documentNumber' | 'dateOfBirth' | 'dateOfExpiry' | 'personalNumber' | 'composite'

export class MrzError extends IcaoError<MrzErrorCode> {
  constructor(
    code: MrzErrorCode,
    message: string,
    /** For 'checkDigit': which check digit failed. */
    readonly field?: MrzCheckedField,
  ) {
    super(code, message)
  }
}

interface MrzCommon {
  /** 'ID' on Vietnamese cards, 'P' on passports; trailing fillers removed. */
  documentCode: string
  issuingState: string
  /** Without trailing fillers; the full number when a TD1 number overflows into the optional data. */
  documentNumber: string
  /** YYMMDD */
  dateOfBirth: string
  sex: string
  /** YYMMDD; Vietnamese cards without expiry carry 991231. */
  dateOfExpiry: string
  nationality: string
  primaryIdentifier: string
  secondaryIdentifier: string
}

export interface Td1Mrz extends MrzCommon {
  format: 'TD1'
  /** Line 1, positions 16-30, as printed (fillers kept). */
  optionalData1: string
  /** Line 2, positions 19-29, as printed. */
  optionalData2: string
  /** The 12-digit citizen ID of a Vietnamese card, whose last nine digits are the document number. */
  vietnameseIdNumber: string | undefined
}

export interface Td3Mrz extends MrzCommon {
  format: 'TD3'
  /** Line 2, positions 29-42, as printed. */
  personalNumber: string
}

export type Mrz = Td1Mrz | Td3Mrz

const CHECK_DIGIT_WEIGHTS = [7, 3, 1] as const
const FILLER = '<'
const MRZ_LINE = /^[0-9A-Z<]+$/
const MRZ_DATE = /^[0-9<]{6}$/
const TD1 = { lines: 3, length: 30 }
const TD3 = { lines: 2, length: 44 }
// BAC pads shorter document numbers with fillers to the nine characters of the printed field.
const DOCUMENT_NUMBER_FIELD_LENGTH = 9

function characterValue(character: string): number {
  if (character === FILLER) return 0
  const code = character.charCodeAt(0)
  if (code >= 0x30 && code <= 0x39) return code - 0x30
  if (code >= 0x41 && code <= 0x5a) return code - 0x41 + 10
  throw new MrzError('invalidCharacter', 'a character outside 0-9, A-Z and < is not an MRZ character')
}

/** ICAO 9303 Part 3 check digit: character values weighted 7, 3, 1 repeating, modulo 10. */
export function computeCheckDigit(field: string): string {
  let sum = 0
  for (let index = 0; index < field.length; index += 1) {
    sum += characterValue(field.charAt(index)) * CHECK_DIGIT_WEIGHTS[index % 3]!
  }
  return String(sum % 10)
}

function verifyCheckDigit(field: string, checkDigit: string, name: MrzCheckedField): void {
  const expected = computeCheckDigit(field)
  if (checkDigit !== expected) {
    throw new MrzError('checkDigit', `${name} check digit does not match`, name)
  }
}

/** Positions are 1-based and inclusive, as in the ICAO 9303 Part 4 and 5 tables, so the code reads like them. */
function positions(line: string, from: number, to: number): string {
  return line.slice(from - 1, to)
}

function withoutTrailingFillers(field: string): string {
  return field.replace(/<+$/, '')
}

function fillersToSpaces(field: string): string {
  return field.split(FILLER).filter((word) => word !== '').join(' ')
}

function splitName(nameField: string): Pick<MrzCommon, 'primaryIdentifier' | 'secondaryIdentifier'> {
  const separator = nameField.indexOf(FILLER + FILLER)
  if (separator === -1) return { primaryIdentifier: fillersToSpaces(nameField), secondaryIdentifier: '' }
  return {
    primaryIdentifier: fillersToSpaces(nameField.slice(0, separator)),
    secondaryIdentifier: fillersToSpaces(nameField.slice(separator + 2)),
  }
}

function requireDate(date: string, name: string): void {
  if (!MRZ_DATE.test(date)) throw new MrzError('invalidFormat', `${name} is not YYMMDD`)
}

/**
 * A TD1 document number longer than nine characters puts a filler in the check digit position and continues in
 * the optional data, ending with its own check digit (ICAO 9303 Part 5, note j).
 */
function td1DocumentNumber(line1: string): { documentNumber: string; checked: string; checkDigit: string } {
  const printed = positions(line1, 6, 14)
  const checkDigit = positions(line1, 15, 15)
  if (checkDigit !== FILLER) return { documentNumber: withoutTrailingFillers(printed), checked: printed, checkDigit }
  const overflow = positions(line1, 16, 30).split(FILLER)[0] ?? ''
  if (overflow.length < 2) {
    throw new MrzError('checkDigit', 'document number check digit is missing', 'documentNumber')
  }
  const full = printed + overflow.slice(0, -1)
  return { documentNumber: full, checked: full, checkDigit: overflow.slice(-1) }
}

// Vietnamese cards: optional data 1 starts with the 12-digit ID, which ends with the 9-digit document number.
function vietnameseIdNumber(issuingState: string, documentNumber: string, optionalData1: string): string | undefined {
  const candidate = optionalData1.slice(0, 12)
  return issuingState === 'VNM' && /^\d{12}$/.test(candidate) && candidate.endsWith(documentNumber) ? candidate : undefined
}

function parseTd1([line1, line2, line3]: readonly [string, string, string]): Td1Mrz {
  const { documentNumber, checked, checkDigit } = td1DocumentNumber(line1)
  verifyCheckDigit(checked, checkDigit, 'documentNumber')
  const dateOfBirth = positions(line2, 1, 6)
  const dateOfExpiry = positions(line2, 9, 14)
  requireDate(dateOfBirth, 'date of birth')
  requireDate(dateOfExpiry, 'date of expiry')
  verifyCheckDigit(dateOfBirth, positions(line2, 7, 7), 'dateOfBirth')
  verifyCheckDigit(dateOfExpiry, positions(line2, 15, 15), 'dateOfExpiry')
  const composite = positions(line1, 6, 30) + positions(line2, 1, 7) + positions(line2, 9, 15) + positions(line2, 19, 29)
  verifyCheckDigit(composite, positions(line2, 30, 30), 'composite')
  const issuingState = withoutTrailingFillers(positions(line1, 3, 5))
  const optionalData1 = positions(line1, 16, 30)
  return {
    format: 'TD1',
    documentCode: withoutTrailingFillers(positions(line1, 1, 2)),
    issuingState,
    documentNumber,
    dateOfBirth,
    sex: positions(line2, 8, 8),
    dateOfExpiry,
    nationality: withoutTrailingFillers(positions(line2, 16, 18)),
    ...splitName(line3),
    optionalData1,
    optionalData2: positions(line2, 19, 29),
    vietnameseIdNumber: vietnameseIdNumber(issuingState, documentNumber, optionalData1),
  }
}

function parseTd3([line1, line2]: readonly [string, string]): Td3Mrz {
  const documentNumberField = positions(line2, 1, 9)
  verifyCheckDigit(documentNumberField, positions(line2, 10, 10), 'documentNumber')
  const dateOfBirth = positions(line2, 14, 19)
  const dateOfExpiry = positions(line2, 22, 27)
  requireDate(dateOfBirth, 'date of birth')
  requireDate(dateOfExpiry, 'date of expiry')
  verifyCheckDigit(dateOfBirth, positions(line2, 20, 20), 'dateOfBirth')
  verifyCheckDigit(dateOfExpiry, positions(line2, 28, 28), 'dateOfExpiry')
  const personalNumber = positions(line2, 29, 42)
  const personalNumberCheckDigit = positions(line2, 43, 43)
  // An empty personal number may carry a filler instead of the check digit 0 (ICAO 9303 Part 4).
  if (!(personalNumberCheckDigit === FILLER && withoutTrailingFillers(personalNumber) === '')) {
    verifyCheckDigit(personalNumber, personalNumberCheckDigit, 'personalNumber')
  }
  const composite = positions(line2, 1, 10) + positions(line2, 14, 20) + positions(line2, 22, 43)
  verifyCheckDigit(composite, positions(line2, 44, 44), 'composite')
  return {
    format: 'TD3',
    documentCode: withoutTrailingFillers(positions(line1, 1, 2)),
    issuingState: withoutTrailingFillers(positions(line1, 3, 5)),
    documentNumber: withoutTrailingFillers(documentNumberField),
    dateOfBirth,
    sex: positions(line2, 21, 21),
    dateOfExpiry,
    nationality: withoutTrailingFillers(positions(line2, 11, 13)),
    ...splitName(positions(line1, 6, 44)),
    personalNumber,
  }
}

function hasShape(lines: readonly string[], shape: { lines: number; length: number }): boolean {
  return lines.length === shape.lines && lines.every((line) => line.length === shape.length)
}

function isTd1(lines: readonly string[]): lines is readonly [string, string, string] {
  return hasShape(lines, TD1)
}

function isTd3(lines: readonly string[]): lines is readonly [string, string] {
  return hasShape(lines, TD3)
}

// A scanner may deliver the whole MRZ as one run of characters.
function splitRun(run: string): string[] {
  const shape = [TD1, TD3].find((candidate) => run.length === candidate.lines * candidate.length)
  if (!shape) return [run]
  return Array.from({ length: shape.lines }, (_, index) => run.slice(index * shape.length, (index + 1) * shape.length))
}

/**
 * Parses a TD1 (three lines of 30, the Vietnamese ID card) or TD3 (two lines of 44, passports) MRZ and verifies
 * every check digit. Lines may be separated by line breaks or given as one run of 90 or 88 characters.
 */
export function parseMrz(text: string): Mrz {
  const given = text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '')
  for (const line of given) {
    if (!MRZ_LINE.test(line)) throw new MrzError('invalidCharacter', 'an MRZ line has characters outside 0-9, A-Z and <')
  }
  const lines = given.length === 1 ? splitRun(given[0] ?? '') : given
  if (isTd1(lines)) return parseTd1(lines)
  if (isTd3(lines)) return parseTd3(lines)
  throw new MrzError(
    'invalidFormat',
    `expected 3 lines of 30 (TD1) or 2 lines of 44 (TD3), got line lengths ${lines.map((line) => line.length).join(', ') || 'none'}`,
  )
}

export type BacMrzFields = Pick<MrzCommon, 'documentNumber' | 'dateOfBirth' | 'dateOfExpiry'>

/**
 * The "MRZ information" BAC derives its keys from: document number, date of birth and date of expiry, each
 * followed by its check digit. Takes the three fields rather than a parsed MRZ so the kiosk can also build it
 * from the QR code's ID and date of birth with a computed expiry.
 */
export function bacMrzInformation({ documentNumber, dateOfBirth, dateOfExpiry }: BacMrzFields): string {
  if (!MRZ_LINE.test(documentNumber)) throw new MrzError('invalidFormat', 'the document number is not MRZ text')
  requireDate(dateOfBirth, 'date of birth')
  requireDate(dateOfExpiry, 'date of expiry')
  const documentNumberField = documentNumber.padEnd(DOCUMENT_NUMBER_FIELD_LENGTH, FILLER)
  return [documentNumberField, dateOfBirth, dateOfExpiry].map((field) => field + computeCheckDigit(field)).join('')
}
