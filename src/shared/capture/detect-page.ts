/**
 * Finding the page in a photo: the quad of a bright sheet on a cluttered or textured background. Two searches
 * on a 640 px copy, edges first and brightness/colour segmentation second; every four-cornered candidate is
 * scored on how page-like it is and the best one wins.
 */
import { interiorAngles, orderCorners, scaleQuad, signedArea } from './geometry'
import { openCv, withMats, type Mat } from './opencv'
import { rgbaToMat } from './mats'
import type { Point, Quad, RgbaImage } from './types'

export interface PageDetection {
  readonly corners?: Quad
  /** 0..1: how sure the detector is that `corners` outline a sheet of paper. */
  readonly confidence: number
}

/** Long side of the working copy: fast enough for a live outline, fine enough for a 1 % corner error. */
const DETECTION_SIDE = 640
/** A page is at least this share of the frame; smaller quads are labels, screens or text blocks. */
const MIN_AREA_SHARE = 0.12
/** Below this the detector reports no page rather than a guess. */
const MIN_CONFIDENCE = 0.35

/** The page in an RGBA frame (a camera frame in the browser, a decoded photo in Node). */
export function detectPage(image: RgbaImage): PageDetection {
  return withMats((keep) => detectPageInMat(keep(rgbaToMat(image))))
}

/** As detectPage, on an RGBA or RGB Mat already on the opencv heap. */
export function detectPageInMat(source: Mat): PageDetection {
  const cv = openCv()
  return withMats((keep) => {
    const scale = Math.min(1, DETECTION_SIDE / Math.max(source.cols, source.rows))
    const small = keep(new cv.Mat())
    cv.resize(source, small, new cv.Size(Math.round(source.cols * scale), Math.round(source.rows * scale)), 0, 0, cv.INTER_AREA)
    let rgb = small
    if (small.channels() === 4) {
      rgb = keep(new cv.Mat())
      cv.cvtColor(small, rgb, cv.COLOR_RGBA2RGB)
    }
    const gray = keep(new cv.Mat())
    cv.cvtColor(rgb, gray, cv.COLOR_RGB2GRAY)
    // Closing wipes dark print off the bright sheet so its inside is flat and only its rim has edges.
    const smooth = keep(new cv.Mat())
    cv.GaussianBlur(gray, smooth, new cv.Size(5, 5), 0)
    const kernel = keep(cv.getStructuringElement(cv.MORPH_RECT, new cv.Size(9, 9)))
    cv.morphologyEx(smooth, smooth, cv.MORPH_CLOSE, kernel)

    const candidates = [...edgeCandidates(smooth), ...brightnessCandidates(rgb, smooth)]
    let best: { quad: Quad; confidence: number } | undefined
    for (const quad of candidates) {
      const confidence = scoreQuad(quad, smooth)
      if (confidence > (best?.confidence ?? 0)) best = { quad, confidence }
    }
    if (best === undefined || best.confidence < MIN_CONFIDENCE) return { confidence: best?.confidence ?? 0 }
    return { corners: scaleQuad(best.quad, 1 / scale), confidence: best.confidence }
  })
}

/** Canny at two sensitivities on the print-free image: a faint rim on a light desk, a clear one on a busy desk. */
function edgeCandidates(smooth: Mat): Quad[] {
  const cv = openCv()
  return withMats((keep) =>
    [
      [20, 60],
      [40, 120],
    ].flatMap(([low, high]) => {
      const edges = keep(new cv.Mat())
      cv.Canny(smooth, edges, low!, high!)
      cv.dilate(edges, edges, keep(cv.getStructuringElement(cv.MORPH_RECT, new cv.Size(3, 3))))
      return quadsFromContours(edges)
    }),
  )
}

/** A sheet is brighter and less saturated than a desk, a cloth or a wood grain: Otsu on brightness minus chroma. */
function brightnessCandidates(rgb: Mat, smooth: Mat): Quad[] {
  const cv = openCv()
  return withMats((keep) => {
    const hsv = keep(new cv.Mat())
    cv.cvtColor(rgb, hsv, cv.COLOR_RGB2HSV)
    const channels = keep(new cv.MatVector())
    cv.split(hsv, channels)
    const saturation = keep(channels.get(1))
    cv.GaussianBlur(saturation, saturation, new cv.Size(5, 5), 0)
    const paperness = keep(new cv.Mat())
    cv.subtract(smooth, saturation, paperness)
    const mask = keep(new cv.Mat())
    cv.threshold(paperness, mask, 0, 255, cv.THRESH_BINARY + cv.THRESH_OTSU)
    const kernel = keep(cv.getStructuringElement(cv.MORPH_RECT, new cv.Size(7, 7)))
    cv.morphologyEx(mask, mask, cv.MORPH_OPEN, kernel)
    cv.morphologyEx(mask, mask, cv.MORPH_CLOSE, kernel)
    return quadsFromContours(mask)
  })
}

/**
 * Four-cornered simplifications of the convex hulls of the largest outer contours. Hulls, not contours: a sheet's
 * rim often comes out of Canny with a gap (a faint edge against a light desk), and the hull closes it.
 */
function quadsFromContours(binary: Mat): Quad[] {
  const cv = openCv()
  return withMats((keep) => {
    const contours = keep(new cv.MatVector())
    const hierarchy = keep(new cv.Mat())
    cv.findContours(binary, contours, hierarchy, cv.RETR_EXTERNAL, cv.CHAIN_APPROX_SIMPLE)
    const frameArea = binary.rows * binary.cols
    const large: { hull: Mat; area: number }[] = []
    for (let index = 0; index < contours.size(); index++) {
      const hull = keep(new cv.Mat())
      cv.convexHull(keep(contours.get(index)), hull, false, true)
      const area = cv.contourArea(hull)
      if (area >= MIN_AREA_SHARE * frameArea) large.push({ hull, area })
    }
    large.sort((a, b) => b.area - a.area)
    const quads: Quad[] = []
    for (const { hull } of large.slice(0, 5)) {
      const perimeter = cv.arcLength(hull, true)
      for (const tolerance of [0.02, 0.035, 0.05, 0.08]) {
        const approximation = keep(new cv.Mat())
        cv.approxPolyDP(hull, approximation, tolerance * perimeter, true)
        if (approximation.rows === 4) {
          const points: Point[] = []
          for (let corner = 0; corner < 4; corner++) points.push({ x: approximation.data32S[corner * 2]!, y: approximation.data32S[corner * 2 + 1]! })
          quads.push(orderCorners(points))
          break
        }
      }
    }
    return quads
  })
}

/** Size, right angles, a paper-like aspect and a sheet brighter than what surrounds it. */
function scoreQuad(quad: Quad, smooth: Mat): number {
  const cv = openCv()
  const frameArea = smooth.rows * smooth.cols
  const areaShare = Math.abs(signedArea(quad)) / frameArea
  if (areaShare < MIN_AREA_SHARE) return 0
  const angles = interiorAngles(quad)
  const worstAngle = Math.max(...angles.map((angle) => Math.abs(angle - 90)))
  if (worstAngle > 40) return 0
  const sides = quad.map((corner, index) => Math.hypot(corner.x - quad[(index + 1) % 4]!.x, corner.y - quad[(index + 1) % 4]!.y))
  const width = (sides[0]! + sides[2]!) / 2
  const height = (sides[1]! + sides[3]!) / 2
  const aspect = Math.max(width, height) / Math.max(1, Math.min(width, height))
  if (aspect > 2.6) return 0
  const contrast = withMats((keep) => {
    const inside = keep(cv.Mat.zeros(smooth.rows, smooth.cols, cv.CV_8UC1))
    const polygon = keep(cv.matFromArray(4, 1, cv.CV_32SC2, quad.flatMap((p) => [Math.round(p.x), Math.round(p.y)])))
    const polygons = keep(new cv.MatVector())
    polygons.push_back(polygon)
    cv.fillPoly(inside, polygons, new cv.Scalar(255))
    const grown = keep(new cv.Mat())
    const ring = Math.max(5, Math.round(Math.sqrt(frameArea) * 0.04))
    cv.dilate(inside, grown, keep(cv.getStructuringElement(cv.MORPH_RECT, new cv.Size(ring, ring))))
    const outside = keep(new cv.Mat())
    cv.subtract(grown, inside, outside)
    const insideMean = cv.mean(smooth, inside)[0]!
    // A page that fills the frame has no ring left: judge it on its own brightness.
    const outsideMean = cv.countNonZero(outside) > 0 ? cv.mean(smooth, outside)[0]! : 0
    return (insideMean - outsideMean) / 255
  })
  if (contrast <= 0.02) return 0
  const contrastScore = Math.min(1, contrast / 0.2)
  const angleScore = 1 - worstAngle / 40
  const aspectScore = aspect < 1.05 ? 0.6 : aspect <= 1.9 ? 1 : 1 - (aspect - 1.9) / 0.7
  const sizeScore = Math.min(1, areaShare / 0.3) * (areaShare > 0.97 ? 0.5 : 1)
  return 0.4 * contrastScore + 0.25 * angleScore + 0.15 * aspectScore + 0.2 * sizeScore
}
