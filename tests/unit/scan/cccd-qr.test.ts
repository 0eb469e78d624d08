import { describe, expect, it } from 'vitest'
import { parseCccdQr } from '../../../src/shared/domain/scan/cccd-qr'
import { JRAI_MAN_2021, MAN_2021, TODAY, WOMAN_2021, WOMAN_2024, withField } from './samples'

const parse = (text: string) => parseCccdQr(text, { today: TODAY })
const errorOf = (text: string) => {
  const result = parse(text)
  if (result.ok) throw new Error(`expected a rejection of ${text}`)
  return result.error
}

describe('parseCccdQr: correct cards', () => {
  it('reads a 2021 card with an old ID', () => {
    expect(parse(MAN_2021)).toEqual({
      ok: true,
      value: {
        id: '048090012345',
        oldId: '201234567',
        fullName: 'Nguyễn Văn Hùng',
        dateOfBirth: '1990-03-15',
        sex: 'Nam',
        address: 'Tổ 12, Phường Hòa Minh, Quận Liên Chiểu, Đà Nẵng',
        issueDate: '2021-07-10',
        extra: [],
      },
    })
  })

  it('reads a 2021 card without an old ID as oldId null', () => {
    const result = parse(WOMAN_2021)
    expect(result.ok && result.value).toMatchObject({ id: '048303004567', oldId: null, sex: 'Nữ', dateOfBirth: '2003-11-22' })
  })

  it('reads the leading fields of a 2024 card and keeps the extra ones in order', () => {
    const result = parse(WOMAN_2024)
    expect(result.ok && result.value).toMatchObject({ fullName: 'Lê Thị Hồng Nhung', issueDate: '2024-08-15', extra: ['048185000111', 'Lê Văn Tâm', 'Phạm Thị Lan'] })
  })

  it('reads a name with an apostrophe and no diacritic', () => {
    const result = parse(JRAI_MAN_2021)
    expect(result.ok && result.value.fullName).toBe("Ksor Y'Blang")
  })

  it('tolerates a BOM, CRLF, stray spaces and line breaks inside fields', () => {
    const messy = `\uFEFF ${MAN_2021.replaceAll('|', ' | ').replace('Nguyễn Văn', 'Nguyễn \r\n Văn')}\r\n`
    expect(parse(messy)).toEqual(parse(MAN_2021))
  })

  it('NFC-normalises names and addresses and accepts the sex in any case or form', () => {
    const decomposed = withField(WOMAN_2021, 4, 'NỮ'.normalize('NFD')).normalize('NFD')
    const result = parse(decomposed)
    expect(result.ok && result.value).toMatchObject({ fullName: 'Trần Thị Mỹ Duyên', sex: 'Nữ' })
    expect(result.ok && result.value.address).toBe(result.ok && result.value.address.normalize('NFC'))
    expect(parse(withField(MAN_2021, 4, 'NAM')).ok).toBe(true)
    expect(parse(withField(MAN_2021, 4, 'nam')).ok).toBe(true)
  })

  it('accepts a birth on 29 February of a leap year and a birth today', () => {
    expect(parse(withField(withField(WOMAN_2021, 0, '048300004567'), 3, '29022000')).ok).toBe(true)
    const bornToday = withField(withField(withField(WOMAN_2021, 0, '048326004567'), 3, '01032026'), 6, '01032026')
    expect(parse(bornToday).ok).toBe(true)
  })

  it('uses the current day when no today is given', () => {
    expect(parseCccdQr(MAN_2021).ok).toBe(true)
  })
})

describe('parseCccdQr: rejections, each with its code and field', () => {
  it.each([
    ['empty', ''],
    ['empty', ' \uFEFF\r\n'],
    ['fieldCount', '048090012345|201234567|Nguyễn Văn Hùng|15031990|Nam|Tổ 12, Đà Nẵng'],
    ['fieldCount', 'just some text'],
  ])('%s, about no field: %j', (code, text) => {
    const error = errorOf(text)
    expect(error.code).toBe(code)
    expect(error).not.toHaveProperty('field')
  })

  it.each([
    ['idFormat', 'id', withField(MAN_2021, 0, '04809001234')],
    ['idFormat', 'id', withField(MAN_2021, 0, '0480900123456')],
    ['idFormat', 'id', withField(MAN_2021, 0, '04809OO12345')],
    ['idProvince', 'id', withField(MAN_2021, 0, '000090012345')],
    ['idProvince', 'id', withField(MAN_2021, 0, '097090012345')],
    ['oldIdFormat', 'oldId', withField(MAN_2021, 1, '20123456')],
    ['oldIdFormat', 'oldId', withField(MAN_2021, 1, '048090012345')],
    ['oldIdFormat', 'oldId', withField(MAN_2021, 1, '20123456X')],
    ['nameEmpty', 'fullName', withField(MAN_2021, 2, '  ')],
    ['dateInvalid', 'dateOfBirth', withField(MAN_2021, 3, '31021990')],
    ['dateInvalid', 'dateOfBirth', withField(MAN_2021, 3, '29021990')],
    ['dateInvalid', 'dateOfBirth', withField(MAN_2021, 3, '15131990')],
    ['dateInvalid', 'dateOfBirth', withField(MAN_2021, 3, '00031990')],
    ['dateInvalid', 'dateOfBirth', withField(MAN_2021, 3, '1990-03-15')],
    ['dateInvalid', 'dateOfBirth', withField(MAN_2021, 3, '15/03/1990')],
    ['dateInvalid', 'issueDate', withField(MAN_2021, 6, '31062021')],
    ['dateInvalid', 'issueDate', withField(MAN_2021, 6, '')],
    ['sexUnknown', 'sex', withField(MAN_2021, 4, 'Male')],
    ['sexUnknown', 'sex', withField(MAN_2021, 4, 'Nu')],
    ['sexUnknown', 'sex', withField(MAN_2021, 4, '')],
    ['addressEmpty', 'address', withField(MAN_2021, 5, '')],
    ['birthInFuture', 'dateOfBirth', withField(withField(MAN_2021, 0, '048226012345'), 3, '02032026')],
    ['issuedBeforeBirth', 'issueDate', withField(MAN_2021, 6, '14031990')],
    // A man's card with a woman's digit, and the other way round.
    ['idCenturySex', 'id', withField(MAN_2021, 0, '048190012345')],
    ['idCenturySex', 'id', withField(WOMAN_2021, 0, '048203004567')],
    // Born in the 2000s with a 1900s digit, and in the 1900s with a 2000s digit.
    ['idCenturySex', 'id', withField(WOMAN_2021, 0, '048103004567')],
    ['idCenturySex', 'id', withField(MAN_2021, 0, '048290012345')],
    // The facts give digits only for the 1900s and 2000s.
    ['idCenturySex', 'id', withField(withField(MAN_2021, 0, '048499012345'), 3, '15031899')],
    ['idBirthYear', 'id', withField(MAN_2021, 0, '048091012345')],
  ])('%s (%s): %s', (code, field, text) => {
    expect(errorOf(text)).toMatchObject({ code, field })
  })

  it('gives an English message', () => {
    expect(errorOf(withField(MAN_2021, 3, '31021990')).message).toMatch(/date of birth/)
  })
})
