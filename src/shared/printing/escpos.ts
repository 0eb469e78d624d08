/**
 * Thermal tickets as pictures: the screen draws the ticket (its webfont has every Vietnamese
 * diacritic, which printer code pages lack), this module turns the picture into 1-bit rows and
 * the rows into ESC/POS raster commands. Pure: no DOM, no Node.
 */

/** 203 dpi print heads: 384 dots across 58 mm paper, 576 across 80 mm. */
export const PAPER_DOTS = { 58: 384, 80: 576 } as const
export type PaperWidth = keyof typeof PAPER_DOTS
export const RASTER_WIDTHS = [PAPER_DOTS[58], PAPER_DOTS[80]] as const
export type RasterWidth = (typeof RASTER_WIDTHS)[number]
/** Far longer than any ticket; bounds the job a screen can send. */
export const MAX_RASTER_HEIGHT = 4000

/** An RGBA picture, as a canvas's ImageData holds it. */
export interface RgbaImage {
  readonly width: number
  readonly height: number
  readonly data: Uint8ClampedArray | Uint8Array
}

/** 1-bit rows, most significant bit first, 1 = a black dot, each row padded to whole bytes. */
export interface MonochromeRaster {
  readonly width: number
  readonly height: number
  readonly rows: Uint8Array
}

export function bytesPerRow(width: number): number {
  return Math.ceil(width / 8)
}

/**
 * Black where the picture is darker than mid-grey (transparent counts as paper). 'threshold' keeps
 * text and QR modules crisp; 'dither' (Floyd–Steinberg) keeps grey areas such as photos or logos.
 */
export function toMonochrome(image: RgbaImage, mode: 'threshold' | 'dither' = 'threshold'): MonochromeRaster {
  const { width, height, data } = image
  if (data.length !== width * height * 4) throw new RangeError(`RGBA data of ${data.length} bytes for ${width}×${height}`)
  const grey = new Float32Array(width * height)
  for (let pixel = 0; pixel < grey.length; pixel++) {
    const offset = pixel * 4
    const alpha = data[offset + 3]! / 255
    const luminance = 0.299 * data[offset]! + 0.587 * data[offset + 1]! + 0.114 * data[offset + 2]!
    grey[pixel] = luminance * alpha + 255 * (1 - alpha)
  }
  const stride = bytesPerRow(width)
  const rows = new Uint8Array(stride * height)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const value = grey[y * width + x]!
      const black = value < 128
      if (black) rows[y * stride + (x >> 3)]! |= 0x80 >> (x & 7)
      if (mode === 'dither') spreadError(grey, width, height, x, y, value - (black ? 0 : 255))
    }
  }
  return { width, height, rows }
}

function spreadError(grey: Float32Array, width: number, height: number, x: number, y: number, error: number): void {
  const add = (dx: number, dy: number, weight: number): void => {
    const nx = x + dx
    const ny = y + dy
    if (nx >= 0 && nx < width && ny < height) grey[ny * width + nx]! += (error * weight) / 16
  }
  add(1, 0, 7)
  add(-1, 1, 3)
  add(0, 1, 5)
  add(1, 1, 1)
}

/** Cheap printers buffer a limited raster per command: send the picture in bands of this many rows. */
export const MAX_BAND_ROWS = 255
/** Lines fed after the picture so that it clears the cutter. */
const FEED_LINES_BEFORE_CUT = 4

const ESC = 0x1b
const GS = 0x1d

/** ESC @ (initialise), GS v 0 per band, ESC d (feed), GS V 1 (partial cut). */
export function encodeEscPosTicket(raster: MonochromeRaster): Uint8Array {
  const stride = bytesPerRow(raster.width)
  if (raster.rows.length !== stride * raster.height) throw new RangeError(`${raster.rows.length} raster bytes for ${raster.width}×${raster.height}`)
  const parts: Uint8Array[] = [Uint8Array.of(ESC, 0x40)]
  for (let top = 0; top < raster.height; top += MAX_BAND_ROWS) {
    const bandRows = Math.min(MAX_BAND_ROWS, raster.height - top)
    parts.push(Uint8Array.of(GS, 0x76, 0x30, 0x00, stride & 0xff, stride >> 8, bandRows & 0xff, bandRows >> 8))
    parts.push(raster.rows.subarray(top * stride, (top + bandRows) * stride))
  }
  parts.push(Uint8Array.of(ESC, 0x64, FEED_LINES_BEFORE_CUT, GS, 0x56, 0x01))
  const bytes = new Uint8Array(parts.reduce((total, part) => total + part.length, 0))
  let offset = 0
  for (const part of parts) {
    bytes.set(part, offset)
    offset += part.length
  }
  return bytes
}
