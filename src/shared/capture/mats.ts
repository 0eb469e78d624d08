/** Moving pixels between plain arrays and the opencv heap. Every Mat returned here is the caller's to delete. */
import { openCv, type Mat } from './opencv'
import type { RgbaImage } from './types'

export function rgbaToMat(image: RgbaImage): Mat {
  const cv = openCv()
  if (image.data.length !== image.width * image.height * 4) throw new RangeError(`an RGBA image of ${image.width}×${image.height} has ${image.width * image.height * 4} bytes, not ${image.data.length}`)
  const mat = new cv.Mat(image.height, image.width, cv.CV_8UC4)
  mat.data.set(image.data)
  return mat
}

/** A copy off the heap (the heap's view moves when WebAssembly memory grows). */
export function matPixels(mat: Mat): { width: number; height: number; channels: number; data: Uint8Array } {
  return { width: mat.cols, height: mat.rows, channels: mat.channels(), data: new Uint8Array(mat.data) }
}

/** The median level of a grey Mat, or of the mean of its colour channels (sampled: an estimate is enough). */
export function medianLevel(mat: Mat): number {
  // An ROI's rows are not contiguous on the heap: copy it into its own Mat first.
  const continuous = mat.isContinuous() ? mat : mat.clone()
  try {
    const channels = continuous.channels()
    const colours = Math.min(3, channels)
    const data = continuous.data
    const histogram = new Uint32Array(256)
    const stride = channels * (data.length / channels > 200_000 ? 13 : 1)
    for (let index = 0; index + channels - 1 < data.length; index += stride) {
      let sum = 0
      for (let channel = 0; channel < colours; channel++) sum += data[index + channel]!
      histogram[Math.round(sum / colours)]!++
    }
    const half = histogram.reduce((total, count) => total + count, 0) / 2
    let seen = 0
    for (let level = 0; level < 256; level++) {
      seen += histogram[level]!
      if (seen >= half) return level
    }
    return 255
  } finally {
    if (continuous !== mat) continuous.delete()
  }
}
