/**
 * Encoding a processed page with sharp (libvips): baseline JPEG for colour and grey, a bare CCITT Group 4 stream
 * for black and white (what a PDF's /CCITTFaxDecode takes), a grey PNG for OCR, a small JPEG thumbnail.
 */
import { crc32 } from 'node:zlib'
import sharp, { type Sharp } from 'sharp'
import type { PixelBuffer } from '../../../shared/capture/process-page-image'
import type { CaptureMode } from '../../../shared/capture/types'

/** Colour quality 75 with 4:2:0 keeps a text page near 150-250 KiB at 200 dpi, under the 300 KiB goal. */
const JPEG_QUALITY = 75
const THUMBNAIL_HEIGHT = 240

const raw = (page: PixelBuffer): Sharp => sharp(page.data, { raw: { width: page.width, height: page.height, channels: page.channels } })

export interface EncodedPage {
  readonly encoding: 'jpeg' | 'ccitt-g4'
  readonly bytes: Uint8Array
}

export async function encodePage(page: PixelBuffer, mode: CaptureMode, dpi: number): Promise<EncodedPage> {
  if (mode === 'bw') return { encoding: 'ccitt-g4', bytes: await encodeG4(page) }
  return { encoding: 'jpeg', bytes: await encodeJpeg(page, dpi, JPEG_QUALITY) }
}

/**
 * A baseline JPEG, one component for a grey page, three (4:2:0) for colour, with a JFIF header carrying the dpi.
 * (sharp's withMetadata would set the density but also turn a grey page into sRGB, so the header is written here.)
 */
async function encodeJpeg(page: PixelBuffer, dpi: number, quality: number): Promise<Uint8Array> {
  const image = page.channels === 1 ? raw(page).toColourspace('b-w') : raw(page)
  const jpeg = await image.jpeg({ quality, chromaSubsampling: '4:2:0', progressive: false, mozjpeg: false }).toBuffer()
  return withJfifDensity(new Uint8Array(jpeg.buffer, jpeg.byteOffset, jpeg.length), dpi)
}

/** The JPEG with a JFIF APP0 segment right after SOI saying `dpi` dots per inch (replacing one already there). */
export function withJfifDensity(jpeg: Uint8Array, dpi: number): Uint8Array {
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new Error('not a JPEG')
  const app0 = new Uint8Array([0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x01, dpi >> 8, dpi & 0xff, dpi >> 8, dpi & 0xff, 0x00, 0x00])
  const hasApp0 = jpeg[2] === 0xff && jpeg[3] === 0xe0
  const rest = hasApp0 ? jpeg.subarray(4 + ((jpeg[4]! << 8) | jpeg[5]!)) : jpeg.subarray(2)
  const out = new Uint8Array(2 + app0.length + rest.length)
  out.set(jpeg.subarray(0, 2))
  out.set(app0, 2)
  out.set(rest, 2 + app0.length)
  return out
}

/**
 * The page (grey levels, 0 ink) as a CCITT G4 stream: libtiff encodes it (K=-1, WhiteIsZero so white runs are the
 * paper, ending with EOFB), in one strip so the stream is the whole page, which is then cut out of the TIFF.
 */
export async function encodeG4(page: PixelBuffer): Promise<Uint8Array> {
  if (page.channels !== 1) throw new RangeError('a CCITT G4 page has one channel')
  const tiff = await raw(page)
    .toColourspace('b-w')
    .tiff({ compression: 'ccittfax4', bitdepth: 1, miniswhite: true, tileHeight: page.height })
    .toBuffer()
  return singleStrip(new Uint8Array(tiff.buffer, tiff.byteOffset, tiff.length))
}

const STRIP_OFFSETS = 273
const STRIP_BYTE_COUNTS = 279
const COMPRESSION = 259
const FILL_ORDER = 266
const CCITT_T6 = 4

/** The one strip of a one-strip, G4-compressed TIFF (classic TIFF, either byte order). */
export function singleStrip(tiff: Uint8Array): Uint8Array {
  const view = new DataView(tiff.buffer, tiff.byteOffset, tiff.byteLength)
  const order = view.getUint16(0)
  if ((order !== 0x4949 && order !== 0x4d4d) || tiff.length < 8) throw new Error('not a TIFF')
  const little = order === 0x4949
  const ifd = view.getUint32(4, little)
  const entries = view.getUint16(ifd, little)
  const tags = new Map<number, { count: number; value: number }>()
  for (let index = 0; index < entries; index++) {
    const at = ifd + 2 + index * 12
    const type = view.getUint16(at + 2, little)
    const count = view.getUint32(at + 4, little)
    // SHORT or LONG, inline when a single value (the only shape libvips writes for one strip).
    const value = type === 3 ? view.getUint16(at + 8, little) : view.getUint32(at + 8, little)
    tags.set(view.getUint16(at, little), { count, value })
  }
  const offsets = tags.get(STRIP_OFFSETS)
  const counts = tags.get(STRIP_BYTE_COUNTS)
  if (tags.get(COMPRESSION)?.value !== CCITT_T6) throw new Error('the TIFF is not CCITT G4 compressed')
  // A PDF's /CCITTFaxDecode reads the bits most significant first; FillOrder 2 would need every byte reversed.
  if ((tags.get(FILL_ORDER)?.value ?? 1) !== 1) throw new Error('the TIFF strip is stored least significant bit first')
  if (offsets === undefined || counts === undefined || offsets.count !== 1 || counts.count !== 1) throw new Error(`the TIFF has ${offsets?.count ?? 0} strips, not one`)
  if (offsets.value + counts.value > tiff.length) throw new Error('the TIFF strip runs past the end of the file')
  return tiff.slice(offsets.value, offsets.value + counts.value)
}

/** A grey PNG for OCR (fast compression: it is read once and dropped), with its dpi in a pHYs chunk: OCR engines size their models by it. */
export async function encodeOcrImage(gray: { width: number; height: number; data: Uint8Array }, dpi: number): Promise<Uint8Array> {
  const png = await raw({ ...gray, channels: 1 }).toColourspace('b-w').png({ compressionLevel: 1 }).toBuffer()
  return withPngDensity(new Uint8Array(png.buffer, png.byteOffset, png.length), dpi)
}

/** The PNG with one pHYs chunk (pixels per metre) after its IHDR, replacing the one libvips writes. */
export function withPngDensity(png: Uint8Array, dpi: number): Uint8Array {
  const bytes = Buffer.from(png.buffer, png.byteOffset, png.length)
  const chunks: Buffer[] = [bytes.subarray(0, 8)]
  for (let at = 8; at < bytes.length; ) {
    const end = at + 12 + bytes.readUInt32BE(at)
    const type = bytes.toString('latin1', at + 4, at + 8)
    if (type !== 'pHYs') chunks.push(bytes.subarray(at, end))
    if (type === 'IHDR') chunks.push(physChunk(dpi))
    at = end
  }
  return Buffer.concat(chunks)
}

function physChunk(dpi: number): Buffer {
  const perMetre = Math.round(dpi / 0.0254)
  const chunk = Buffer.alloc(21)
  chunk.writeUInt32BE(9, 0)
  chunk.write('pHYs', 4, 'latin1')
  chunk.writeUInt32BE(perMetre, 8)
  chunk.writeUInt32BE(perMetre, 12)
  chunk.writeUInt8(1, 16) // unit: metre
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 17)), 17)
  return chunk
}

export async function encodeThumbnail(page: PixelBuffer): Promise<Uint8Array> {
  const small = await raw(page).resize({ height: THUMBNAIL_HEIGHT, kernel: 'lanczos3' }).raw().toBuffer({ resolveWithObject: true })
  return encodeJpeg({ width: small.info.width, height: small.info.height, channels: small.info.channels === 1 ? 1 : 3, data: small.data }, 72, 70)
}
