import type { Tlv } from '../icao/tlv'
import { DataGroupError, constructedChildren, dataGroupTag, decodeFile, readSmallInteger } from './lds'

/** DG13 of the Vietnamese chip ID card: personal data as numbered fields (layout in cccd-facts.md). */

export interface Dg13 {
  /** The 12-digit personal identification number. */
  idNumber: string
  fullName: string
  /** YYYY-MM-DD, or YYYY-MM / YYYY when the record knows only part of the date (printed with 00). */
  dateOfBirth: string
  sex: string
  nationality: string
  ethnicity: string
  religion: string
  hometown: string
  residence: string
  identifyingFeatures: string
  /** YYYY-MM-DD */
  issueDate: string
  /** YYYY-MM-DD; null when the card has no expiry (it prints text such as "Không thời hạn" instead of a date). */
  expiryDate: string | null
  fatherName: string
  motherName: string
  /** Empty when the card records no spouse. */
  spouseName: string
  /** The old 9-digit identity card (CMND) number; empty when there is none. */
  oldIdNumber: string
}

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
const utf8 = new TextDecoder('utf-8')

/** Every string under `node`, depth first: field 13 nests father and mother in SEQUENCEs whose shape varies. */
function stringsIn(node: Tlv): string[] {
  if (node.constructed) return node.children.flatMap(stringsIn)
  return STRING_TAGS.has(node.tag) ? [utf8.decode(node.value).normalize('NFC').trim()] : []
}

/** dd/mm/yyyy as printed to ISO 8601; a 00 day or month (date only partly known) shortens the result. */
function isoDate(printed: string, field: string): string {
  const match = PRINTED_DATE.exec(printed)
  if (!match) throw new DataGroupError('invalidDate', `DG13 ${field} "${printed}" is not dd/mm/yyyy`)
  const [, day = '', month = '', year = ''] = match
  if (month === '00') return year
  return day === '00' ? `${year}-${month}` : `${year}-${month}-${day}`
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
    values.set(readSmallInteger(number, 'DG13 field number'), rest.flatMap(stringsIn))
  }
  const text = (number: number): string => values.get(number)?.join(' ') ?? ''
  const required = (name: keyof typeof DG13_TEXT_FIELDS): string => {
    const value = text(DG13_TEXT_FIELDS[name])
    if (value === '') throw new DataGroupError('missingField', `DG13 has no ${name}`)
    return value
  }
  const expiry = text(DG13_TEXT_FIELDS.expiryDate)
  const [fatherName = '', motherName = ''] = values.get(DG13_PARENTS_FIELD) ?? []
  return {
    idNumber: required('idNumber'),
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
    expiryDate: PRINTED_DATE.test(expiry) ? isoDate(expiry, 'expiryDate') : null,
    fatherName,
    motherName,
    spouseName: text(DG13_SPOUSE_FIELD),
    oldIdNumber: text(DG13_TEXT_FIELDS.oldIdNumber),
  }
}
