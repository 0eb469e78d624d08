import { describe, expect, it } from 'vitest'
import { classifyScan, MAX_SCAN_LENGTH } from '../../../src/shared/domain/scan/classify'
import { MAN_2021, TODAY, WOMAN_2024, withField } from './samples'

const classify = (text: string) => classifyScan(text, { today: TODAY })

describe('classifyScan', () => {
  it('classifies a card QR and keeps its fields', () => {
    const result = classify(`\uFEFF${WOMAN_2024}\r\n`)
    expect(result).toMatchObject({ ok: true, value: { kind: 'cccd', wedgeMangled: false, card: { id: '048185007788', extra: ['048185000111', 'Lê Văn Tâm', 'Phạm Thị Lan'] } } })
  })

  it('reports a card QR that fails validation, with the card error', () => {
    expect(classify(withField(MAN_2021, 3, '31021990'))).toMatchObject({
      ok: false,
      error: { code: 'invalidCccd', wedgeMangled: false, cccd: { code: 'dateInvalid', field: 'dateOfBirth' } },
    })
    expect(classify('048090012345|201234567|Nguyễn Văn Hùng')).toMatchObject({ ok: false, error: { code: 'invalidCccd', cccd: { code: 'fieldCount' } } })
  })

  it('flags a mangled card QR, whether or not it still validates', () => {
    expect(classify(MAN_2021.replace('Nguyễn', 'Nguy?n'))).toMatchObject({ ok: true, value: { kind: 'cccd', wedgeMangled: true } })
    expect(classify(withField(WOMAN_2024, 4, 'N?'))).toMatchObject({ ok: false, error: { code: 'invalidCccd', wedgeMangled: true, cccd: { code: 'sexUnknown' } } })
  })

  it('classifies procedure codes, bare or in a link', () => {
    expect(classify(' 1.001193\r\n')).toEqual({ ok: true, value: { kind: 'procedure', code: '1.001193', wedgeMangled: false } })
    expect(classify('https://dichvucong.gov.vn/p/home/x.html?ma_thu_tuc=2.000815')).toEqual({
      ok: true,
      value: { kind: 'procedure', code: '2.000815', wedgeMangled: false },
    })
  })

  it('returns anything else as trimmed NFC text', () => {
    expect(classify('  Đăng ký khai sinh\r\n'.normalize('NFD'))).toEqual({ ok: true, value: { kind: 'text', text: 'Đăng ký khai sinh', wedgeMangled: false } })
    expect(classify('javascript:alert(1)//1.001193')).toMatchObject({ ok: true, value: { kind: 'text' } })
    expect(classify('Nguye^~n Va(n')).toMatchObject({ ok: true, value: { kind: 'text', wedgeMangled: true } })
  })

  it('rejects empty and over-long scans', () => {
    expect(classify(' \uFEFF\r\n')).toMatchObject({ ok: false, error: { code: 'empty' } })
    expect(classify('a'.repeat(MAX_SCAN_LENGTH)).ok).toBe(true)
    expect(classify('a'.repeat(MAX_SCAN_LENGTH + 1))).toMatchObject({ ok: false, error: { code: 'tooLong' } })
  })
})
