/**
 * The page pipeline (src/shared/capture) on synthetic photos and scans of a Vietnamese form made by ImageMagick:
 * the tests placed the sheet, so they know where it is and which way it reads.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import { detectPage } from '../../../src/shared/capture/detect-page'
import { openCv } from '../../../src/shared/capture/opencv'
import { processPageImage, type PageImage, type PageImageOptions } from '../../../src/shared/capture/process-page-image'
import type { Quad, RgbaImage } from '../../../src/shared/capture/types'
import { loadOpenCvInTests } from '../../helpers/opencv-node'
import { makeFlatScan, makePagePhoto, renderTextPage, type PagePhotoOptions } from '../../helpers/page-photos'
import { run } from '../../helpers/qr-images'

const dir = mkdtempSync(join(tmpdir(), 'page-pipeline-'))

async function readRgba(path: string, width?: number): Promise<RgbaImage> {
  const { data, info } = await sharp(path).resize(width ? { width } : undefined).ensureAlpha().raw().toBuffer({ resolveWithObject: true })
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) }
}

/** The largest distance between found and true corners, as a share of the sheet's diagonal in the photo. */
function cornerError(found: Quad, truth: Quad): number {
  const diagonal = Math.hypot(truth[2].x - truth[0].x, truth[2].y - truth[0].y)
  return Math.max(...found.map((corner, index) => Math.hypot(corner.x - truth[index]!.x, corner.y - truth[index]!.y))) / diagonal
}

/** The bounding box of the ink (levels below 128) of a grey or bilevel page. */
function inkBox(page: { width: number; height: number; data: Uint8Array }): { left: number; top: number; right: number; bottom: number } {
  let left = page.width
  let top = page.height
  let right = -1
  let bottom = -1
  for (let y = 0; y < page.height; y++) {
    for (let x = 0; x < page.width; x++) {
      if (page.data[y * page.width + x]! >= 128) continue
      left = Math.min(left, x)
      right = Math.max(right, x)
      top = Math.min(top, y)
      bottom = Math.max(bottom, y)
    }
  }
  return { left, top, right, bottom }
}

/** The printed sheet's own ink box, at the output's 200 dpi. */
async function sheetInkBox(options: { landscape?: boolean } = {}): Promise<ReturnType<typeof inkBox>> {
  const sheet = renderTextPage(join(dir, `truth-${options.landscape ? 'landscape' : 'portrait'}.png`), options)
  const { data, info } = await sharp(sheet.path).greyscale().raw().toBuffer({ resolveWithObject: true })
  return inkBox({ width: info.width, height: info.height, data })
}

const photos: Record<string, { path: string; corners: Quad }> = {}
const photo = (name: string, options: Omit<PagePhotoOptions, 'dir' | 'name'>): void => {
  const made = makePagePhoto({ dir, name, ...options })
  photos[name] = { path: made.photoPath, corners: made.trueCorners }
}
const process = async (path: string, options: Partial<PageImageOptions> = {}): Promise<PageImage> =>
  processPageImage(await readRgba(path), { mode: 'bw', dpi: 200, source: 'photo', ...options })

beforeAll(async () => {
  await loadOpenCvInTests()
  photo('plasma', { texture: 'plasma' })
  photo('noise', { texture: 'noise' })
  photo('cluttered', { texture: 'cluttered' })
  photo('glare', { texture: 'plasma', glare: true, seed: 3 })
  photo('blurry', { texture: 'plasma', blurSigma: 3 })
  photo('dark', { texture: 'plasma', exposure: 0.3 })
  photo('landscape', {
    landscape: true,
    corners: [
      { x: 260, y: 420 },
      { x: 2700, y: 330 },
      { x: 2790, y: 2010 },
      { x: 180, y: 2080 },
    ],
  })
  photo('upside-down', { texture: 'noise', rotation: 180, seed: 11 })
  run('convert', ['-seed', '5', '-size', '3000x2250', 'plasma:peru-saddlebrown', '-blur', '0x2', join(dir, 'desk-only.jpg')])
}, 180_000)

describe('finding the page in a photo', () => {
  it.each(['plasma', 'noise', 'cluttered', 'glare', 'blurry', 'dark', 'landscape', 'upside-down'])('finds the sheet on the %s photo within 1 % of its diagonal', async (name) => {
    const { path, corners } = photos[name]!
    const detection = detectPage(await readRgba(path))
    expect(detection.corners, `no page found on ${name}`).toBeDefined()
    expect(cornerError(detection.corners!, corners)).toBeLessThanOrEqual(0.01)
    expect(detection.confidence).toBeGreaterThan(0.5)
  })

  it('finds it on a 640×360 camera frame, as the live outline does', async () => {
    const { path, corners } = photos['cluttered']!
    // The 4:3 photo squeezed into a 16:9 frame is still a sheet, seen from lower down.
    const { data, info } = await sharp(path).resize(640, 360, { fit: 'fill' }).ensureAlpha().raw().toBuffer({ resolveWithObject: true })
    const detection = detectPage({ width: info.width, height: info.height, data })
    const inFrame = corners.map((p) => ({ x: (p.x * 640) / 3000, y: (p.y * 360) / 2250 })) as unknown as Quad
    expect(detection.corners).toBeDefined()
    expect(cornerError(detection.corners!, inFrame)).toBeLessThanOrEqual(0.01)
  })

  it('finds nothing on a desk with no sheet on it', async () => {
    const detection = detectPage(await readRgba(join(dir, 'desk-only.jpg'), 640))
    expect(detection.corners).toBeUndefined()
  })

  it('leaves no Mat behind on the opencv heap', async () => {
    const image = await readRgba(photos['plasma']!.path)
    const heap = (): number => (openCv() as unknown as { HEAPU8: Uint8Array }).HEAPU8.length
    processPageImage(image, { mode: 'color', dpi: 200, source: 'photo' })
    const before = heap()
    // Each round makes ~100 MB of Mats; one left behind per round would grow the heap within a few rounds.
    for (let round = 0; round < 4; round++) {
      detectPage(image)
      processPageImage(image, { mode: 'color', dpi: 200, source: 'photo' })
    }
    expect(heap()).toBe(before)
  })
})

describe('rectifying a photo', () => {
  it('warps the sheet to A4 at 200 dpi with the print where it was printed', async () => {
    const page = await process(photos['plasma']!.path)
    expect(page.page).toMatchObject({ width: 1654, height: 2339, channels: 1 })
    const truth = await sheetInkBox()
    const found = inkBox(page.page)
    const tolerance = 0.01 * Math.hypot(1654, 2339)
    for (const side of ['left', 'top', 'right', 'bottom'] as const) expect(Math.abs(found[side] - truth[side]), side).toBeLessThanOrEqual(tolerance)
    expect(page.rotation).toBe(0)
    expect(page.blank).toBe(false)
    expect(page.quality.warnings).toEqual([])
    expect(cornerError(page.corners!, photos['plasma']!.corners)).toBeLessThanOrEqual(0.01)
  })

  it('keeps a landscape sheet landscape', async () => {
    const page = await process(photos['landscape']!.path)
    expect(page.page).toMatchObject({ width: 2339, height: 1654 })
    expect(page.rotation).toBe(0)
    const truth = await sheetInkBox({ landscape: true })
    const found = inkBox(page.page)
    expect(Math.abs(found.left - truth.left)).toBeLessThanOrEqual(0.01 * Math.hypot(2339, 1654))
    expect(Math.abs(found.top - truth.top)).toBeLessThanOrEqual(0.01 * Math.hypot(2339, 1654))
  })

  it('turns an upside-down sheet upright', async () => {
    const page = await process(photos['upside-down']!.path)
    expect(page.rotation).toBe(180)
    const truth = await sheetInkBox()
    expect(Math.abs(inkBox(page.page).top - truth.top)).toBeLessThanOrEqual(0.01 * Math.hypot(1654, 2339))
  })

  it('uses the corners it is given instead of searching', async () => {
    const { path, corners } = photos['cluttered']!
    const page = await process(path, { corners, mode: 'color' })
    expect(page.corners).toEqual(corners)
    expect(page.page).toMatchObject({ width: 1654, height: 2339, channels: 3 })
  })

  it('makes 300 dpi pages for maps and drawings', async () => {
    const page = await process(photos['plasma']!.path, { dpi: 300, mode: 'gray' })
    expect(page.page).toMatchObject({ width: 2480, height: 3508, channels: 1 })
    expect(page.ocrGray).toMatchObject({ width: 2480, height: 3508 })
  })

  it('warps the whole frame and says so when no sheet is found', async () => {
    const page = await process(join(dir, 'desk-only.jpg'))
    expect(page.corners).toBeUndefined()
    expect(page.quality.warnings).toContain('noPageFound')
  })
})

describe('judging the capture', () => {
  it('flags a blurred photo, and not a sharp one', async () => {
    expect((await process(photos['blurry']!.path)).quality.warnings).toContain('blurry')
    expect((await process(photos['noise']!.path)).quality.warnings).not.toContain('blurry')
  })

  it('flags a lamp reflected on the sheet', async () => {
    const page = await process(photos['glare']!.path)
    expect(page.quality.warnings).toContain('glare')
    expect(page.quality.glareShare).toBeGreaterThan(0.004)
  })

  it('flags a photo taken in a dim corner', async () => {
    expect((await process(photos['dark']!.path)).quality.warnings).toContain('tooDark')
  })

  it('flags a sheet too small in the frame', async () => {
    const small = join(dir, 'small.jpg')
    await sharp(photos['plasma']!.path).resize({ width: 1200 }).toFile(small)
    expect((await process(small)).quality.warnings).toContain('lowResolution')
  })

  it('scores a clean capture above a flawed one', async () => {
    const clean = await process(photos['plasma']!.path)
    const flawed = await process(photos['blurry']!.path)
    expect(clean.quality.score).toBeGreaterThan(flawed.quality.score)
    expect(clean.quality.score).toBeLessThanOrEqual(1)
  })
})

describe('flat scans', () => {
  it.each([31, -31])('leaves a sheet at %i° as it is: past the ±30° a crooked sheet may be, it was laid that way', async (skew) => {
    const { scanPath } = makeFlatScan({ dir, name: `skew${skew}`, skewDegrees: skew })
    const page = await process(scanPath, { source: 'scan' })
    expect(page.deskewDegrees).toBe(0)
  })

  it.each([5, -5, 15, -15, 30, -30])('measures and removes a skew of %i°', async (skew) => {
    const { scanPath } = makeFlatScan({ dir, name: `skew${skew}`, skewDegrees: skew })
    const page = await process(scanPath, { source: 'scan' })
    expect(Math.abs(page.deskewDegrees - skew)).toBeLessThanOrEqual(0.5)
    expect(page.page).toMatchObject({ width: 1654, height: 2339 })
    expect(page.rotation).toBe(0)
    const truth = await sheetInkBox()
    const found = inkBox(page.page)
    expect(Math.abs(found.left - truth.left)).toBeLessThanOrEqual(0.01 * Math.hypot(1654, 2339))
    expect(Math.abs(found.top - truth.top)).toBeLessThanOrEqual(0.01 * Math.hypot(1654, 2339))
  })

  it('crops the sheet out of a dark scanner lid', async () => {
    const { scanPath } = makeFlatScan({ dir, name: 'dark-lid', skewDegrees: 12, darkBed: true })
    const page = await process(scanPath, { source: 'scan' })
    expect(Math.abs(page.deskewDegrees - 12)).toBeLessThanOrEqual(0.5)
    expect(page.page).toMatchObject({ width: 1654, height: 2339 })
    const truth = await sheetInkBox()
    expect(Math.abs(inkBox(page.page).left - truth.left)).toBeLessThanOrEqual(0.01 * Math.hypot(1654, 2339))
  })

  it.each([
    [90, 270],
    [180, 180],
    [270, 90],
  ] as const)('turns a sheet laid at %i° upright (applies %i° clockwise)', async (laid, applied) => {
    const { scanPath } = makeFlatScan({ dir, name: `turned${laid}`, rotation: laid, skewDegrees: 4 })
    const page = await process(scanPath, { source: 'scan' })
    expect(page.rotation).toBe(applied)
    expect(page.page).toMatchObject({ width: 1654, height: 2339 })
    expect(Math.abs(page.deskewDegrees - 4)).toBeLessThanOrEqual(0.5)
  })

  it('tells a blank sheet from one with a single short line', async () => {
    const blank = await process(makeFlatScan({ dir, name: 'blank', lineCount: 0 }).scanPath, { source: 'scan' })
    expect(blank.blank).toBe(true)
    const oneLine = await process(makeFlatScan({ dir, name: 'one-line', lineCount: 1 }).scanPath, { source: 'scan' })
    expect(oneLine.blank).toBe(false)
  })

  it('tells a blank sheet photographed on a desk', async () => {
    const { photoPath } = makePagePhoto({ dir, name: 'blank-photo', lineCount: 0 })
    const page = await process(photoPath)
    expect(page.blank).toBe(true)
    expect(page.quality.warnings).not.toContain('blurry')
  })
})

describe('a file of unknown origin (source auto)', () => {
  it('is taken as a photo when a sheet lies inside the picture: found and warped as a photo is', async () => {
    const { path, corners } = photos.plasma!
    const page = await process(path, { source: 'auto' })
    expect(page.corners, 'no page found').toBeDefined()
    expect(cornerError(page.corners!, corners)).toBeLessThanOrEqual(0.01)
    expect(page.page).toMatchObject({ width: 1654, height: 2339 })
  })

  it('is taken as a flat scan when the sheet is the whole picture: the text lines give the skew', async () => {
    const { scanPath } = makeFlatScan({ dir, name: 'auto-flat', skewDegrees: 0 })
    const page = await process(scanPath, { source: 'auto' })
    expect(page.corners).toBeUndefined()
    expect(page.page).toMatchObject({ width: 1654, height: 2339 })
    const truth = await sheetInkBox()
    expect(Math.abs(inkBox(page.page).left - truth.left)).toBeLessThanOrEqual(0.01 * Math.hypot(1654, 2339))
  })

  it('straightens a crooked sheet cut out by the scanner, either way', async () => {
    const { scanPath } = makeFlatScan({ dir, name: 'auto-skew', skewDegrees: 7 })
    const page = await process(scanPath, { source: 'auto' })
    expect(page.page).toMatchObject({ width: 1654, height: 2339 })
    const truth = await sheetInkBox()
    const found = inkBox(page.page)
    expect(Math.abs(found.left - truth.left)).toBeLessThanOrEqual(0.01 * Math.hypot(1654, 2339))
    expect(Math.abs(found.top - truth.top)).toBeLessThanOrEqual(0.01 * Math.hypot(1654, 2339))
  })
})
