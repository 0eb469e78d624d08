import type { IdCardPersonalData } from '../../../../shared/contract/idcard-schemas'
import type { Tlv } from '../icao/tlv'
import { DataGroupError, constructedChildren, dataGroupTag, decodeFile, readSmallInteger } from './lds'

/** DG13 of the Vietnamese chip ID card: personal data as numbered fields (layout in cccd-facts.md). */

/** DG13's fields as the contract carries them (the schema documents each). */
export type Dg13 = IdCardPersonalData

/** The single-string fields by their DG13 field number; 13 (parents) and 14 (spouse) are nested. */
export const DG13_TEXT_FIELDS = {
  idNumber: 1,
  fullName: 2,
  dateOfBirth: 3,
  sex: 4,
  nationality: 5,
  ethnicity: 6,
  religion: 7,
  hometown: 8,
  residence: 9,
  identifyingFeatures: 10,
  issueDate: 11,
  expiryDate: 12,
  oldIdNumber: 15,
} as const satisfies Partial<Record<keyof Dg13, number>>
export const DG13_PARENTS_FIELD = 13
export const DG13_SPOUSE_FIELD = 14
/** The fields written as PrintableString; every other field is UTF8String. */
export const DG13_PRINTABLE_FIELDS: readonly number[] = [1, 3, 11, 15]

const FIELD_SET_TAG = 0x31
const FIELD_TAG = 0x30
const UTF8_STRING = 0x0c
const STRING_TAGS = new Set([UTF8_STRING, 0x13 /* PrintableString */, 0x16 /* IA5String */])
const PRINTED_DATE = /^(\d{2})\/(\d{2})\/(\d{4})$/
const ID_NUMBER = /^\d{12}$/
// No card predates the 1900s or runs past the 2100s; anything outside is a damaged field, not a date.
const YEARS = { min: 1900, max: 2199 }
/** What the card prints for a card without expiry, compared without case, diacritics or extra spaces. */
const NO_EXPIRY = 'khong thoi han'
const utf8 = new TextDecoder('utf-8')

/** Every string under `node`, depth first: field 13 nests father and mother in SEQUENCEs whose shape varies. */
function stringsIn(node: Tlv): string[] {
  if (node.constructed) return node.children.flatMap(stringsIn)
  return STRING_TAGS.has(node.tag) ? [utf8.decode(node.value).normalize('NFC').trim()] : []
}

/**
 * dd/mm/yyyy as printed to ISO 8601; a 00 day or month (date only partly known) shortens the result. The message
 * names the field, never the value: dates are personal data and these messages reach the log.
 */
function isoDate(printed: string, field: string): string {
  const invalid = (): DataGroupError => new DataGroupError('invalidDate', `DG13 ${field} is not a valid dd/mm/yyyy date`)
  const match = PRINTED_DATE.exec(printed)
  if (!match) throw invalid()
  const [, day = '', month = '', year = ''] = match
  const [d, m, y] = [Number(day), Number(month), Number(year)]
  if (y < YEARS.min || y > YEARS.max || m > 12 || (m === 0 && d !== 0)) throw invalid()
  if (m === 0) return year
  if (d === 0) return `${year}-${month}`
  // Date.UTC rolls 31/02 over into March: a date that does not come back unchanged does not exist.
  if (new Date(Date.UTC(y, m - 1, d)).getUTCDate() !== d) throw invalid()
  return `${year}-${month}-${day}`
}

function foldForComparison(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').replace(/[đĐ]/g, 'd').toLowerCase().replace(/\s+/g, ' ').trim()
}

/** The expiry date, or null for a card without one: it prints "Không thời hạn" instead of a date. */
function expiryDate(printed: string): string | null {
  return foldForComparison(printed) === NO_EXPIRY ? null : isoDate(printed, 'expiryDate')
}

export function parseDg13(bytes: Uint8Array): Dg13 {
  const file = decodeFile(bytes, dataGroupTag(13), 'DG13')
  const content = constructedChildren(file.children[0], 'DG13 content')
  // Parse by field number, not position: version and OID precede the set, and fields may come in any order.
  const fieldSet = content.find((node) => node.tag === FIELD_SET_TAG)
  const values = new Map<number, string[]>()
  for (const field of constructedChildren(fieldSet, 'DG13 field set')) {
    if (field.tag !== FIELD_TAG) continue
    const [number, ...rest] = constructedChildren(field, 'DG13 field')
    const fieldNumber = readSmallInteger(number, 'DG13 field number')
    // A second copy of a field could hide the signed one behind another value: refuse rather than pick.
    if (values.has(fieldNumber)) throw new DataGroupError('malformed', `DG13 has field ${fieldNumber} twice`)
    values.set(fieldNumber, rest.flatMap(stringsIn))
  }
  const text = (number: number): string => values.get(number)?.join(' ') ?? ''
  const required = (name: keyof typeof DG13_TEXT_FIELDS): string => {
    const value = text(DG13_TEXT_FIELDS[name])
    if (value === '') throw new DataGroupError('missingField', `DG13 has no ${name}`)
    return value
  }
  const idNumber = required('idNumber')
  if (!ID_NUMBER.test(idNumber)) throw new DataGroupError('malformed', 'DG13 idNumber is not 12 digits')
  const [fatherName = '', motherName = ''] = values.get(DG13_PARENTS_FIELD) ?? []
  return {
    idNumber,
    fullName: required('fullName'),
    dateOfBirth: isoDate(required('dateOfBirth'), 'dateOfBirth'),
    sex: text(DG13_TEXT_FIELDS.sex),
    nationality: text(DG13_TEXT_FIELDS.nationality),
    ethnicity: text(DG13_TEXT_FIELDS.ethnicity),
    religion: text(DG13_TEXT_FIELDS.religion),
    hometown: text(DG13_TEXT_FIELDS.hometown),
    residence: text(DG13_TEXT_FIELDS.residence),
    identifyingFeatures: text(DG13_TEXT_FIELDS.identifyingFeatures),
    issueDate: isoDate(required('issueDate'), 'issueDate'),
    // A card without the field at all is read as having no expiry rather than refused: the resident is at the kiosk.
    expiryDate: text(DG13_TEXT_FIELDS.expiryDate) === '' ? null : expiryDate(text(DG13_TEXT_FIELDS.expiryDate)),
    fatherName,
    motherName,
    spouseName: text(DG13_SPOUSE_FIELD),
    oldIdNumber: text(DG13_TEXT_FIELDS.oldIdNumber),
  }
}
