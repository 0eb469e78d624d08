/**
 * Test pictures of codes, made by tools independent of the decoder: `qrencode` encodes, ImageMagick's
 * `convert` distorts. A missing tool fails the test that needs it, loudly: these tests never skip.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readLuminance } from '../../src/main/services/scan/image-file'
import type { LuminanceFrame } from '../../src/shared/scan/decode-frame'

/** An invented woman born 1995 in Đà Nẵng (048); digit 4 of the ID is 1 for a woman born in the 1900s. */
export const CARD_QR = '048195001234||Nguyễn Thị Hồng Nhung|12031995|Nữ|Số 12 Lê Duẩn, Phường Hải Châu, Thành phố Đà Nẵng|15082021'

/** Plain Vietnamese text: every tone mark, đ/Đ, and a non-Latin-1 dash, which a wrong charset guess garbles. */
export const VIETNAMESE_TEXT = 'Phiếu hẹn trả kết quả – Bộ phận Một cửa phường Hải Châu: ông Đặng Quốc Tuấn, thứ Sáu 15/08/2025 lúc 14 giờ 30'

export function run(tool: string, args: readonly string[]): void {
  try {
    execFileSync(tool, args, { stdio: ['ignore', 'ignore', 'pipe'] })
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: Buffer }
    if (failure.code === 'ENOENT') throw new Error(`${tool} is not installed; these tests need it (Debian: apt-get install ${tool === 'convert' ? 'imagemagick' : tool})`)
    throw new Error(`${tool} ${args.join(' ')} failed: ${failure.stderr?.toString() ?? failure.message}`)
  }
}

/** A QR of `payload` in byte mode (UTF-8, no ECI, as most encoders write it) with a 4-module quiet zone. */
export function encodeQr(payload: string, path: string, options: { moduleSize?: number; extraArgs?: readonly string[] } = {}): string {
  run('qrencode', ['-o', path, '-s', String(options.moduleSize ?? 6), '-m', '4', '-l', 'M', ...(options.extraArgs ?? []), payload])
  return path
}

/** Runs `convert input ...operations output`. */
export function convert(input: string, operations: readonly string[], output: string): string {
  run('convert', [input, ...operations, output])
  return output
}

/** A code pasted into a 1280×720 picture lit unevenly, with a webcam's sensor noise (σ ≈ 6 grey levels) over it all. */
export function inCameraFrame(input: string, output: string, at: { x: number; y: number }): string {
  run('convert', [
    '-size', '1280x720', 'gradient:gray70-gray25', input, '-geometry', `+${at.x}+${at.y}`, '-composite',
    '-attenuate', '0.3', '+noise', 'Gaussian', '-colorspace', 'Gray',
    output,
  ])
  return output
}

export interface Distortion {
  readonly name: string
  /** ImageMagick operations on a QR drawn at 6 pixels per module, 318 pixels across for the card QR. */
  readonly operations: readonly string[]
  /** False where zxing cannot read the code once a webcam's noise is added on top (named in the tests' notes). */
  readonly inCameraFrame: boolean
}

const PERSPECTIVE_CORNERS = '0,0 40,25  317,0 285,0  0,317 0,317  317,317 300,290'

/** The distortions every code must survive; the limits zxing could not pass are in the tests' notes. */
export const DISTORTIONS: readonly Distortion[] = [
  { name: 'clean', operations: [], inCameraFrame: true },
  { name: 'rotated 10°', operations: ['-background', 'white', '-rotate', '10'], inCameraFrame: true },
  { name: 'rotated 30°', operations: ['-background', 'white', '-rotate', '30'], inCameraFrame: true },
  { name: 'perspective', operations: ['-virtual-pixel', 'white', '-distort', 'Perspective', PERSPECTIVE_CORNERS], inCameraFrame: true },
  { name: 'perspective and rotated 20°', operations: ['-virtual-pixel', 'white', '-distort', 'Perspective', PERSPECTIVE_CORNERS, '-background', 'white', '-rotate', '20'], inCameraFrame: true },
  { name: 'blurred σ 1.5 px', operations: ['-blur', '0x1.5'], inCameraFrame: true },
  // σ 2.5 px is 0.4 of a module; at σ 3 (half a module) zxing reads nothing, nor at σ 2.5 under camera noise.
  { name: 'blurred σ 2.5 px', operations: ['-blur', '0x2.5'], inCameraFrame: false },
  { name: 'low contrast 30%', operations: ['+level', '35%,65%'], inCameraFrame: true },
  { name: 'low contrast 16%', operations: ['+level', '42%,58%'], inCameraFrame: true },
  { name: 'grey, dark and low contrast', operations: ['+level', '10%,35%'], inCameraFrame: true },
  { name: 'gaussian noise', operations: ['-attenuate', '0.6', '+noise', 'Gaussian', '-colorspace', 'Gray'], inCameraFrame: true },
  { name: 'blur, noise and rotation', operations: ['-blur', '0x1', '-attenuate', '0.4', '+noise', 'Gaussian', '-colorspace', 'Gray', '-background', 'white', '-rotate', '15'], inCameraFrame: true },
  // Under camera noise (σ 6) 2.4 px per module is too few for zxing's finder.
  { name: 'small: 2.4 px per module', operations: ['-resize', '40%'], inCameraFrame: false },
  { name: 'JPEG quality 30', operations: ['-quality', '30'], inCameraFrame: true },
]

export interface DistortedImage {
  readonly name: string
  readonly payload: string
  readonly path: string
}

/** Every payload under every distortion, alone and (where readable) inside a 1280×720 camera frame, written to `dir`. */
export function makeDistortedSet(dir: string, payloads: readonly string[]): DistortedImage[] {
  return payloads.flatMap((payload, payloadIndex) => {
    const clean = encodeQr(payload, join(dir, `qr-${payloadIndex}.png`))
    return DISTORTIONS.flatMap((distortion, index) => {
      const extension = distortion.name.startsWith('JPEG') ? 'jpg' : 'png'
      const alone = convert(clean, distortion.operations, join(dir, `qr-${payloadIndex}-${index}.${extension}`))
      if (!distortion.inCameraFrame) return [{ name: distortion.name, payload, path: alone }]
      const framed = inCameraFrame(alone, join(dir, `qr-${payloadIndex}-${index}-frame.${extension}`), cameraFramePosition(index))
      return [
        { name: distortion.name, payload, path: alone },
        { name: `${distortion.name}, in a 1280×720 camera frame`, payload, path: framed },
      ]
    })
  })
}

/** Where the code of the index-th distortion sits in its camera frame: the same in every test that uses the set. */
export function cameraFramePosition(distortionIndex: number): { x: number; y: number } {
  return { x: 60 + distortionIndex * 55, y: 20 + distortionIndex * 15 }
}

/** The benchmarks' frames: both payloads under every distortion a webcam can still show, in 1280×720 camera frames, as grey levels. */
export async function makeCameraFrames(): Promise<{ frame: LuminanceFrame; payload: string }[]> {
  const images = makeDistortedSet(mkdtempSync(join(tmpdir(), 'qr-bench-')), [CARD_QR, VIETNAMESE_TEXT]).filter((image) => image.name.includes('camera frame'))
  return Promise.all(images.map(async (image) => ({ frame: await readLuminance(image.path), payload: image.payload })))
}
