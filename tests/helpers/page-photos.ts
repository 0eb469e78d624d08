/**
 * Synthetic pictures of paper, made with ImageMagick (independent of the pipeline under test): a Vietnamese text
 * page rendered in Liberation Serif, then either photographed (put in perspective on a textured desk, blurred,
 * lit with a glare) or scanned (skewed on a scanner bed). The tests know where the page went, so they can check
 * what the pipeline found. A missing `convert` fails the test that needs it.
 */
import { join } from 'node:path'
import type { Quad } from '../../src/shared/capture/types'
import { PROJECT_ROOT } from './browser-mode-host'
import { run } from './qr-images'

const FONT = join(PROJECT_ROOT, 'resources/fonts/LiberationSerif-Regular.ttf')
const BOLD_FONT = join(PROJECT_ROOT, 'resources/fonts/LiberationSerif-Bold.ttf')

/** A page of an application as a ward receives it: heading, body paragraphs, a signature block. */
export const PAGE_TEXT_LINES: readonly string[] = [
  'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM',
  'Độc lập – Tự do – Hạnh phúc',
  'TỜ KHAI ĐĂNG KÝ KHAI SINH',
  'Kính gửi: Ủy ban nhân dân phường Hải Châu, thành phố Đà Nẵng.',
  'Họ, chữ đệm, tên người yêu cầu: Nguyễn Thị Hồng Nhung',
  'Nơi cư trú: Số 12 Lê Duẩn, phường Hải Châu, thành phố Đà Nẵng',
  'Giấy tờ tùy thân: Căn cước số 048195001234, cấp ngày 15/08/2021',
  'Quan hệ với người được khai sinh: mẹ đẻ của trẻ được khai sinh',
  'Đề nghị cơ quan đăng ký khai sinh cho người dưới đây:',
  'Họ, chữ đệm, tên: Đặng Quốc Bảo; giới tính: Nam; dân tộc: Kinh',
  'Ngày, tháng, năm sinh: 03/02/2025, ghi bằng chữ: ngày ba tháng hai',
  'năm hai nghìn không trăm hai mươi lăm; nơi sinh: Bệnh viện Phụ sản',
  'Nhi Đà Nẵng; quê quán: xã Điện Bàn, thành phố Đà Nẵng; quốc tịch: Việt',
  'Nam. Họ, chữ đệm, tên người mẹ: Nguyễn Thị Hồng Nhung; năm sinh 1995;',
  'dân tộc Kinh; quốc tịch Việt Nam; nơi cư trú: Số 12 Lê Duẩn, phường',
  'Hải Châu. Họ, chữ đệm, tên người cha: Đặng Quốc Tuấn; năm sinh 1992;',
  'dân tộc Kinh; quốc tịch Việt Nam; nơi cư trú: Số 12 Lê Duẩn, phường',
  'Hải Châu, thành phố Đà Nẵng. Tôi cam đoan nội dung đề nghị đăng ký',
  'khai sinh trên đây là đúng sự thật, được sự thỏa thuận nhất trí của',
  'các bên liên quan theo quy định pháp luật và chịu trách nhiệm trước',
  'pháp luật về nội dung cam đoan của mình. Đề nghị cấp bản sao trích lục',
  'khai sinh: có, số lượng hai bản. Làm tại phường Hải Châu, ngày 14',
  'tháng 02 năm 2025. Người yêu cầu ký, ghi rõ họ, chữ đệm, tên.',
  'Nguyễn Thị Hồng Nhung',
]

export interface TextPageOptions {
  readonly dpi?: number
  readonly landscape?: boolean
  /** How many of PAGE_TEXT_LINES to print (default all); 0 gives a blank sheet. */
  readonly lineCount?: number
  /** Turns the printed sheet before it is photographed or scanned: what the pipeline must undo. */
  readonly rotation?: 0 | 90 | 180 | 270
}

/** An A4 sheet with Vietnamese text, as a PNG at `dpi` (default 200). Returns the printed text. */
export function renderTextPage(path: string, options: TextPageOptions = {}): { path: string; text: string; width: number; height: number } {
  const dpi = options.dpi ?? 200
  const short = Math.round((210 / 25.4) * dpi)
  const long = Math.round((297 / 25.4) * dpi)
  const [width, height] = options.landscape ? [long, short] : [short, long]
  const lines = PAGE_TEXT_LINES.slice(0, options.lineCount ?? PAGE_TEXT_LINES.length)
  const margin = Math.round(dpi * 0.9)
  const pointSize = Math.round((13 * dpi) / 72)
  const lineHeight = Math.round(pointSize * 1.45)
  const draw = lines.flatMap((line, index) => ['-font', index < 3 ? BOLD_FONT : FONT, '-annotate', `+${margin}+${margin + pointSize + index * lineHeight}`, line])
  const turn = options.rotation ? ['-rotate', String(options.rotation)] : []
  run('convert', ['xc:white', '-resize', `${width}x${height}!`, '-fill', 'black', '-pointsize', String(pointSize), ...draw, ...turn, '-colorspace', 'sRGB', '-type', 'TrueColor', path])
  const turned = options.rotation === 90 || options.rotation === 270
  return { path, text: lines.join('\n'), width: turned ? height : width, height: turned ? width : height }
}

export type DeskTexture = 'plasma' | 'noise' | 'cluttered'

export interface PagePhotoOptions extends TextPageOptions {
  readonly dir: string
  readonly name?: string
  /** Where the sheet's corners land in the photo (top-left, top-right, bottom-right, bottom-left of the sheet). */
  readonly corners?: Quad
  readonly photoSize?: { readonly width: number; readonly height: number }
  readonly texture?: DeskTexture
  /** Gaussian blur σ in photo pixels (default 0.7: a phone's softness). */
  readonly blurSigma?: number
  /** A blown-out reflection of a lamp on the sheet. */
  readonly glare?: boolean
  /** Multiplies every level: 0.25 is a photo taken in a dim corner. */
  readonly exposure?: number
  readonly seed?: number
}

export interface PagePhoto {
  readonly photoPath: string
  readonly trueCorners: Quad
  readonly text: string
}

/** A tilted portrait sheet filling ~80 % of the photo's height, as a phone held above a desk sees it. */
export const DEFAULT_PHOTO_CORNERS: Quad = [
  { x: 905, y: 190 },
  { x: 2265, y: 260 },
  { x: 2390, y: 2080 },
  { x: 780, y: 2010 },
]

/** A JPEG photo of a printed page lying on a desk. */
export function makePagePhoto(options: PagePhotoOptions): PagePhoto {
  const name = options.name ?? 'page'
  const page = renderTextPage(join(options.dir, `${name}-sheet.png`), options)
  const { width, height } = options.photoSize ?? { width: 3000, height: 2250 }
  const corners = options.corners ?? DEFAULT_PHOTO_CORNERS
  const seed = String(options.seed ?? 7)
  const desk = deskTexture(options.texture ?? 'plasma', width, height)
  const mapping = [
    [0, 0],
    [page.width, 0],
    [page.width, page.height],
    [0, page.height],
  ].flatMap(([x, y], index) => [`${x},${y}`, `${corners[index]!.x},${corners[index]!.y}`]).join(' ')
  const glare = options.glare
    ? ['(', '-size', `${width}x${height}`, 'xc:none', '-fill', 'white', '-draw', `ellipse ${Math.round((corners[0].x + corners[2].x) / 2)},${Math.round((corners[0].y + corners[2].y) / 2)} ${Math.round(width * 0.09)},${Math.round(height * 0.07)} 0,360`, '-blur', '0x18', ')', '-compose', 'over', '-composite']
    : []
  const exposure = options.exposure === undefined ? [] : ['-evaluate', 'multiply', String(options.exposure)]
  const photoPath = join(options.dir, `${name}.jpg`)
  run('convert', [
    '-seed', seed, ...desk,
    '(', page.path, '-alpha', 'set', '-virtual-pixel', 'transparent', '-define', `distort:viewport=${width}x${height}+0+0`, '-distort', 'Perspective', mapping, ')',
    '-compose', 'over', '-composite',
    // Light falls off away from the lamp: a gentle shadow across the scene.
    '(', '-size', `${width}x${height}`, 'gradient:white-gray72', ')', '-compose', 'multiply', '-composite',
    ...glare,
    '-blur', `0x${options.blurSigma ?? 0.7}`,
    '-attenuate', '0.25', '+noise', 'Gaussian',
    ...exposure,
    '-quality', '92', photoPath,
  ])
  return { photoPath, trueCorners: corners, text: page.text }
}

function deskTexture(texture: DeskTexture, width: number, height: number): string[] {
  const size = ['-size', `${width}x${height}`]
  switch (texture) {
    case 'plasma':
      return [...size, 'plasma:peru-saddlebrown', '-blur', '0x2']
    case 'noise':
      return [...size, 'xc:gray45', '-attenuate', '2', '+noise', 'Random', '-blur', '0x1.5']
    case 'cluttered':
      // A wood-like desk with a pen, a blue folder and a sticky note around the sheet.
      return [
        ...size, 'plasma:tan-sienna', '-blur', '0x3',
        '-fill', 'navy', '-draw', `rectangle ${Math.round(width * 0.02)},${Math.round(height * 0.55)} ${Math.round(width * 0.22)},${Math.round(height * 0.98)}`,
        '-fill', 'gold', '-draw', `rectangle ${Math.round(width * 0.84)},${Math.round(height * 0.05)} ${Math.round(width * 0.97)},${Math.round(height * 0.22)}`,
        '-stroke', 'black', '-strokewidth', '18', '-draw', `line ${Math.round(width * 0.83)},${Math.round(height * 0.9)} ${Math.round(width * 0.98)},${Math.round(height * 0.55)}`,
        '-stroke', 'none',
      ]
  }
}

export interface ScanOptions extends TextPageOptions {
  readonly dir: string
  readonly name?: string
  /** Skew in degrees, clockwise, as a sheet laid crooked on the glass. */
  readonly skewDegrees?: number
  /**
   * A dark lid around the sheet, which the pipeline must crop off. Default: a white lid, cut at the crooked
   * sheet's extent as an auto-cropping scanner delivers it.
   */
  readonly darkBed?: boolean
}

/** A flat scan of the page at its dpi, skewed on the glass, as a JPEG. */
export function makeFlatScan(options: ScanOptions): { scanPath: string; text: string } {
  const name = options.name ?? 'scan'
  const page = renderTextPage(join(options.dir, `${name}-sheet.png`), options)
  const bed = options.darkBed ? 'gray20' : 'gray96'
  const scanPath = join(options.dir, `${name}.jpg`)
  run('convert', [
    page.path, '-background', bed, '-rotate', String(options.skewDegrees ?? 0),
    ...(options.darkBed ? ['-bordercolor', bed, '-border', '80'] : []),
    '-attenuate', '0.2', '+noise', 'Gaussian', '-quality', '92', scanPath,
  ])
  return { scanPath, text: page.text }
}
