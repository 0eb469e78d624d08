/**
 * The page-image pipeline, pure and synchronous on opencv.js: a photo or a scan in, an upright, flat A4 page out
 * in colour, grey or black and white, with what was done to it and how good it is.
 */
import { detectPageInMat } from './detect-page'
import { binarize, flattenBackground, inkShare, isBlankInkShare } from './enhance'
import { A4_ASPECT, a4Pixels, orderCorners, quadSize, scaleQuad } from './geometry'
import { matPixels, medianLevel, rgbaToMat } from './mats'
import { openCv, withMats, type Mat } from './opencv'
import { assessQuality } from './quality'
import { textDirection, uprightness } from './text-lines'
import type { CaptureMode, GrayImage, PageQuality, PageSource, Point, Quad, RgbaImage } from './types'

export interface PageImageOptions {
  readonly mode: CaptureMode
  readonly dpi: 200 | 300
  readonly source: PageSource
  /** The page's corners in the source, when the clerk or the live detector already knows them (photo only). */
  readonly corners?: Quad
}

export interface PixelBuffer {
  readonly width: number
  readonly height: number
  /** 3 for colour (RGB), 1 for grey and for black and white (0 ink, 255 paper). */
  readonly channels: 1 | 3
  readonly data: Uint8Array
}

export interface PageImage {
  readonly page: PixelBuffer
  /** The flattened grey page, for OCR. */
  readonly ocrGray: GrayImage
  /** Clockwise quarter turns applied to make the text upright. */
  readonly rotation: 0 | 90 | 180 | 270
  /** The skew removed from a scan, degrees clockwise (how crooked the sheet lay on the glass). */
  readonly deskewDegrees: number
  readonly corners?: Quad
  readonly blank: boolean
  readonly quality: PageQuality
}

/** Text directions weaker than this (profile spikiness along vs across) are no text at all: leave the page as is. */
const CLEAR_TEXT = 1.3
/** A scan is deskewed up to this; beyond, a sheet is not "crooked" but turned, which the quarter turns handle. */
const MAX_SCAN_SKEW = 30
/** How far the measured skew may be off the sheet's true one: a sheet at exactly 30° may measure 30.4°. */
const SKEW_PRECISION = 0.5
/** A paper shape this close to A4's √2 is A4: stretch it exactly; other sizes keep their aspect. */
const A4_TOLERANCE = 0.06
/** Skew is measured on a copy this long: plenty for 0.1°, at a fraction of the cost. */
const SKEW_ANALYSIS_SIDE = 1400

export function processPageImage(image: RgbaImage, options: PageImageOptions): PageImage {
  const cv = openCv()
  return withMats((keep) => {
    const rgba = keep(rgbaToMat(image))
    const colour = keep(new cv.Mat())
    cv.cvtColor(rgba, colour, cv.COLOR_RGBA2RGB)
    // Grey and black-and-white pages are warped, flattened and judged on one channel: a third of the work.
    const pixels = options.mode === 'color' ? colour : keep(grayOf(colour))
    const rectifiedPage = rectify(colour, pixels, options)
    const rectified = keep(rectifiedPage.page)

    const flat = keep(flattenBackground(rectified))
    whitenRim(flat, options.dpi)
    const flatGray = options.mode === 'color' ? keep(grayOf(flat)) : flat
    const bilevel = keep(binarize(flatGray, options.dpi))
    const blank = isBlankInkShare(inkShare(bilevel))
    const rotation = blank ? 0 : uprightRotation(bilevel, rectifiedPage.quarterTurned)
    const quality = assessQuality({ rectified, flatGray, dpi: options.dpi, sourceScale: rectifiedPage.sourceScale, pageFound: rectifiedPage.pageFound, blank, photo: rectifiedPage.photo })

    const output = options.mode === 'bw' ? bilevel : flat
    const page = matPixels(keep(rotated(output, rotation)))
    const ocr = matPixels(keep(rotated(flatGray, rotation)))
    return {
      page: { ...page, channels: page.channels === 3 ? 3 : 1 },
      ocrGray: { width: ocr.width, height: ocr.height, data: ocr.data },
      rotation,
      deskewDegrees: rectifiedPage.deskewDegrees,
      ...(rectifiedPage.corners ? { corners: rectifiedPage.corners } : {}),
      blank,
      quality,
    }
  })
}

interface RectifiedPage {
  /** At A4 and the dpi, RGB or grey as the source given; the caller deletes it. */
  readonly page: Mat
  readonly corners?: Quad
  readonly pageFound: boolean
  readonly sourceScale: number
  readonly deskewDegrees: number
  /** For a scan, known already: the text runs up or down the sheet. Undefined: measure it on the page. */
  readonly quarterTurned?: boolean
  /** Taken as a photo (glare is a photo's problem, not a scanner's). */
  readonly photo: boolean
}

/** A found page whose every corner is this close to the picture's own (share of its diagonal) is the whole picture. */
const WHOLE_PICTURE = 0.02

/** A file of unknown origin is a photo when a page shows inside it; a page filling it is a scan (or a cropped photo). */
function rectify(colour: Mat, pixels: Mat, options: PageImageOptions): RectifiedPage {
  if (options.source === 'photo') return rectifyPhoto(colour, pixels, options)
  if (options.source === 'scan') return rectifyScan(pixels, options.dpi)
  const corners = options.corners ?? detectPageInMat(colour).corners
  const frame = wholeFrame(colour)
  const slack = WHOLE_PICTURE * Math.hypot(colour.cols, colour.rows)
  const isWholePicture = corners === undefined || corners.every((corner, index) => Math.hypot(corner.x - frame[index]!.x, corner.y - frame[index]!.y) <= slack)
  return isWholePicture ? rectifyScan(pixels, options.dpi) : rectifyPhoto(colour, pixels, { ...options, corners })
}

/** The page's quad (given, or detected on the colour picture) warped to A4, landscape when the quad is wider than tall. */
function rectifyPhoto(colour: Mat, pixels: Mat, options: PageImageOptions): RectifiedPage {
  const detected = options.corners ?? detectPageInMat(colour).corners
  const quad: Quad = detected ?? wholeFrame(colour)
  const { width, height } = quadSize(quad)
  const size = a4Pixels(options.dpi, width > height)
  return {
    page: warpQuad(pixels, quad, size),
    ...(detected ? { corners: detected } : {}),
    pageFound: detected !== undefined,
    sourceScale: Math.max(width, height) / Math.max(size.width, size.height),
    deskewDegrees: 0,
    photo: true,
  }
}

/**
 * A flat scan. On a dark lid the sheet's own edges give its skew and crop; on a white lid the text lines give the
 * skew and the whole scan is the page. Either way it ends at A4 (or the sheet's own aspect if it is not A4).
 */
function rectifyScan(source: Mat, dpi: number): RectifiedPage {
  const cv = openCv()
  return withMats((keep) => {
    const sheet = sheetOnDarkBed(source)
    if (sheet !== undefined) {
      const [topLeft, topRight] = sheet
      const skew = (Math.atan2(topRight.y - topLeft.y, topRight.x - topLeft.x) * 180) / Math.PI
      const { width, height } = quadSize(sheet)
      const size = scanSize(width, height, dpi)
      return { page: warpQuad(source, sheet, size), pageFound: true, sourceScale: width / size.width, deskewDegrees: Math.round(skew * 10) / 10, photo: false }
    }
    const direction = measureScanDirection(source, dpi)
    const clearText = direction.strength >= CLEAR_TEXT
    const quarterTurned = clearText && Math.abs(direction.degrees) > 45
    const skew = quarterTurned ? direction.degrees - Math.sign(direction.degrees) * 90 : direction.degrees
    const deskewDegrees = clearText && Math.abs(skew) >= 0.2 && Math.abs(skew) <= MAX_SCAN_SKEW + SKEW_PRECISION ? skew : 0
    const straight = deskewDegrees === 0 ? source : keep(innerSheet(keep(rotateBy(source, deskewDegrees)), source, deskewDegrees))
    const size = scanSize(straight.cols, straight.rows, dpi)
    const page = new cv.Mat()
    cv.resize(straight, page, new cv.Size(size.width, size.height), 0, 0, size.width < straight.cols ? cv.INTER_AREA : cv.INTER_LINEAR)
    return { page, pageFound: true, sourceScale: straight.cols / size.width, deskewDegrees, quarterTurned, photo: false }
  })
}

const wholeFrame = (source: Mat): Quad => [
  { x: 0, y: 0 },
  { x: source.cols, y: 0 },
  { x: source.cols, y: source.rows },
  { x: 0, y: source.rows },
]

/** A4 at the dpi when the sheet is A4-shaped, else the sheet's own aspect fitted inside A4. */
function scanSize(width: number, height: number, dpi: number): { width: number; height: number } {
  const a4 = a4Pixels(dpi, width > height)
  const aspect = Math.max(width, height) / Math.min(width, height)
  if (Math.abs(aspect / A4_ASPECT - 1) <= A4_TOLERANCE) return a4
  const fit = Math.min(a4.width / width, a4.height / height)
  return { width: Math.round(width * fit), height: Math.round(height * fit) }
}

/** `quad` of `source` warped onto a `size` rectangle; the caller deletes the result. */
function warpQuad(source: Mat, quad: Quad, size: { width: number; height: number }): Mat {
  const cv = openCv()
  return withMats((keep) => {
    const { width, height } = quadSize(quad)
    const sourceScale = Math.max(width, height) / Math.max(size.width, size.height)
    // warpPerspective samples without an area filter: shrink a much finer source first so fine print does not alias.
    let warpSource = source
    let warpQuadPoints = quad
    if (sourceScale > 1.5) {
      const factor = 1.2 / sourceScale
      warpSource = keep(new cv.Mat())
      cv.resize(source, warpSource, new cv.Size(Math.round(source.cols * factor), Math.round(source.rows * factor)), 0, 0, cv.INTER_AREA)
      warpQuadPoints = scaleQuad(quad, factor)
    }
    const from = keep(cv.matFromArray(4, 1, cv.CV_32FC2, warpQuadPoints.flatMap((p) => [p.x, p.y])))
    const to = keep(cv.matFromArray(4, 1, cv.CV_32FC2, [0, 0, size.width, 0, size.width, size.height, 0, size.height]))
    const transform = keep(cv.getPerspectiveTransform(from, to))
    const page = new cv.Mat()
    cv.warpPerspective(warpSource, page, transform, new cv.Size(size.width, size.height), cv.INTER_LINEAR, cv.BORDER_REPLICATE, new cv.Scalar())
    return page
  })
}

function measureScanDirection(source: Mat, dpi: number): { degrees: number; strength: number } {
  const cv = openCv()
  return withMats((keep) => {
    const factor = Math.min(1, SKEW_ANALYSIS_SIDE / Math.max(source.cols, source.rows))
    const small = keep(new cv.Mat())
    cv.resize(source, small, new cv.Size(Math.round(source.cols * factor), Math.round(source.rows * factor)), 0, 0, cv.INTER_AREA)
    const gray = keep(grayOf(small))
    const flat = keep(flattenBackground(gray))
    const bilevel = keep(binarize(flat, dpi * factor))
    return textDirection(bilevel, [0, 90], MAX_SCAN_SKEW)
  })
}

/** Turned `clockwiseDegrees` back (counter-clockwise) on a canvas grown to keep every corner. */
function rotateBy(source: Mat, clockwiseDegrees: number): Mat {
  const cv = openCv()
  return withMats((keep) => {
    const radians = (clockwiseDegrees * Math.PI) / 180
    const width = Math.round(source.cols * Math.abs(Math.cos(radians)) + source.rows * Math.abs(Math.sin(radians)))
    const height = Math.round(source.cols * Math.abs(Math.sin(radians)) + source.rows * Math.abs(Math.cos(radians)))
    const matrix = keep(cv.getRotationMatrix2D(new cv.Point(source.cols / 2, source.rows / 2), clockwiseDegrees, 1))
    matrix.data64F[2]! += (width - source.cols) / 2
    matrix.data64F[5]! += (height - source.rows) / 2
    const turned = new cv.Mat()
    cv.warpAffine(source, turned, matrix, new cv.Size(width, height), cv.INTER_LINEAR, cv.BORDER_REPLICATE, new cv.Scalar())
    return turned
  })
}

/**
 * The sheet inside a deskewed scan, assuming the scanner cropped to the crooked sheet's extent (as auto-cropping
 * scanners do): the upright rectangle whose turned bounding box is the original scan, centred in the grown canvas.
 */
function innerSheet(turned: Mat, original: Mat, clockwiseDegrees: number): Mat {
  const cv = openCv()
  const cos = Math.abs(Math.cos((clockwiseDegrees * Math.PI) / 180))
  const sin = Math.abs(Math.sin((clockwiseDegrees * Math.PI) / 180))
  const determinant = cos * cos - sin * sin
  const width = Math.floor((original.cols * cos - original.rows * sin) / determinant)
  const height = Math.floor((original.rows * cos - original.cols * sin) / determinant)
  if (width < original.cols * 0.4 || height < original.rows * 0.4) return turned.clone()
  const x = Math.max(0, Math.round((turned.cols - width) / 2))
  const y = Math.max(0, Math.round((turned.rows - height) / 2))
  const region = turned.roi(new cv.Rect(x, y, Math.min(width, turned.cols - x), Math.min(height, turned.rows - y)))
  try {
    return region.clone()
  } finally {
    region.delete()
  }
}

/** The sheet's corners when it lies on a darker lid: the minimum-area rectangle of the largest bright region. */
function sheetOnDarkBed(scan: Mat): Quad | undefined {
  const cv = openCv()
  return withMats((keep) => {
    const factor = Math.min(1, 800 / Math.max(scan.cols, scan.rows))
    const small = keep(new cv.Mat())
    cv.resize(scan, small, new cv.Size(Math.round(scan.cols * factor), Math.round(scan.rows * factor)), 0, 0, cv.INTER_AREA)
    const gray = keep(grayOf(small))
    const rim = Math.max(2, Math.round(Math.min(gray.cols, gray.rows) * 0.01))
    // The lid shows on at least one side even when the sheet is pushed into a corner of the glass.
    const rims = [new cv.Rect(0, 0, gray.cols, rim), new cv.Rect(0, gray.rows - rim, gray.cols, rim), new cv.Rect(0, 0, rim, gray.rows), new cv.Rect(gray.cols - rim, 0, rim, gray.rows)]
    const border = Math.min(...rims.map((rect) => medianLevel(keep(gray.roi(rect)))))
    const centre = medianLevel(keep(gray.roi(new cv.Rect(Math.round(gray.cols / 4), Math.round(gray.rows / 4), Math.round(gray.cols / 2), Math.round(gray.rows / 2)))))
    if (centre - border < 40) return undefined
    const mask = keep(new cv.Mat())
    cv.threshold(gray, mask, (centre + border) / 2, 255, cv.THRESH_BINARY)
    cv.morphologyEx(mask, mask, cv.MORPH_CLOSE, keep(cv.getStructuringElement(cv.MORPH_RECT, new cv.Size(15, 15))))
    const contours = keep(new cv.MatVector())
    cv.findContours(mask, contours, keep(new cv.Mat()), cv.RETR_EXTERNAL, cv.CHAIN_APPROX_SIMPLE)
    let largest: { area: number; index: number } | undefined
    for (let index = 0; index < contours.size(); index++) {
      const area = cv.contourArea(keep(contours.get(index)))
      if (area > (largest?.area ?? 0)) largest = { area, index }
    }
    if (largest === undefined || largest.area < 0.2 * gray.rows * gray.cols) return undefined
    const box = cv.minAreaRect(keep(contours.get(largest.index)))
    const corners = orderCorners(cv.RotatedRect.points(box).map((p: Point) => ({ x: p.x / factor, y: p.y / factor })))
    // A pixel inside the edge, so no sliver of lid survives the crop.
    const centreX = corners.reduce((sum, p) => sum + p.x, 0) / 4
    const centreY = corners.reduce((sum, p) => sum + p.y, 0) / 4
    const inset = 3 / factor
    return corners.map((p) => ({ x: p.x + Math.sign(centreX - p.x) * inset, y: p.y + Math.sign(centreY - p.y) * inset })) as unknown as Quad
  })
}

/**
 * The clockwise turn that makes the text upright: a quarter turn when it runs up or down the page (measured here
 * on a photo, known from the skew search on a scan), a half turn when the lines read upside down.
 */
function uprightRotation(bilevel: Mat, quarterTurned: boolean | undefined): 0 | 90 | 180 | 270 {
  let quarter = quarterTurned
  if (quarter === undefined) {
    const direction = textDirection(bilevel, [0, 90], 3)
    if (direction.strength < CLEAR_TEXT) return 0
    quarter = Math.abs(direction.degrees) > 45
  }
  if (!quarter) return uprightness(bilevel) < 0 ? 180 : 0
  return withMats((keep) => (uprightness(keep(rotated(bilevel, 90))) < 0 ? 270 : 90))
}

/** Width of the rim cleared around a page: 1.5 mm, inside any printed margin, wide enough for a sliver of desk or lid. */
const RIM_MM = 1.5

/** Paints the page's rim white: corners found a pixel or two outside the sheet leave a dark edge that is not print. */
function whitenRim(page: Mat, dpi: number): void {
  const cv = openCv()
  const rim = Math.round((RIM_MM / 25.4) * dpi)
  cv.rectangle(page, new cv.Point(0, 0), new cv.Point(page.cols - 1, page.rows - 1), new cv.Scalar(255, 255, 255, 255), 2 * rim)
}

/** A grey copy of an RGB or grey Mat; the caller deletes it. */
function grayOf(mat: Mat): Mat {
  const cv = openCv()
  if (mat.channels() === 1) return mat.clone()
  const gray = new cv.Mat()
  cv.cvtColor(mat, gray, cv.COLOR_RGB2GRAY)
  return gray
}

/** A clockwise quarter-turn copy (a clone for 0); the caller deletes it. */
function rotated(mat: Mat, clockwise: 0 | 90 | 180 | 270): Mat {
  const cv = openCv()
  if (clockwise === 0) return mat.clone()
  const turned = new cv.Mat()
  cv.rotate(mat, turned, clockwise === 90 ? cv.ROTATE_90_CLOCKWISE : clockwise === 180 ? cv.ROTATE_180 : cv.ROTATE_90_COUNTERCLOCKWISE)
  return turned
}
