/**
 * Making a rectified page look like paper: shadows and uneven light divided out, then a bilevel version for
 * text and the blank-page test. Inputs are 8-bit Mats; every returned Mat is the caller's to delete.
 */
import { openCv, withMats, type Mat } from './opencv'

/** The background is estimated at 1/8 scale: cheap, and text strokes vanish under a small maximum filter there. */
const BACKGROUND_SCALE = 8
/** After flattening, this level and above is paper. */
const PAPER_WHITE = 228

/**
 * The page divided by an estimate of the bare paper under it (a maximum filter over the print, smoothed), so the
 * paper turns white wherever it was lit and only the print keeps its tone. Grey or RGB, each channel on its own:
 * a colour cast from the lamp goes with the shadow.
 */
export function flattenBackground(page: Mat): Mat {
  const cv = openCv()
  return withMats((keep) => {
    const small = keep(new cv.Mat())
    cv.resize(page, small, new cv.Size(Math.max(1, Math.round(page.cols / BACKGROUND_SCALE)), Math.max(1, Math.round(page.rows / BACKGROUND_SCALE))), 0, 0, cv.INTER_AREA)
    // 7 px here is ~7 mm at 200 dpi: wider than any stroke or character of body text.
    cv.dilate(small, small, keep(cv.getStructuringElement(cv.MORPH_ELLIPSE, new cv.Size(7, 7))))
    cv.medianBlur(small, small, 5)
    const background = keep(new cv.Mat())
    cv.resize(small, background, new cv.Size(page.cols, page.rows), 0, 0, cv.INTER_LINEAR)
    const flat = new cv.Mat()
    // page / background × 255, stretched so paper within ~10 % of white becomes white (sensor grain on blank
    // paper would cost JPEG bytes and nothing else): one pass.
    cv.divide(page, background, flat, (255 * 255) / PAPER_WHITE)
    return flat
  })
}

/**
 * Black and white from a flattened grey page (ink 0, paper 255): ink is what is darker than its neighbourhood
 * (adaptive threshold) and not near-white, or what is plainly dark (filled areas the local test hollows out).
 */
export function binarize(flatGray: Mat, dpi: number): Mat {
  const cv = openCv()
  return withMats((keep) => {
    const block = 2 * Math.round((dpi * 0.12) / 2) + 1 // ~3 mm neighbourhood
    const local = keep(new cv.Mat())
    cv.adaptiveThreshold(flatGray, local, 255, cv.ADAPTIVE_THRESH_MEAN_C, cv.THRESH_BINARY_INV, block, 14)
    const notWhite = keep(new cv.Mat())
    cv.threshold(flatGray, notWhite, 230, 255, cv.THRESH_BINARY_INV)
    const plainlyDark = keep(new cv.Mat())
    cv.threshold(flatGray, plainlyDark, 110, 255, cv.THRESH_BINARY_INV)
    const ink = keep(new cv.Mat())
    cv.bitwise_and(local, notWhite, ink)
    cv.bitwise_or(ink, plainlyDark, ink)
    const bilevel = new cv.Mat()
    cv.bitwise_not(ink, bilevel)
    return bilevel
  })
}

/** A share of inked paper below this is a blank sheet: one short line of 13 pt text at the page's centre is ~0.05 %. */
const BLANK_INK_SHARE = 0.0002

/**
 * The share of the page inside a 4 % margin that carries ink in specks of more than a pixel or two (the margin
 * keeps a crop's dark edge and the paper's rim out; the speck filter keeps paper grain and sensor noise out).
 */
export function inkShare(bilevel: Mat): number {
  const cv = openCv()
  return withMats((keep) => {
    const marginX = Math.round(bilevel.cols * 0.04)
    const marginY = Math.round(bilevel.rows * 0.04)
    const inner = keep(bilevel.roi(new cv.Rect(marginX, marginY, bilevel.cols - 2 * marginX, bilevel.rows - 2 * marginY)))
    const ink = keep(new cv.Mat())
    cv.bitwise_not(inner, ink)
    cv.morphologyEx(ink, ink, cv.MORPH_OPEN, keep(cv.getStructuringElement(cv.MORPH_RECT, new cv.Size(2, 2))))
    return cv.countNonZero(ink) / (ink.rows * ink.cols)
  })
}

export const isBlankInkShare = (share: number): boolean => share < BLANK_INK_SHARE
