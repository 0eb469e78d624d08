import sharp, { type Sharp } from 'sharp'

/**
 * A stored bilevel page is a bare CCITT Group 4 stream (what the PDF's /CCITTFaxDecode takes).
 * To turn or read it, it is wrapped in the smallest TIFF that says what it is (one strip,
 * Compression 4, WhiteIsZero: the fax convention of white runs first) and decoded by libvips.
 */
export function decodeG4Page(g4: Uint8Array, size: { readonly widthPx: number; readonly heightPx: number }): Sharp {
  return sharp(g4Tiff(g4, size.widthPx, size.heightPx))
}

const TIFF_SHORT = 3
const TIFF_LONG = 4

function g4Tiff(g4: Uint8Array, width: number, height: number): Buffer {
  const entries: [tag: number, type: number, value: number][] = [
    [256, TIFF_LONG, width], // ImageWidth
    [257, TIFF_LONG, height], // ImageLength
    [258, TIFF_SHORT, 1], // BitsPerSample
    [259, TIFF_SHORT, 4], // Compression: CCITT T.6
    [262, TIFF_SHORT, 0], // PhotometricInterpretation: WhiteIsZero
    [273, TIFF_LONG, 0], // StripOffsets: patched below
    [277, TIFF_SHORT, 1], // SamplesPerPixel
    [278, TIFF_LONG, height], // RowsPerStrip: one strip
    [279, TIFF_LONG, g4.length], // StripByteCounts
  ]
  const ifdOffset = 8
  const ifdLength = 2 + entries.length * 12 + 4
  const dataOffset = ifdOffset + ifdLength
  const header = Buffer.alloc(dataOffset)
  header.write('II', 0, 'latin1')
  header.writeUInt16LE(42, 2)
  header.writeUInt32LE(ifdOffset, 4)
  header.writeUInt16LE(entries.length, ifdOffset)
  entries.forEach(([tag, type, value], index) => {
    const at = ifdOffset + 2 + index * 12
    header.writeUInt16LE(tag, at)
    header.writeUInt16LE(type, at + 2)
    header.writeUInt32LE(1, at + 4)
    const stored = tag === 273 ? dataOffset : value
    if (type === TIFF_SHORT) header.writeUInt16LE(stored, at + 8)
    else header.writeUInt32LE(stored, at + 8)
  })
  header.writeUInt32LE(0, ifdOffset + 2 + entries.length * 12) // no next IFD
  return Buffer.concat([header, g4])
}
