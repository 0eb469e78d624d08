import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { crc32 } from 'node:zlib'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { decodeImageFile, readLuminance } from '../../../src/main/services/scan/image-file'
import { CARD_QR, encodeQr, VIETNAMESE_TEXT } from '../../helpers/qr-images'

const dir = mkdtempSync(join(tmpdir(), 'qr-image-file-'))

/** A copy of a PNG whose header claims other dimensions, its checksum fixed so only the size is wrong. */
function withClaimedSize(png: string, width: number, height: number, output: string): string {
  const bytes = Buffer.from(readFileSync(png))
  // Signature (8), IHDR length (4) and type (4), then width and height; the CRC covers type and data.
  bytes.writeUInt32BE(width, 16)
  bytes.writeUInt32BE(height, 20)
  bytes.writeUInt32BE(crc32(bytes.subarray(12, 29)), 29)
  writeFileSync(output, bytes)
  return output
}

describe('decodeImageFile', () => {
  it('classifies what it reads: a card QR gives the card, plain text stays text', async () => {
    const [card] = await decodeImageFile(encodeQr(CARD_QR, join(dir, 'card.png')))
    expect(card?.scan).toMatchObject({ ok: true, value: { kind: 'cccd', card: { id: '048195001234', fullName: 'Nguyễn Thị Hồng Nhung', sex: 'Nữ' } } })
    const [text] = await decodeImageFile(encodeQr(VIETNAMESE_TEXT, join(dir, 'text.png')))
    expect(text?.scan).toMatchObject({ ok: true, value: { kind: 'text', text: VIETNAMESE_TEXT } })
  })

  it('keeps the exact text of a card QR that fails validation, with the reason', async () => {
    // Digit 4 must be 1 for a woman born in the 1900s: this card QR is malformed.
    const malformed = CARD_QR.replace('048195', '048095')
    const [code] = await decodeImageFile(encodeQr(malformed, join(dir, 'malformed.png')))
    expect(code?.text).toBe(malformed)
    expect(code?.scan).toMatchObject({ ok: false, error: { code: 'invalidCccd', cccd: { code: 'idCenturySex' } } })
  })

  it('lays transparency over white: a QR drawn in alpha only still reads', async () => {
    const path = encodeQr(CARD_QR, join(dir, 'alpha.png'), { extraArgs: ['--foreground=000000FF', '--background=00000000'] })
    expect((await decodeImageFile(path)).map((code) => code.text)).toEqual([CARD_QR])
  })

  it('turns the picture upright as its EXIF orientation says', async () => {
    const path = join(dir, 'oriented.jpg')
    await sharp({ create: { width: 300, height: 100, channels: 3, background: '#ffffff' } }).jpeg().withMetadata({ orientation: 6 }).toFile(path)
    expect(await readLuminance(path)).toMatchObject({ width: 100, height: 300 })
  })

  it('refuses what is not a readable picture with a typed error', async () => {
    const png = encodeQr(CARD_QR, join(dir, 'whole.png'))
    const truncated = join(dir, 'truncated.png')
    writeFileSync(truncated, readFileSync(png).subarray(0, 200))
    const text = join(dir, 'text.png')
    writeFileSync(text, 'not a picture\n')
    const empty = join(dir, 'empty.png')
    writeFileSync(empty, '')
    copyFileSync(png, join(dir, 'copy.png'))

    await expect(decodeImageFile(text)).rejects.toMatchObject({ name: 'ImageFileError', code: 'unreadable' })
    await expect(decodeImageFile(truncated)).rejects.toMatchObject({ code: 'unreadable' })
    await expect(decodeImageFile(empty)).rejects.toMatchObject({ code: 'empty' })
    await expect(decodeImageFile(join(dir, 'missing.png'))).rejects.toMatchObject({ code: 'notFound' })
    await expect(decodeImageFile(dir)).rejects.toMatchObject({ code: 'notAFile' })
    await expect(decodeImageFile(withClaimedSize(png, 60_000, 60_000, join(dir, 'huge.png')))).rejects.toMatchObject({ code: 'tooLarge' })
  })
})
