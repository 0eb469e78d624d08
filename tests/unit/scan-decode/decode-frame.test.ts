import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readLuminance } from '../../../src/main/services/scan/image-file'
import { decodeFrame, DecodeFrameError, type LuminanceFrame } from '../../../src/shared/scan/decode-frame'
import { CARD_QR, convert, encodeQr, VIETNAMESE_TEXT } from '../../helpers/qr-images'

/** Bar and space widths of the Code 128 symbols 0-105 (ISO/IEC 15417 table 1), then the stop pattern. */
const CODE_128_WIDTHS = (
  '212222 222122 222221 121223 121322 131222 122213 122312 132212 221213 221312 231212 112232 122132 122231 113222 ' +
  '123122 123221 223211 221132 221231 213212 223112 312131 311222 321122 321221 312212 322112 322211 212123 212321 ' +
  '232121 111323 131123 131321 112313 132113 132311 211313 231113 231311 112133 112331 132131 113123 113321 133121 ' +
  '313121 211331 231131 213113 213311 213131 311123 311321 331121 312113 312311 332111 314111 221411 431111 111224 ' +
  '111422 121124 121421 141122 141221 112214 112412 122114 122411 142112 142211 241211 221114 413111 241112 134111 ' +
  '111242 121142 121241 114212 124112 124211 411212 421112 421211 212141 214121 412121 111143 111341 131141 114113 ' +
  '114311 411113 411311 113141 114131 311141 411131 211412 211214 211232 2331112'
).split(' ')
const START_B = 104
const STOP = 106

/** A Code 128 (set B) of printable ASCII, drawn black on white with a 10-module quiet zone. */
function code128Frame(text: string, moduleWidth: number, height: number): LuminanceFrame {
  const values = [...text].map((character) => character.charCodeAt(0) - 32)
  const checksum = values.reduce((sum, value, index) => sum + value * (index + 1), START_B) % 103
  const modules = [START_B, ...values, checksum, STOP].flatMap((symbol) =>
    [...CODE_128_WIDTHS[symbol]!].flatMap((width, index) => Array<boolean>(Number(width)).fill(index % 2 === 0)),
  )
  const row = [...Array<boolean>(10).fill(false), ...modules, ...Array<boolean>(10).fill(false)].flatMap((black) => Array<number>(moduleWidth).fill(black ? 20 : 235))
  const data = new Uint8ClampedArray(row.length * height)
  for (let y = 0; y < height; y++) data.set(row, y * row.length)
  return { data, width: row.length, height }
}

function turnedCounterClockwise(frame: LuminanceFrame): LuminanceFrame {
  const data = new Uint8ClampedArray(frame.data.length)
  for (let y = 0; y < frame.height; y++) {
    for (let x = 0; x < frame.width; x++) data[(frame.width - 1 - x) * frame.height + y] = frame.data[y * frame.width + x]!
  }
  return { data, width: frame.height, height: frame.width }
}

describe('decodeFrame', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scan-decode-'))

  it('reads a QR with a Vietnamese UTF-8 payload byte for byte, with the finder centres in frame pixels', async () => {
    const [code, ...others] = decodeFrame(await readLuminance(encodeQr(CARD_QR, join(dir, 'card.png'))))
    expect(others).toEqual([])
    expect(code).toMatchObject({ text: CARD_QR, format: 'QR_CODE' })
    // qrencode at 6 px per module with a 4-module margin: finder centres 3.5 modules in from the code's corners.
    expect(code!.corners.slice(0, 3)).toEqual([
      { x: 45, y: 273 },
      { x: 45, y: 45 },
      { x: 273, y: 45 },
    ])
  })

  it('finds every code in a frame, or only the first when asked', async () => {
    const card = encodeQr(CARD_QR, join(dir, 'two-a.png'))
    const text = encodeQr(VIETNAMESE_TEXT, join(dir, 'two-b.png'))
    const both = await readLuminance(convert(card, [text, '-background', 'white', '+append'], join(dir, 'two.png')))
    expect(decodeFrame(both).map((code) => code.text).sort()).toEqual([CARD_QR, VIETNAMESE_TEXT].sort())
    expect(decodeFrame(both, { maxCodes: 1 })).toHaveLength(1)
  })

  it('reads a Code 128 lying flat and standing up, mapping the standing one back to frame pixels', () => {
    const flat = code128Frame('HS-2025-000123', 3, 90)
    expect(decodeFrame(flat)).toMatchObject([{ text: 'HS-2025-000123', format: 'CODE_128' }])

    const standing = turnedCounterClockwise(flat)
    const [code] = decodeFrame(standing)
    expect(code).toMatchObject({ text: 'HS-2025-000123', format: 'CODE_128' })
    for (const corner of code!.corners) {
      expect(corner.x).toBeGreaterThanOrEqual(0)
      expect(corner.x).toBeLessThan(standing.width)
      expect(corner.y).toBeGreaterThanOrEqual(30)
      expect(corner.y).toBeLessThan(standing.height - 30)
    }
  })

  it('finds nothing in a blank or noisy frame', () => {
    expect(decodeFrame({ data: new Uint8ClampedArray(640 * 480).fill(200), width: 640, height: 480 })).toEqual([])
    let seed = 7
    const noise = Uint8ClampedArray.from({ length: 320 * 240 }, () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) >> 16) & 0xff)
    expect(decodeFrame({ data: noise, width: 320, height: 240 })).toEqual([])
  })

  it('refuses a buffer whose length does not match the frame size', () => {
    expect(() => decodeFrame({ data: new Uint8Array(99), width: 10, height: 10 })).toThrow(DecodeFrameError)
    expect(() => decodeFrame({ data: new Uint8Array(0), width: 0, height: 0 })).toThrow(expect.objectContaining({ code: 'frameSizeMismatch' }))
  })
})

describe('clean generated codes', () => {
  // A real receipt seal whose version-11 QR zxing's finder-pattern detector missed at 6 and 8 px per module.
  const SEAL = 'MC1:RRQT 9O60GO0KKCS4VYFWDCD8CKN:DW50IB0XJ0D83646Y$5446*96D%5:965W5C%6AL6$Q66467463P0Z96646%96IA7AU0W*HFUULVGJXKZXC5PCIRO XQ  0.P4H-CYICDOCQZC507:R67W5%ZCNIC1DCHOC3W5:TCVZCI-C:CCVICGNCBF3K%M3/6093%:6J58RX2D2J-VV2KUP*U7A2RQEFJGW+0J016O2++BP/IS-PCKL.:TZD38*L%HK0E08/FPOUN+RUCTD2A9/NQ+OOJ7NTH$EKX 3Y1'

  it.each([3, 6, 8])('reads a pure QR at %i px per module', async (moduleSize) => {
    const path = encodeQr(SEAL, join(mkdtempSync(join(tmpdir(), 'pure-qr-')), 'seal.png'), { moduleSize })
    expect(decodeFrame(await readLuminance(path)).map((code) => code.text)).toEqual([SEAL])
  })
})

