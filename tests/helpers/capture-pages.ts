import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fontkit from '@pdf-lib/fontkit'
import { PDFDocument, rgb } from 'pdf-lib'
import sharp from 'sharp'
import type { DigitizablePage } from '../../src/main/services/capture/digitize'
import { singleStrip } from '../../src/main/services/capture/page-encoding'
import { PROJECT_ROOT } from './browser-mode-host'
import { runTool } from './signing-pki'

/**
 * Page images of known Vietnamese text for the archival PDF and OCR tests, made by independent tools: the text is
 * typeset in Liberation Serif by pdf-lib, rasterised by poppler's pdftoppm, encoded as JPEG by sharp (libjpeg)
 * and as CCITT G4 by ImageMagick (libtiff). They stand in for the pipeline's processPage output.
 */

export const A4_POINTS = { width: 595.28, height: 841.89 } as const

/** A birth-registration form's opening lines: capitals, all five tones, ơ/ư/đ, digits and punctuation. */
export const FORM_LINES = [
  'CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM',
  'Độc lập - Tự do - Hạnh phúc',
  'TỜ KHAI ĐĂNG KÝ KHAI SINH',
  'Họ, chữ đệm, tên người yêu cầu: Nguyễn Thị Ngọc Ánh',
  'Nơi cư trú: 12 Trần Phú, phường Hải Châu, thành phố Đà Nẵng',
  'Quan hệ với người được khai sinh: mẹ đẻ',
  'Đề nghị cơ quan đăng ký khai sinh cho người dưới đây:',
  'Họ, chữ đệm, tên: Lê Hoàng Bảo Ngọc',
  'Ngày, tháng, năm sinh: 08 tháng 10 năm 2026',
  'Giới tính: Nữ; Dân tộc: Kinh; Quốc tịch: Việt Nam',
  'Tôi cam đoan nội dung đề nghị đăng ký khai sinh trên đây là đúng sự thật,',
  'được sự thỏa thuận nhất trí của các bên liên quan theo quy định pháp luật.',
] as const

/** An A4 page with `lines` in 13 pt from the Decree 30 margins (30 mm left, 20 mm top), rendered at `dpi`. */
export async function renderTextPage(lines: readonly string[], options: { dpi: number; color?: boolean }): Promise<Buffer> {
  const doc = await PDFDocument.create()
  doc.registerFontkit(fontkit)
  const font = await doc.embedFont(readFileSync(join(PROJECT_ROOT, 'resources/fonts/LiberationSerif-Regular.ttf')), { subset: true })
  const page = doc.addPage([A4_POINTS.width, A4_POINTS.height])
  const mm = 72 / 25.4
  lines.forEach((line, index) => page.drawText(line, { x: 30 * mm, y: A4_POINTS.height - 20 * mm - 13 - index * 22, size: 13, font }))
  if (options.color) page.drawRectangle({ x: 30 * mm, y: 60 * mm, width: 40 * mm, height: 20 * mm, color: rgb(0.8, 0.1, 0.1) })
  const dir = mkdtempSync(join(tmpdir(), 'motcua-page-'))
  try {
    writeFileSync(join(dir, 'page.pdf'), await doc.save())
    runTool('pdftoppm', ['-r', String(options.dpi), '-png', '-singlefile', join(dir, 'page.pdf'), join(dir, 'page')])
    const png = readFileSync(join(dir, 'page.png'))
    // pdftoppm's PNG writer keeps three channels even with -gray; a grey page is one channel.
    return options.color ? png : await sharp(png).toColourspace('b-w').png().toBuffer()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** A baseline JPEG with the dpi in its JFIF header, as the pipeline stores colour and grey pages: grey stays one channel. */
export async function jpegPage(png: Buffer, dpi: number): Promise<DigitizablePage> {
  const { width, height, channels } = await sharp(png).metadata()
  const image = sharp(png).withDensity(dpi)
  const bytes = await (channels === 1 ? image.toColourspace('b-w') : image).jpeg({ quality: 85, progressive: false, mozjpeg: false }).toBuffer()
  return { encoding: 'jpeg', bytes, widthPx: width!, heightPx: height!, dpi, ocrImage: await sharp(png).toColourspace('b-w').png().toBuffer() }
}

/** A bilevel page: ImageMagick thresholds and writes a Group 4 TIFF (min-is-white, one strip), whose strip we take. */
export async function g4Page(png: Buffer, dpi: number): Promise<DigitizablePage> {
  const { width, height } = await sharp(png).metadata()
  const dir = mkdtempSync(join(tmpdir(), 'motcua-g4-'))
  try {
    writeFileSync(join(dir, 'page.png'), png)
    execFileSync('convert', [join(dir, 'page.png'), '-monochrome', '-compress', 'Group4', join(dir, 'page.tif')])
    return { encoding: 'ccitt-g4', bytes: singleStrip(readFileSync(join(dir, 'page.tif'))), widthPx: width!, heightPx: height!, dpi, ocrImage: await sharp(png).toColourspace('b-w').png().toBuffer() }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Character error rate: Levenshtein distance over code points after NFC and whitespace folding, per expected character. */
export function characterErrorRate(expected: string, actual: string): number {
  const fold = (text: string) => [...text.normalize('NFC').replace(/\s+/g, ' ').trim()]
  const [a, b] = [fold(expected), fold(actual)]
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    previous = current
  }
  return previous[b.length]! / a.length
}
