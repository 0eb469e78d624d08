import { createRequire } from 'node:module'
import sharp from 'sharp'

/** The JPEG 2000 codestream inside a JP2 file (its 'jp2c' box); a bare J2K codestream is returned as it is. */
export function jpeg2000Codestream(image: Buffer): Buffer {
  for (let offset = 0; offset + 8 <= image.length; ) {
    let length = image.readUInt32BE(offset)
    const type = image.toString('latin1', offset + 4, offset + 8)
    let header = 8
    if (length === 1 && offset + 16 <= image.length) {
      length = Number(image.readBigUInt64BE(offset + 8))
      header = 16
    }
    const end = length === 0 ? image.length : offset + length
    if (type === 'jp2c') return image.subarray(offset + header, Math.min(end, image.length))
    if (length < header || end > image.length) break
    offset = end
  }
  return image
}

// ICAO faces are a few hundred pixels across; 2000×2000 leaves room for any real card while bounding the decoder's
// memory (12 MB of pixels) against a forged header asking for gigabytes.
export const MAX_FACE_SIDE = 2000
const SOC = 0xff4f
const SIZ = 0xff51

/** Width and height from the codestream's SIZ segment (ISO 15444-1 A.5.1), read before anything is decoded. */
export function jpeg2000Size(codestream: Buffer): { width: number; height: number } {
  // SOC, SIZ, Lsiz, Rsiz, then Xsiz Ysiz XOsiz YOsiz as 32-bit values.
  if (codestream.length < 24 || codestream.readUInt16BE(0) !== SOC || codestream.readUInt16BE(2) !== SIZ) throw new Error('JPEG 2000 codestream does not start with SOC and SIZ')
  const [xsiz, ysiz, xosiz, yosiz] = [8, 12, 16, 20].map((offset) => codestream.readUInt32BE(offset)) as [number, number, number, number]
  if (xosiz >= xsiz || yosiz >= ysiz) throw new Error('JPEG 2000 SIZ gives an empty image')
  return { width: xsiz - xosiz, height: ysiz - yosiz }
}

interface J2kDecoder {
  getEncodedBuffer(length: number): Uint8Array
  decode(): void
  getFrameInfo(): { width: number; height: number; bitsPerSample: number; componentCount: number }
  getDecodedBuffer(): Uint8Array
  delete(): void
}
type OpenJpeg = { J2KDecoder: new () => J2kDecoder }

let openJpeg: Promise<OpenJpeg> | undefined

/** OpenJPEG compiled to plain JavaScript (no .wasm to fetch), loaded on the first JPEG 2000 face; its chatter silenced. */
function loadOpenJpeg(): Promise<OpenJpeg> {
  const factory = createRequire(import.meta.url)('@cornerstonejs/codec-openjpeg/decode') as (module: object) => Promise<OpenJpeg>
  openJpeg ??= factory({ print: () => undefined, printErr: () => undefined })
  return openJpeg
}

/**
 * Many chip cards hold the face as JPEG 2000, which neither browsers nor sharp's libvips decode:
 * decoded here with OpenJPEG and re-encoded as JPEG for the screen. Throws on a damaged image.
 */
export async function jpeg2000ToJpeg(image: Buffer): Promise<Buffer> {
  const codestream = jpeg2000Codestream(image)
  const { width: declaredWidth, height: declaredHeight } = jpeg2000Size(codestream)
  if (declaredWidth > MAX_FACE_SIDE || declaredHeight > MAX_FACE_SIDE) throw new Error(`JPEG 2000 face of ${declaredWidth}×${declaredHeight} exceeds ${MAX_FACE_SIDE}×${MAX_FACE_SIDE}`)
  let decoder: J2kDecoder | undefined
  try {
    decoder = new (await loadOpenJpeg()).J2KDecoder()
    decoder.getEncodedBuffer(codestream.length).set(codestream)
    decoder.decode()
    const { width, height, bitsPerSample, componentCount } = decoder.getFrameInfo()
    if (bitsPerSample !== 8 || (componentCount !== 1 && componentCount !== 3)) throw new Error(`unsupported JPEG 2000 face: ${componentCount} components of ${bitsPerSample} bits`)
    const pixels = Buffer.from(decoder.getDecodedBuffer())
    return await sharp(pixels, { raw: { width, height, channels: componentCount as 1 | 3 } }).jpeg({ quality: 90 }).toBuffer()
  } catch (error) {
    // A module that failed to load or aborted mid-decode stays broken: the next face loads a fresh one.
    openJpeg = undefined
    throw error
  } finally {
    try {
      decoder?.delete()
    } catch {
      // An aborted module cannot free its decoder either; it is dropped above.
    }
  }
}
