import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseCccdQr } from '../../../src/shared/domain/scan/cccd-qr'
import { classifyScan, MAX_SCAN_LENGTH } from '../../../src/shared/domain/scan/classify'
import { parseProcedureCode } from '../../../src/shared/domain/scan/procedure-code'
import { looksMangledByWedge } from '../../../src/shared/domain/scan/wedge-mangling'
import { TODAY } from './samples'

/** A benchmark raises this to 100,000. */
const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 2000)
const runs = { numRuns: FUZZ_RUNS }

/** Characters that matter to these parsers, mixed with any UTF-16 unit (lone surrogates too) and any code point. */
const scanCharacter = fc.oneof(
  fc.constantFrom('|', '0', '1', '4', '8', '9', '.', '/', '?', '=', '&', '#', ':', '^', '~', '`', ' ', '\r', '\n', '\uFEFF', '\uFFFD', 'ữ', 'Đ', 'a', 'N'),
  fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit)),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
)
const scanText = fc.string({ unit: scanCharacter, maxLength: 300 })
const digits = (minLength: number, maxLength: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength, maxLength })
const cardField = fc.oneof(scanText, digits(0, 13), fc.constantFrom('Nam', 'Nữ', 'NỮ', 'nam', '', '29022000', '31022021', '01011990'))
const pipeJoinedFields = fc.array(cardField, { maxLength: 12 }).map((fields) => fields.join('|'))

const FAMILY_NAMES = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Huỳnh', 'Phan', 'Võ', 'Đặng', 'Bùi', 'Đỗ', 'Hồ', 'Ngô', 'Dương', 'Ksor', 'Rơ Châm']
const MIDDLE_NAMES = ['Văn', 'Thị', 'Hữu', 'Đức', 'Minh', 'Thanh', 'Ngọc', 'Quốc', 'Y', 'H']
const GIVEN_NAMES = ['An', 'Bình', 'Chi', 'Dũng', 'Hà', 'Hải', 'Hương', 'Khoa', 'Lan', 'Linh', 'Mai', 'Phúc', 'Quân', 'Thảo', 'Tuấn', 'Vy', "Y'Blang", "H'Hen"]
const STREETS = ['Tổ 12', 'Kiệt 45/12 Lê Duẩn', 'Thôn Phú Sơn', '27 Nguyễn Văn Linh', 'Lô A2 Khu dân cư Nam Cẩm Lệ', 'Làng Ia Mơ Nông']
const WARDS = ['Phường Hòa Minh', 'Phường Hải Châu I', 'Xã Hòa Khương', 'Phường An Hải Bắc', 'Xã Ia Ka', 'Phường Thanh Khê Tây']
const CITIES = ['Đà Nẵng', 'Thành phố Đà Nẵng', 'Gia Lai', 'Quảng Nam']

const isoDay = (date: Date) => date.toISOString().slice(0, 10)
const ddMMyyyy = (iso: string) => `${iso.slice(8, 10)}${iso.slice(5, 7)}${iso.slice(0, 4)}`
const dayBetween = (min: string, max: string) =>
  fc.date({ min: new Date(`${min}T00:00:00Z`), max: new Date(`${max}T00:00:00Z`), noInvalidDate: true }).map(isoDay)

/** A card QR of an invented person, valid by construction, in either Unicode form and either case. */
const correctCardQr = fc
  .record({
    province: fc.integer({ min: 1, max: 96 }),
    sex: fc.constantFrom('Nam', 'Nữ'),
    dateOfBirth: dayBetween('1900-01-01', TODAY),
    serial: digits(6, 6),
    oldId: fc.option(digits(9, 9), { nil: '' }),
    name: fc.tuple(fc.constantFrom(...FAMILY_NAMES), fc.constantFrom(...MIDDLE_NAMES), fc.constantFrom(...GIVEN_NAMES)),
    address: fc.tuple(fc.constantFrom(...STREETS), fc.constantFrom(...WARDS), fc.constantFrom(...CITIES)),
    extra: fc.array(fc.string({ unit: fc.constantFrom('0', '4', '8', 'L', 'ê', 'T', 'â', 'm', ' ') }), { maxLength: 3 }),
    form: fc.constantFrom('NFC', 'NFD'),
    upperCase: fc.boolean(),
  })
  .chain((card) => dayBetween(card.dateOfBirth, TODAY).map((issueDate) => ({ ...card, issueDate })))
  .map((card) => {
    const centuryDigit = (Number(card.dateOfBirth.slice(0, 2)) - 19) * 2 + (card.sex === 'Nữ' ? 1 : 0)
    const id = `${String(card.province).padStart(3, '0')}${centuryDigit}${card.dateOfBirth.slice(2, 4)}${card.serial}`
    const fields = [id, card.oldId, card.name.join(' '), ddMMyyyy(card.dateOfBirth), card.sex, card.address.join(', '), ddMMyyyy(card.issueDate), ...card.extra]
    const text = fields.join('|').normalize(card.form)
    return { id, dateOfBirth: card.dateOfBirth, qr: card.upperCase ? text.toUpperCase() : text }
  })

/** Mostly rejected, sometimes still valid: exercises every check and the shape of what gets through. */
const cardWithOneFieldReplaced = fc.tuple(correctCardQr, fc.nat({ max: 9 }), cardField).map(([card, index, replacement]) => {
  const fields = card.qr.split('|')
  fields[index] = replacement
  return fields.join('|')
})

const MANGLINGS: ReadonlyArray<(text: string) => string> = [
  (text) => text.replace(/[^\x00-\x7F]/g, '?'),
  (text) => text.replace(/[^\x00-\x7F]/g, '\uFFFD'),
  (text) => text.replace(/[^\x00-\x7F]/g, ''),
  (text) => text.normalize('NFD').replace(/\p{M}/gu, '').replace(/[đĐ]/g, 'd'),
]

describe(`fuzz (${FUZZ_RUNS} runs each)`, () => {
  it('no parser throws on arbitrary text', () => {
    fc.assert(
      fc.property(scanText, (text) => {
        parseCccdQr(text, { today: TODAY })
        parseProcedureCode(text)
        looksMangledByWedge(text)
        classifyScan(text, { today: TODAY })
      }),
      runs,
    )
  })

  it('arbitrary pipe-joined fields never throw, and whatever is accepted is well-formed', () => {
    fc.assert(
      fc.property(fc.oneof(pipeJoinedFields, cardWithOneFieldReplaced), (text) => {
        const result = parseCccdQr(text, { today: TODAY })
        if (!result.ok) return result.error.message.length > 0
        const card = result.value
        return (
          /^\d{12}$/.test(card.id) &&
          (card.oldId === null || /^\d{9}$/.test(card.oldId)) &&
          card.fullName !== '' &&
          card.fullName === card.fullName.normalize('NFC') &&
          card.dateOfBirth <= TODAY &&
          card.dateOfBirth <= card.issueDate &&
          ['Nam', 'Nữ'].includes(card.sex)
        )
      }),
      runs,
    )
  })

  it('classifyScan never throws, also on over-long input', () => {
    fc.assert(
      fc.property(fc.oneof(pipeJoinedFields, scanText, fc.string({ unit: scanCharacter, minLength: MAX_SCAN_LENGTH - 2, maxLength: MAX_SCAN_LENGTH + 2 })), (text) => {
        const result = classifyScan(text, { today: TODAY })
        return result.ok || result.error.message.length > 0
      }),
      { numRuns: Math.ceil(FUZZ_RUNS / 10) },
    )
  })

  it('a correct card QR is read back and never flagged; mangled, it always is', () => {
    fc.assert(
      fc.property(correctCardQr, fc.constantFrom(...MANGLINGS), ({ id, dateOfBirth, qr }, mangle) => {
        const result = parseCccdQr(qr, { today: TODAY })
        expect(result.ok && result.value).toMatchObject({ id, dateOfBirth })
        expect(looksMangledByWedge(qr)).toBe(false)
        expect(looksMangledByWedge(mangle(qr))).toBe(true)
      }),
      runs,
    )
  })

  it('links never throw, and a code put in the ma_thu_tuc parameter is read back', () => {
    const code = fc.tuple(digits(1, 1), digits(6, 6)).map(([level, number]) => `${level}.${number}`)
    fc.assert(
      fc.property(fc.webUrl({ withQueryParameters: true, withFragments: true }), code, (url, procedureCode) => {
        parseProcedureCode(url)
        const [withoutFragment = ''] = url.split('#')
        const result = parseProcedureCode(`${withoutFragment}${withoutFragment.includes('?') ? '&' : '?'}ma_thu_tuc=${procedureCode}`)
        // A random path may hold another code-shaped segment by chance; the link is then rightly ambiguous.
        if (result.ok) expect(result.value).toBe(procedureCode)
        else expect(result.error.code).toBe('ambiguousUrl')
      }),
      runs,
    )
  })
})
