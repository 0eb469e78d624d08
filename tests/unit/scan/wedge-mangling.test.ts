import { describe, expect, it } from 'vitest'
import { looksMangledByWedge, WEDGE_MANGLED_MESSAGE_VI } from '../../../src/shared/domain/scan/wedge-mangling'
import { CORRECT_CARD_QRS, MAN_2021, WOMAN_2021, WOMAN_2024 } from './samples'

/** Strips diacritics the way a scanner that only types ASCII does ("Đà Nẵng" -> "Da Nang"). */
const stripDiacritics = (text: string) => text.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd').replace(/Đ/g, 'D')
const replaceNonAscii = (text: string, by: string) => text.replace(/[^\x00-\x7F]/g, by)

describe('looksMangledByWedge', () => {
  it.each(CORRECT_CARD_QRS)('never flags a correct card QR: %s', (qr) => {
    expect(looksMangledByWedge(qr)).toBe(false)
    expect(looksMangledByWedge(qr.normalize('NFD'))).toBe(false)
    expect(looksMangledByWedge(qr.toUpperCase())).toBe(false)
  })

  it.each([
    'Nguyễn Văn Hùng',
    'Ksor Y’Blang',
    'Kiệt 45/12 Lê Duẩn, Lô A2, K12, Tổ 5A',
    'https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc=1.001193',
    'Bạn cần hỗ trợ gì?',
    '5~10 người',
    '1.001193',
  ])('does not flag ordinary text: %j', (text) => {
    expect(looksMangledByWedge(text)).toBe(false)
  })

  it.each([
    ['letters replaced by ?', replaceNonAscii(MAN_2021, '?')],
    ['letters replaced by U+FFFD', replaceNonAscii(WOMAN_2021, '\uFFFD')],
    ['letters dropped', replaceNonAscii(WOMAN_2024, '')],
    ['diacritics stripped', stripDiacritics(MAN_2021)],
    ['only some letters lost (Latin-1 kept)', MAN_2021.replace('Nguyễn', 'Nguyn').replace('Văn', 'Vn')],
    ['one word replaced, rest intact', MAN_2021.replace('Nguyễn', 'Nguy?n')],
    ['only the sex field damaged', WOMAN_2024.replace('|Nữ|', '|N?|')],
    ['VIQR leftovers', 'Nguye^~n Va(n Hu`ng'],
    ['VNI digits with a VIQR tilde', 'Nguyen6~ Van8 Hung2'],
    ['VNI digits inside words', 'Nguye64n Tra62n'],
    ['? opening a word', '?inh Th? Lan'],
    ['a single U+FFFD in free text', 'Tr\uFFFDn'],
  ])('flags %s', (_, text) => {
    expect(looksMangledByWedge(text)).toBe(true)
  })

  it('tells the technician, in Vietnamese, to switch to USB-COM mode', () => {
    expect(WEDGE_MANGLED_MESSAGE_VI).toMatch(/USB-COM/)
    expect(WEDGE_MANGLED_MESSAGE_VI).toBe(WEDGE_MANGLED_MESSAGE_VI.normalize('NFC'))
  })
})
