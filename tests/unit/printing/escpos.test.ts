import { describe, expect, it } from 'vitest'
import { encodeEscPosTicket, MAX_BAND_ROWS, toMonochrome, type RgbaImage } from '../../../src/shared/printing/escpos'

/** An RGBA image from rows of characters: '#' black, '.' white, '+' mid grey, ' ' transparent. */
function picture(...rows: string[]): RgbaImage {
  const colours: Record<string, number[]> = { '#': [0, 0, 0, 255], '.': [255, 255, 255, 255], '+': [128, 128, 128, 255], ' ': [0, 0, 0, 0] }
  return { width: rows[0]!.length, height: rows.length, data: Uint8Array.from(rows.flatMap((row) => [...row].flatMap((cell) => colours[cell]!))) }
}

describe('1-bit rows from an RGBA picture', () => {
  it('packs dots most significant bit first, pads each row to whole bytes, and treats transparent as paper', () => {
    const raster = toMonochrome(picture('#.#.....##', '  ######..'))
    expect(raster).toEqual({ width: 10, height: 2, rows: Uint8Array.of(0b1010_0000, 0b1100_0000, 0b0011_1111, 0b0000_0000) })
  })

  it('thresholds at mid grey: darker is black', () => {
    const dark = { width: 1, height: 1, data: Uint8Array.of(127, 127, 127, 255) }
    const light = { width: 1, height: 1, data: Uint8Array.of(128, 128, 128, 255) }
    expect(toMonochrome(dark).rows).toEqual(Uint8Array.of(0x80))
    expect(toMonochrome(light).rows).toEqual(Uint8Array.of(0x00))
  })

  it('dithers a grey area to about half its dots, and leaves black and white as they are', () => {
    const grey = toMonochrome(picture(...Array.from({ length: 8 }, () => '++++++++')), 'dither')
    const black = grey.rows.reduce((count, byte) => count + byte.toString(2).replaceAll('0', '').length, 0)
    expect(black).toBe(32)
    expect(toMonochrome(picture('#.#.....'), 'dither').rows).toEqual(Uint8Array.of(0b1010_0000))
  })

  it('refuses data that does not match the size', () => {
    expect(() => toMonochrome({ width: 2, height: 2, data: new Uint8Array(12) })).toThrow(RangeError)
  })
})

describe('ESC/POS for a ticket picture', () => {
  it('initialises, sends the raster with GS v 0, feeds and cuts', () => {
    const bytes = encodeEscPosTicket({ width: 10, height: 2, rows: Uint8Array.of(0xa0, 0xc0, 0x3f, 0x00) })
    expect([...bytes]).toEqual([
      0x1b, 0x40, // ESC @
      0x1d, 0x76, 0x30, 0x00, 2, 0, 2, 0, // GS v 0, normal size, 2 bytes across, 2 rows
      0xa0, 0xc0, 0x3f, 0x00,
      0x1b, 0x64, 4, // ESC d 4: feed past the cutter
      0x1d, 0x56, 0x01, // GS V 1: partial cut
    ])
  })

  it(`sends tall pictures in bands of at most ${MAX_BAND_ROWS} rows, with 16-bit sizes`, () => {
    const height = MAX_BAND_ROWS + 3
    const rows = Uint8Array.from({ length: 72 * height }, (_unused, index) => index % 251)
    const bytes = encodeEscPosTicket({ width: 576, height, rows })
    const firstHeader = 2
    expect([...bytes.subarray(firstHeader, firstHeader + 8)]).toEqual([0x1d, 0x76, 0x30, 0x00, 72, 0, MAX_BAND_ROWS, 0])
    const secondHeader = firstHeader + 8 + 72 * MAX_BAND_ROWS
    expect([...bytes.subarray(secondHeader, secondHeader + 8)]).toEqual([0x1d, 0x76, 0x30, 0x00, 72, 0, 3, 0])
    expect(bytes.subarray(firstHeader + 8, secondHeader)).toEqual(rows.subarray(0, 72 * MAX_BAND_ROWS))
    expect(bytes.subarray(secondHeader + 8, secondHeader + 8 + 72 * 3)).toEqual(rows.subarray(72 * MAX_BAND_ROWS))
    expect(bytes.length).toBe(2 + 2 * 8 + rows.length + 6)
  })

  it('refuses rows that do not match the size', () => {
    expect(() => encodeEscPosTicket({ width: 10, height: 2, rows: new Uint8Array(3) })).toThrow(RangeError)
  })
})
