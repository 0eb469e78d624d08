import type { Point, Quad } from './types'

/** ISO 216 A4. */
export const A4_MM = { short: 210, long: 297 } as const
export const A4_INCHES = { short: A4_MM.short / 25.4, long: A4_MM.long / 25.4 } as const

/** A 600 dpi A4 scan is ~35 MP and a phone's full-resolution photo ~50 MP; beyond is a mistake or a decompression bomb. */
export const MAX_INPUT_PIXELS = 64_000_000

/** A4 at `dpi` in whole pixels (200 dpi: 1654 × 2339), portrait or landscape. */
export function a4Pixels(dpi: number, landscape: boolean): { width: number; height: number } {
  const short = Math.round(A4_INCHES.short * dpi)
  const long = Math.round(A4_INCHES.long * dpi)
  return landscape ? { width: long, height: short } : { width: short, height: long }
}

export const A4_ASPECT = A4_INCHES.long / A4_INCHES.short

const distance = (a: Point, b: Point): number => Math.hypot(a.x - b.x, a.y - b.y)

/** The quad's mean width (top and bottom edges) and mean height (left and right edges). */
export function quadSize(quad: Quad): { width: number; height: number } {
  const [topLeft, topRight, bottomRight, bottomLeft] = quad
  return {
    width: (distance(topLeft, topRight) + distance(bottomLeft, bottomRight)) / 2,
    height: (distance(topLeft, bottomLeft) + distance(topRight, bottomRight)) / 2,
  }
}

/** Shoelace area; positive when the corners run clockwise on screen (y down). */
export function signedArea(points: readonly Point[]): number {
  let twiceArea = 0
  for (let index = 0; index < points.length; index++) {
    const a = points[index]!
    const b = points[(index + 1) % points.length]!
    twiceArea += a.x * b.y - b.x * a.y
  }
  return twiceArea / 2
}

/** Four corners in any order as top-left, top-right, bottom-right, bottom-left (clockwise on screen). */
export function orderCorners(points: readonly Point[]): Quad {
  if (points.length !== 4) throw new RangeError(`a quad has 4 corners, not ${points.length}`)
  const centre = { x: points.reduce((sum, p) => sum + p.x, 0) / 4, y: points.reduce((sum, p) => sum + p.y, 0) / 4 }
  const clockwise = [...points].sort((a, b) => Math.atan2(a.y - centre.y, a.x - centre.x) - Math.atan2(b.y - centre.y, b.x - centre.x))
  let start = 0
  clockwise.forEach((point, index) => {
    if (point.x + point.y < clockwise[start]!.x + clockwise[start]!.y) start = index
  })
  const ordered = [0, 1, 2, 3].map((step) => clockwise[(start + step) % 4]!)
  return [ordered[0]!, ordered[1]!, ordered[2]!, ordered[3]!]
}

/** Every interior angle in degrees (corners in order). */
export function interiorAngles(quad: Quad): number[] {
  return quad.map((corner, index) => {
    const previous = quad[(index + 3) % 4]!
    const next = quad[(index + 1) % 4]!
    const a = Math.atan2(previous.y - corner.y, previous.x - corner.x)
    const b = Math.atan2(next.y - corner.y, next.x - corner.x)
    const degrees = Math.abs(((b - a) * 180) / Math.PI) % 360
    return degrees > 180 ? 360 - degrees : degrees
  })
}

export const scaleQuad = (quad: Quad, factor: number): Quad => quad.map((p) => ({ x: p.x * factor, y: p.y * factor })) as unknown as Quad
