import { stat } from 'node:fs/promises'
import sharp from 'sharp'
import { classifyScan, type ClassifiedScan, type ScanError } from '../../../shared/domain/scan/classify'
import type { ParseResult } from '../../../shared/domain/scan/scan-input'
import { decodeFrame, type DecodedCode, type LuminanceFrame } from '../../../shared/scan/decode-frame'

export type ImageFileErrorCode = 'notFound' | 'notAFile' | 'empty' | 'tooLarge' | 'unreadable'

/** A file that cannot be read as a picture; the message (English) names the file and the cause. */
export class ImageFileError extends Error {
  constructor(
    readonly code: ImageFileErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options)
    this.name = 'ImageFileError'
  }
}

/** What a code in an image file says: the decoded code and how classifyScan reads its text. */
export interface FileCode extends DecodedCode {
  readonly scan: ParseResult<ClassifiedScan, ScanError>
}

/** A scan of a whole A4 page at 600 dpi is ~35 MP; more is a mistake or a decompression bomb. */
const MAX_INPUT_PIXELS = 64_000_000
const MAX_FILE_BYTES = 64 * 1024 * 1024
/** Decoding time grows with the pixel count; at this size a card QR on a phone photo still has ≥ 3 px per module. */
const MAX_DECODE_SIDE = 2560

/** The codes in an image file, each with its classification; [] when the picture holds none. */
export async function decodeImageFile(path: string): Promise<FileCode[]> {
  const frame = await readLuminance(path)
  return decodeFrame(frame).map((code) => ({ ...code, scan: classifyScan(code.text) }))
}

/**
 * The picture in a PNG, JPEG, WebP, GIF, TIFF or AVIF file as one grey byte per pixel: turned upright as its
 * EXIF orientation says, transparency laid over white, shrunk to MAX_DECODE_SIDE. Throws ImageFileError only.
 */
export async function readLuminance(path: string): Promise<LuminanceFrame> {
  await checkFile(path)
  try {
    const { data, info } = await sharp(path, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'truncated' })
      .rotate()
      .flatten({ background: '#ffffff' })
      .resize({ width: MAX_DECODE_SIDE, height: MAX_DECODE_SIDE, fit: 'inside', withoutEnlargement: true })
      .grayscale()
      .raw()
      .toBuffer({ resolveWithObject: true })
    return { data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height }
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error)
    if (/pixel limit/i.test(detail)) throw new ImageFileError('tooLarge', `${path}: the picture has more than ${MAX_INPUT_PIXELS} pixels`, { cause: error })
    throw new ImageFileError('unreadable', `${path}: not a readable image (${detail.split('\n')[0]})`, { cause: error })
  }
}

async function checkFile(path: string): Promise<void> {
  const stats = await stat(path).catch((error: unknown) => {
    throw new ImageFileError('notFound', `${path}: no such file`, { cause: error })
  })
  if (!stats.isFile()) throw new ImageFileError('notAFile', `${path}: not a file`)
  if (stats.size === 0) throw new ImageFileError('empty', `${path}: the file is empty`)
  if (stats.size > MAX_FILE_BYTES) throw new ImageFileError('tooLarge', `${path}: the file is over ${MAX_FILE_BYTES / 1024 / 1024} MiB`)
}
