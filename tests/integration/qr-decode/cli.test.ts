import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CARD_QR, convert, encodeQr, VIETNAMESE_TEXT } from '../../helpers/qr-images'
import { motcua } from '../../helpers/motcua-cli'

describe('motcua qr decode', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qr-cli-'))
  const card = encodeQr(CARD_QR, join(dir, 'card.png'))
  const text = convert(encodeQr(VIETNAMESE_TEXT, join(dir, 'text-clean.png')), ['-background', 'white', '-rotate', '20'], join(dir, 'text.jpg'))
  const procedure = encodeQr('https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc=1.001193', join(dir, 'procedure.png'))
  const blank = convert('xc:white', ['-resize', '200x200!'], join(dir, 'blank.png'))

  it('prints one JSON line per image with the code, its format, kind and fields', async () => {
    const { code, stdout } = await motcua(['qr', 'decode', card, text, procedure, '--json'])
    expect(code).toBe(0)
    const lines = stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as unknown)
    expect(lines).toEqual([
      {
        file: card,
        results: [
          {
            text: CARD_QR,
            format: 'QR_CODE',
            kind: 'cccd',
            fields: {
              id: '048195001234',
              oldId: null,
              fullName: 'Nguyễn Thị Hồng Nhung',
              dateOfBirth: '1995-03-12',
              sex: 'Nữ',
              address: 'Số 12 Lê Duẩn, Phường Hải Châu, Thành phố Đà Nẵng',
              issueDate: '2021-08-15',
              extra: [],
            },
          },
        ],
      },
      { file: text, results: [{ text: VIETNAMESE_TEXT, format: 'QR_CODE', kind: 'text', fields: {} }] },
      { file: procedure, results: [{ text: expect.stringContaining('ma_thu_tuc=1.001193'), format: 'QR_CODE', kind: 'procedure', fields: { code: '1.001193' } }] },
    ])
  })

  it('prints readable lines without --json, and exits 1 when a picture holds no code', async () => {
    const { code, stdout } = await motcua(['qr', 'decode', card, blank])
    expect(code).toBe(1)
    expect(stdout).toBe(`${card}: QR_CODE thẻ căn cước 048195001234, Nguyễn Thị Hồng Nhung\n${blank}: không tìm thấy mã (no code found)\n`)
  })

  it('exits 2 for files that are not readable pictures, naming each on stderr, and still reads the others', async () => {
    const renamed = join(dir, 'notes.png')
    writeFileSync(renamed, 'ghi chú, không phải ảnh\n')
    const empty = join(dir, 'empty.png')
    writeFileSync(empty, '')
    const truncated = join(dir, 'truncated.png')
    writeFileSync(truncated, readFileSync(card).subarray(0, 120))

    const { code, stdout, stderr } = await motcua(['qr', 'decode', renamed, card, empty, truncated, blank, '--json'])
    expect(code).toBe(2)
    expect(stdout.trimEnd().split('\n').map((line) => (JSON.parse(line) as { file: string }).file)).toEqual([card, blank])
    const errors = stderr.trimEnd().split('\n')
    expect(errors).toHaveLength(3)
    expect(errors[0]).toMatch(/^Lỗi \(unreadable\): không đọc được ảnh .*notes\.png/)
    expect(errors[1]).toMatch(/^Lỗi \(empty\): .*empty\.png/)
    expect(errors[2]).toMatch(/^Lỗi \(unreadable\): .*truncated\.png/)
  })
})
