import {
  BarcodeFormat,
  type Binarizer,
  BinaryBitmap,
  Code128Reader,
  DecodeHintType,
  Exception as ZxingException,
  GlobalHistogramBinarizer,
  HybridBinarizer,
  type LuminanceSource,
  PDF417Reader,
  QRCodeReader,
  type Reader,
  type Result,
  RGBLuminanceSource,
} from '@zxing/library'

export type CodeFormat = 'QR_CODE' | 'PDF_417' | 'CODE_128'

export interface Point {
  readonly x: number
  readonly y: number
}

export interface DecodedCode {
  readonly text: string
  readonly format: CodeFormat
  /**
   * Where zxing located the code, in the frame's pixels: the three finder-pattern centres (and the
   * alignment pattern when found) for a QR, the vertices for a PDF417, the two ends of the scan line for a Code 128.
   */
  readonly corners: readonly Point[]
}

/** One grey level per pixel, row by row, as a camera's Y plane or sharp's one-channel raw output. */
export interface LuminanceFrame {
  readonly data: Uint8ClampedArray | Uint8Array
  readonly width: number
  readonly height: number
}

export interface DecodeOptions {
  /**
   * Stop after this many codes (default 4). A camera loop passes 1: proving that a frame holds no further
   * code costs a whole failed search, several times the cost of finding the first.
   */
  readonly maxCodes?: number
}

export class DecodeFrameError extends Error {
  readonly code = 'frameSizeMismatch'

  constructor(message: string) {
    super(message)
    this.name = 'DecodeFrameError'
  }
}

/** A counter never sees more codes on one picture; this bounds the work on odd images. */
const DEFAULT_MAX_CODES = 4
/**
 * Frames at least this big get a second look at half size, where noise and blur shrink and zxing's finder
 * sees a QR it missed at full size (seen with a version-8 QR turned 10°). Below it the modules get too small.
 */
const MIN_SIDE_TO_HALVE = 300
/** Margin around a found code, as a share of its size, blanked so the next search finds another one. */
const BLANK_MARGIN = 0.2
const WHITE = 255

interface Attempt {
  readonly reader: Reader
  readonly hints: ReadonlyMap<DecodeHintType, unknown>
}

const QR_CODE: Attempt = {
  reader: new QRCodeReader(),
  hints: new Map<DecodeHintType, unknown>([
    [DecodeHintType.TRY_HARDER, true],
    // Byte-mode QRs rarely carry an ECI; without this zxing guesses ISO-8859-1 or Shift_JIS and garbles Vietnamese.
    [DecodeHintType.CHARACTER_SET, 'UTF-8'],
  ]),
}
/**
 * A picture that is nothing but the code (a generated QR, a scan of a clean print): read by its bounding box.
 * zxing's finder-pattern detector misses some clean symbols at 6 px per module and above (seen with a
 * version-11 seal); the pure read fails at once on anything else, so it costs little as a last attempt.
 */
const QR_CODE_PURE: Attempt = { reader: new QRCodeReader(), hints: new Map<DecodeHintType, unknown>([...QR_CODE.hints, [DecodeHintType.PURE_BARCODE, true]]) }
const PDF_417: Attempt = { reader: new PDF417Reader(), hints: new Map([[DecodeHintType.TRY_HARDER, true]]) }
// Without TRY_HARDER the row scan reads 15 rows about the middle; with it, every other row, at 25 times the cost.
const CODE_128: Attempt = { reader: new Code128Reader(), hints: new Map() }

type Binarize = (source: LuminanceSource) => Binarizer
// Hybrid copes with uneven light across a camera frame; the global histogram with noise and small codes.
const hybrid: Binarize = (source) => new HybridBinarizer(source)
const globalHistogram: Binarize = (source) => new GlobalHistogramBinarizer(source)

/** How a view of the frame maps its pixels back to the frame's, and what to look for in it. */
interface View {
  readonly frame: LuminanceFrame
  readonly toFramePoint: (point: Point) => Point
  readonly passes: readonly (readonly [Binarize, readonly Attempt[]])[]
}

/**
 * Every QR, PDF417 and Code 128 found in a grey frame, in the order found; [] when there is none.
 * Pure and synchronous, so it runs in a Web Worker on camera frames as well as in Node on image files.
 */
export function decodeFrame(frame: LuminanceFrame, options: DecodeOptions = {}): DecodedCode[] {
  if (frame.width < 1 || frame.height < 1 || frame.data.length !== frame.width * frame.height) {
    throw new DecodeFrameError(`A ${frame.width}×${frame.height} frame needs ${frame.width * frame.height} luminance bytes, got ${frame.data.length}`)
  }
  const maxCodes = options.maxCodes ?? DEFAULT_MAX_CODES
  const codes: DecodedCode[] = []
  let searched: LuminanceFrame | null = frame
  while (searched && codes.length < maxCodes) {
    const found = findOne(searched)
    // A code blanked incompletely is found again: stop rather than loop.
    if (!found || codes.some((code) => code.text === found.text && code.format === found.format)) break
    codes.push(found)
    searched = withCodeBlanked(searched, found)
  }
  return codes
}

function findOne(frame: LuminanceFrame): DecodedCode | null {
  for (const view of viewsOf(frame)) {
    const source = new RGBLuminanceSource(view.frame.data as Uint8ClampedArray, view.frame.width, view.frame.height)
    for (const [binarize, attempts] of view.passes) {
      const bitmap = new BinaryBitmap(binarize(source))
      for (const attempt of attempts) {
        const result = decodeOrNull(attempt, bitmap)
        if (result) return codeOf(result, view)
      }
    }
  }
  return null
}

/**
 * The frame as it is, then halved unless small, then smoothed (sensor noise on a blurred code breaks the
 * binarizers' edges; seen with blur σ 1.5 px under noise σ 6), then in overlapping halves (zxing's QR
 * detector picks three finder patterns among all it sees, and fails when two QRs offer six), then turned a quarter for the readers that scan rows only
 * (a QR is found at any angle). Code 128 reads rows through the global-histogram row threshold whichever
 * binarizer wraps it, so it runs once per view.
 */
function* viewsOf(frame: LuminanceFrame): Generator<View> {
  yield {
    frame,
    toFramePoint: (point) => point,
    passes: [
      [hybrid, [QR_CODE, PDF_417, CODE_128, QR_CODE_PURE]],
      [globalHistogram, [QR_CODE, PDF_417]],
    ],
  }
  if (Math.min(frame.width, frame.height) >= MIN_SIDE_TO_HALVE) {
    yield {
      frame: halved(frame),
      toFramePoint: ({ x, y }) => ({ x: x * 2, y: y * 2 }),
      passes: [
        [hybrid, [QR_CODE, PDF_417]],
        [globalHistogram, [QR_CODE, PDF_417]],
      ],
    }
  }
  yield {
    frame: smoothed(frame),
    toFramePoint: (point) => point,
    passes: [
      [hybrid, [QR_CODE, PDF_417]],
      [globalHistogram, [QR_CODE, PDF_417]],
    ],
  }
  for (const area of overlappingHalves(frame)) {
    yield {
      frame: cropped(frame, area),
      toFramePoint: ({ x, y }) => ({ x: x + area.left, y: y + area.top }),
      passes: [[hybrid, [QR_CODE]]],
    }
  }
  yield {
    frame: turnedClockwise(frame),
    toFramePoint: ({ x, y }) => ({ x: y, y: frame.height - 1 - x }),
    passes: [
      [hybrid, [PDF_417, CODE_128]],
      [globalHistogram, [PDF_417]],
    ],
  }
}

function decodeOrNull({ reader, hints }: Attempt, bitmap: BinaryBitmap): Result | null {
  try {
    return reader.decode(bitmap, hints as Map<DecodeHintType, unknown>)
  } catch (error) {
    // zxing reports "no readable code here" with its own exceptions (NotFound, Checksum, Format...).
    if (error instanceof ZxingException) return null
    throw error
  } finally {
    reader.reset()
  }
}

function codeOf(result: Result, view: View): DecodedCode {
  const format = BarcodeFormat[result.getBarcodeFormat()] as CodeFormat
  const corners = (result.getResultPoints() ?? [])
    // PDF417 leaves vertices it could not locate as null.
    .filter((point) => point !== null && point !== undefined)
    .map((point) => view.toFramePoint({ x: point.getX(), y: point.getY() }))
  return { text: result.getText(), format, corners }
}

/** Box-filtered half-size copy: averaging 2×2 pixels also smooths sensor noise. */
function halved(frame: LuminanceFrame): LuminanceFrame {
  const width = frame.width >> 1
  const height = frame.height >> 1
  const data = new Uint8ClampedArray(width * height)
  const source = frame.data
  for (let y = 0; y < height; y++) {
    const top = 2 * y * frame.width
    const bottom = top + frame.width
    for (let x = 0; x < width; x++) {
      const left = 2 * x
      data[y * width + x] = (source[top + left]! + source[top + left + 1]! + source[bottom + left]! + source[bottom + left + 1]! + 2) >> 2
    }
  }
  return { data, width, height }
}

interface Area {
  readonly left: number
  readonly top: number
  readonly width: number
  readonly height: number
}

/** Left, right, top and bottom 60% of the frame, so a code on the middle line is whole in one of them. */
function overlappingHalves({ width, height }: LuminanceFrame): Area[] {
  const partWidth = Math.ceil(width * 0.6)
  const partHeight = Math.ceil(height * 0.6)
  return [
    { left: 0, top: 0, width: partWidth, height },
    { left: width - partWidth, top: 0, width: partWidth, height },
    { left: 0, top: 0, width, height: partHeight },
    { left: 0, top: height - partHeight, width, height: partHeight },
  ]
}

function cropped(frame: LuminanceFrame, area: Area): LuminanceFrame {
  const data = new Uint8ClampedArray(area.width * area.height)
  for (let y = 0; y < area.height; y++) {
    const start = (area.top + y) * frame.width + area.left
    data.set(frame.data.subarray(start, start + area.width), y * area.width)
  }
  return { data, width: area.width, height: area.height }
}

/** 3×3 box blur, edges clamped (a Uint8ClampedArray rounds on assignment). */
function smoothed(frame: LuminanceFrame): LuminanceFrame {
  const { width, height } = frame
  const rows = new Uint16Array(width * height)
  for (let y = 0; y < height; y++) {
    const row = y * width
    for (let x = 0; x < width; x++) {
      rows[row + x] = frame.data[row + Math.max(0, x - 1)]! + frame.data[row + x]! + frame.data[row + Math.min(width - 1, x + 1)]!
    }
  }
  const data = new Uint8ClampedArray(width * height)
  for (let y = 0; y < height; y++) {
    const above = Math.max(0, y - 1) * width
    const below = Math.min(height - 1, y + 1) * width
    for (let x = 0; x < width; x++) data[y * width + x] = (rows[above + x]! + rows[y * width + x]! + rows[below + x]!) / 9
  }
  return { data, width, height }
}

function turnedClockwise(frame: LuminanceFrame): LuminanceFrame {
  const { width, height } = frame
  const data = new Uint8ClampedArray(width * height)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data[x * height + (height - 1 - y)] = frame.data[y * width + x]!
  }
  return { data, width: height, height: width }
}

/** A copy with the code's area painted white, or null when zxing gave no points to find that area by. */
function withCodeBlanked(frame: LuminanceFrame, code: DecodedCode): LuminanceFrame | null {
  const [bottomLeft, topLeft, topRight] = code.corners
  if (!bottomLeft) return null
  // A QR's finder centres imply its fourth corner, the one without a finder.
  const points =
    code.format === 'QR_CODE' && topLeft && topRight
      ? [...code.corners, { x: bottomLeft.x + topRight.x - topLeft.x, y: bottomLeft.y + topRight.y - topLeft.y }]
      : code.corners
  const xs = points.map((point) => point.x)
  const ys = points.map((point) => point.y)
  const size = Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys))
  // A 1D code's two points lie on one row: blank a band as high as a fifth of its length each side.
  const margin = size * BLANK_MARGIN + 4
  const left = Math.max(0, Math.floor(Math.min(...xs) - margin))
  const right = Math.min(frame.width - 1, Math.ceil(Math.max(...xs) + margin))
  const top = Math.max(0, Math.floor(Math.min(...ys) - margin))
  const bottom = Math.min(frame.height - 1, Math.ceil(Math.max(...ys) + margin))
  const data = Uint8ClampedArray.from(frame.data)
  for (let y = top; y <= bottom; y++) data.fill(WHITE, y * frame.width + left, y * frame.width + right + 1)
  return { data, width: frame.width, height: frame.height }
}
