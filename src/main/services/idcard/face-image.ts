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
  const decoder = new (await loadOpenJpeg()).J2KDecoder()
  try {
    decoder.getEncodedBuffer(codestream.length).set(codestream)
    decoder.decode()
    const { width, height, bitsPerSample, componentCount } = decoder.getFrameInfo()
    if (bitsPerSample !== 8 || (componentCount !== 1 && componentCount !== 3)) throw new Error(`unsupported JPEG 2000 face: ${componentCount} components of ${bitsPerSample} bits`)
    const pixels = Buffer.from(decoder.getDecodedBuffer())
    return await sharp(pixels, { raw: { width, height, channels: componentCount as 1 | 3 } }).jpeg({ quality: 90 }).toBuffer()
  } finally {
    decoder.delete()
  }
}
