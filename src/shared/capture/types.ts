/**
 * The page-image vocabulary of issue #8 (digitizing paper documents), shared by the pipeline (opencv.js, in a
 * browser Worker and in Node worker_threads), the main-process encoder, the archival PDF and the clerk's UI.
 */
export type CaptureMode = 'color' | 'gray' | 'bw'
/**
 * photo: find the page and warp it; scan: already flat, deskew + crop; auto: a file of unknown origin, taken as a
 * photo when a page is found that is not the whole picture.
 */
export const PAGE_SOURCES = ['photo', 'scan', 'auto'] as const
export type PageSource = (typeof PAGE_SOURCES)[number]
/** RGBA 8-bit. */
export interface RgbaImage {
  readonly width: number
  readonly height: number
  readonly data: Uint8Array | Uint8ClampedArray
}
/** 1 byte per pixel. */
export interface GrayImage {
  readonly width: number
  readonly height: number
  readonly data: Uint8Array
}
/** top-left, top-right, bottom-right, bottom-left, in source px. */
export type Quad = readonly [Point, Point, Point, Point]
export interface Point {
  readonly x: number
  readonly y: number
}
export type QualityWarning = 'noPageFound' | 'blurry' | 'glare' | 'tooDark' | 'lowResolution'
export interface PageQuality {
  /** 0..1 */
  readonly score: number
  readonly sharpness: number
  readonly glareShare: number
  readonly warnings: readonly QualityWarning[]
}
