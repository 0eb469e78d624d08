/**
 * Which way the text runs, from a bilevel page (ink 0, paper 255): the skew and quarter turn from projection
 * profiles (text lines make the profile across them spiky), upside down from the shape of the lines themselves.
 */
import type { Mat } from './opencv'

/** Ink samples are thinned to this many: the profile's peaks survive, the cost stays flat whatever the dpi. */
const MAX_INK_SAMPLES = 40_000

interface InkSamples {
  readonly xs: Float32Array
  readonly ys: Float32Array
  readonly count: number
  readonly width: number
  readonly height: number
}

function inkSamples(bilevel: Mat): InkSamples {
  const { cols: width, rows: height } = bilevel
  const data = bilevel.data
  let inkTotal = 0
  for (let index = 0; index < data.length; index++) if (data[index] === 0) inkTotal++
  const stride = Math.max(1, Math.ceil(inkTotal / MAX_INK_SAMPLES))
  const size = Math.ceil(inkTotal / stride)
  const xs = new Float32Array(size)
  const ys = new Float32Array(size)
  let seen = 0
  let count = 0
  for (let index = 0; index < data.length && count < size; index++) {
    if (data[index] !== 0) continue
    if (seen++ % stride !== 0) continue
    xs[count] = index % width
    ys[count] = Math.floor(index / width)
    count++
  }
  return { xs, ys, count, width, height }
}

/**
 * How spiky the ink's profile is across lines running at `degrees` (clockwise on screen, y down): the sum of
 * squared bin counts over the squared ink count.
 */
function profileSharpness(samples: InkSamples, degrees: number, binSize: number): number {
  const radians = (degrees * Math.PI) / 180
  const sin = Math.sin(radians)
  const cos = Math.cos(radians)
  const reach = samples.width + samples.height
  const bins = new Float64Array(Math.ceil((2 * reach) / binSize) + 1)
  for (let index = 0; index < samples.count; index++) {
    // Distance along the lines' normal; a line at `degrees` keeps it constant.
    const across = samples.ys[index]! * cos - samples.xs[index]! * sin
    bins[Math.floor((across + reach) / binSize)]!++
  }
  let sumOfSquares = 0
  for (const count of bins) sumOfSquares += count * count
  return samples.count === 0 ? 0 : sumOfSquares / (samples.count * samples.count)
}

export interface TextDirection {
  /** The text lines' angle in degrees, clockwise on screen, in [-90, 90): 0 level, ±90 running up or down the page. */
  readonly degrees: number
  /** How much spikier the best profile is than the one across it: below ~1.3 there is no clear text. */
  readonly strength: number
}

/**
 * The text lines' direction, searched over `range` degrees either side of each of `centres` (1° steps, then
 * 0.1° around the best). A scan searches ±30° around 0 and 90; a rectified photo ±3°.
 */
export function textDirection(bilevel: Mat, centres: readonly number[], range: number): TextDirection {
  const samples = inkSamples(bilevel)
  if (samples.count < 200) return { degrees: 0, strength: 0 }
  const binSize = Math.max(2, Math.round(Math.max(samples.width, samples.height) / 600))
  let best = { degrees: 0, score: -1 }
  const consider = (degrees: number): void => {
    const score = profileSharpness(samples, degrees, binSize)
    if (score > best.score) best = { degrees, score }
  }
  for (const centre of centres) for (let offset = -range; offset <= range; offset++) consider(centre + offset)
  const coarse = best.degrees
  for (let step = -10; step <= 10; step++) consider(coarse + step / 10)
  const across = profileSharpness(samples, best.degrees + 90, binSize)
  const degrees = ((((best.degrees + 90) % 180) + 180) % 180) - 90
  return { degrees: Math.round(degrees * 10) / 10, strength: across > 0 ? best.score / across : 0 }
}

/**
 * Whether level text lines are upside down. Two cues from Latin script, Vietnamese above all: a line carries more
 * ink above its x-height band than below it (capitals, ascenders and the tone marks over the vowels outnumber
 * g, p, q, y), and lines start at a straight left margin but end ragged. Positive: upright; negative: upside down.
 */
export function uprightness(bilevel: Mat): number {
  const { cols: width, rows: height } = bilevel
  const data = bilevel.data
  const rows = new Float64Array(height)
  for (let y = 0; y < height; y++) {
    let ink = 0
    const start = y * width
    for (let x = 0; x < width; x++) if (data[start + x] === 0) ink++
    rows[y] = ink
  }
  let aboveMinusBelow = 0
  let lineInk = 0
  const starts: number[] = []
  const ends: number[] = []
  const floor = Math.max(1, width * 0.002)
  for (let y = 0; y < height; ) {
    if (rows[y]! <= floor) {
      y++
      continue
    }
    const top = y
    while (y < height && rows[y]! > floor) y++
    const bottom = y - 1
    if (bottom - top < 4) continue
    let peak = 0
    for (let row = top; row <= bottom; row++) peak = Math.max(peak, rows[row]!)
    let coreTop = top
    while (rows[coreTop]! < 0.45 * peak) coreTop++
    let coreBottom = bottom
    while (rows[coreBottom]! < 0.45 * peak) coreBottom--
    for (let row = top; row < coreTop; row++) aboveMinusBelow += rows[row]!
    for (let row = coreBottom + 1; row <= bottom; row++) aboveMinusBelow -= rows[row]!
    for (let row = top; row <= bottom; row++) lineInk += rows[row]!
    const extent = lineExtent(data, width, top, bottom)
    if (extent !== undefined) {
      starts.push(extent.start)
      ends.push(width - 1 - extent.end)
    }
  }
  if (lineInk === 0) return 0
  const shapeCue = aboveMinusBelow / lineInk
  // The left margin is straighter than the right: compare the spread of line starts and of line ends.
  const marginCue = starts.length >= 4 ? Math.tanh((spread(ends) - spread(starts)) / Math.max(1, width * 0.05)) : 0
  return Math.tanh(shapeCue * 8) + 0.5 * marginCue
}

function lineExtent(data: Uint8Array, width: number, top: number, bottom: number): { start: number; end: number } | undefined {
  let start = width
  let end = -1
  for (let row = top; row <= bottom; row++) {
    const offset = row * width
    for (let x = 0; x < start; x++) if (data[offset + x] === 0) start = x
    for (let x = width - 1; x > end; x--) if (data[offset + x] === 0) end = x
  }
  return end < 0 ? undefined : { start, end }
}

/** Median absolute deviation from the median: lines that start anywhere spread wide, aligned ones do not. */
function spread(values: readonly number[]): number {
  const median = (list: number[]): number => {
    const sorted = [...list].sort((a, b) => a - b)
    return sorted[Math.floor(sorted.length / 2)] ?? 0
  }
  const centre = median([...values])
  return median(values.map((value) => Math.abs(value - centre)))
}
