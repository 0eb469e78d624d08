/**
 * How good a capture is, so the clerk can retake it at once: sharpness (variance of the Laplacian where there is
 * print), glare (blown-out, colourless blobs), darkness (the paper's own level) and resolution (source pixels per
 * output pixel).
 */
import { medianLevel } from './mats'
import { openCv, withMats, type Mat } from './opencv'
import type { PageQuality, QualityWarning } from './types'

/** Sharpness is measured at this resolution, so 200 and 300 dpi pages and any photo size compare alike. */
const SHARPNESS_DPI = 100
/** Variance of the Laplacian in print at 100 dpi: crisp print scores 20 000 and more, a 0.4 mm blur about 3000. */
export const BLURRY_BELOW = 5000
/** A share of the page blown out to white: above it, a reflection hides print. */
export const GLARE_ABOVE = 0.004
/** A level this high in every channel is blown out: a reflection, not paper (a photo's paper stays below ~240). */
const BLOWN_OUT = 251
/** The paper's median level (0..255) below which a photo is too dark to read reliably. */
const DARK_BELOW = 90
/** Source pixels per output pixel below which the page was too far away or too small in the frame. */
const LOW_RESOLUTION_BELOW = 0.55

export interface QualityInputs {
  /** The rectified page as lit, before flattening (RGB, or grey for grey and black-and-white pages). */
  readonly rectified: Mat
  /** The rectified page after flattening (grey). */
  readonly flatGray: Mat
  readonly dpi: number
  /** Source pixels per output pixel along the page. */
  readonly sourceScale: number
  readonly pageFound: boolean
  readonly blank: boolean
  /** A flatbed lights the sheet evenly: its white paper is not glare, so scans skip that test. */
  readonly photo: boolean
}

export function assessQuality(inputs: QualityInputs): PageQuality {
  const sharpness = measureSharpness(inputs.flatGray, inputs.dpi)
  const glareShare = inputs.photo ? measureGlare(inputs.rectified) : 0
  const paperLevel = medianLevel(inputs.rectified)
  const warnings: QualityWarning[] = []
  if (!inputs.pageFound) warnings.push('noPageFound')
  if (!inputs.blank && sharpness < BLURRY_BELOW) warnings.push('blurry')
  if (glareShare > GLARE_ABOVE) warnings.push('glare')
  if (paperLevel < DARK_BELOW) warnings.push('tooDark')
  if (inputs.sourceScale < LOW_RESOLUTION_BELOW) warnings.push('lowResolution')
  const sharpnessScore = inputs.blank ? 1 : Math.min(1, sharpness / (2 * BLURRY_BELOW))
  const glareScore = 1 - Math.min(1, glareShare / (4 * GLARE_ABOVE))
  const lightScore = Math.min(1, paperLevel / (1.5 * DARK_BELOW))
  const resolutionScore = Math.min(1, inputs.sourceScale / (1.5 * LOW_RESOLUTION_BELOW))
  const score = (0.4 * sharpnessScore + 0.2 * glareScore + 0.2 * lightScore + 0.2 * resolutionScore) * (inputs.pageFound ? 1 : 0.6)
  return { score: Math.round(score * 1000) / 1000, sharpness: Math.round(sharpness), glareShare: Math.round(glareShare * 10000) / 10000, warnings }
}

/**
 * The 90th percentile, over 16 mm tiles that hold print, of the Laplacian's variance at 100 dpi. Tile means of
 * x and x² come from area-averaging resizes, so no tile is visited one by one.
 */
function measureSharpness(flatGray: Mat, dpi: number): number {
  const cv = openCv()
  return withMats((keep) => {
    const factor = SHARPNESS_DPI / dpi
    const small = keep(new cv.Mat())
    cv.resize(flatGray, small, new cv.Size(Math.round(flatGray.cols * factor), Math.round(flatGray.rows * factor)), 0, 0, cv.INTER_AREA)
    const tile = 64
    const tiles = new cv.Size(Math.floor(small.cols / tile), Math.floor(small.rows / tile))
    if (tiles.width === 0 || tiles.height === 0) return 0
    const covered = keep(small.roi(new cv.Rect(0, 0, tiles.width * tile, tiles.height * tile)))
    const levels = keep(new cv.Mat())
    covered.convertTo(levels, cv.CV_32F)
    const laplacian = keep(new cv.Mat())
    cv.Laplacian(levels, laplacian, cv.CV_32F, 3)
    const tileVariance = (values: Mat): Float32Array => {
      const squares = keep(new cv.Mat())
      cv.multiply(values, values, squares)
      const mean = keep(new cv.Mat())
      const meanOfSquares = keep(new cv.Mat())
      cv.resize(values, mean, tiles, 0, 0, cv.INTER_AREA)
      cv.resize(squares, meanOfSquares, tiles, 0, 0, cv.INTER_AREA)
      return meanOfSquares.data32F.map((square, index) => square - mean.data32F[index]! ** 2)
    }
    const content = tileVariance(levels)
    const sharpness = tileVariance(laplacian)
    const variances = [...sharpness].filter((_, index) => content[index]! >= 25 * 25).sort((a, b) => a - b)
    return variances.length === 0 ? 0 : variances[Math.floor(variances.length * 0.9)]!
  })
}

/** The share of the page in blobs (≥ ~1 mm) of saturated, colourless pixels. */
function measureGlare(rgb: Mat): number {
  const cv = openCv()
  return withMats((keep) => {
    const factor = 0.25
    const small = keep(new cv.Mat())
    cv.resize(rgb, small, new cv.Size(Math.round(rgb.cols * factor), Math.round(rgb.rows * factor)), 0, 0, cv.INTER_AREA)
    const blown = keep(new cv.Mat())
    cv.inRange(small, keep(new cv.Mat(small.rows, small.cols, small.type(), new cv.Scalar(BLOWN_OUT, BLOWN_OUT, BLOWN_OUT, 0))), keep(new cv.Mat(small.rows, small.cols, small.type(), new cv.Scalar(255, 255, 255, 255))), blown)
    cv.morphologyEx(blown, blown, cv.MORPH_OPEN, keep(cv.getStructuringElement(cv.MORPH_ELLIPSE, new cv.Size(5, 5))))
    return cv.countNonZero(blown) / (blown.rows * blown.cols)
  })
}
