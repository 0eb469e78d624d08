import { detectPage } from '../../../shared/capture/detect-page'
import { loadBundledOpenCv } from '../../../shared/capture/opencv-bundled'
import type { Quad } from '../../../shared/capture/types'

export interface OutlineRequest {
  readonly id: number
  readonly width: number
  readonly height: number
  /** RGBA of a downscaled camera frame; transferred, not copied. */
  readonly rgba: ArrayBuffer
}

export interface OutlineReply {
  readonly id: number
  /** The page in the frame's own pixels, when found. */
  readonly corners?: Quad
  readonly confidence: number
  /** Variance of the Laplacian of the frame's luma: low on a blurred or moving picture. */
  readonly sharpness: number
  readonly ms: number
  readonly error?: string
}

const reply = (message: OutlineReply): void => (self as unknown as { postMessage(message: OutlineReply): void }).postMessage(message)

/** The live page outline off the main thread: opencv.js (WebAssembly) starts here once, then each frame is searched for a sheet. */
self.onmessage = async (message: MessageEvent<OutlineRequest>) => {
  const { id, width, height, rgba } = message.data
  const started = performance.now()
  try {
    await loadBundledOpenCv()
    const data = new Uint8ClampedArray(rgba)
    const detection = detectPage({ width, height, data })
    reply({ id, ...(detection.corners && { corners: detection.corners }), confidence: detection.confidence, sharpness: lumaSharpness(data, width, height), ms: performance.now() - started })
  } catch (error) {
    reply({ id, confidence: 0, sharpness: 0, ms: performance.now() - started, error: String(error) })
  }
}

/** Variance of the 4-neighbour Laplacian of the luma, on every other pixel (enough to tell a sharp frame from a smeared one). */
function lumaSharpness(rgba: Uint8ClampedArray, width: number, height: number): number {
  const luma = (x: number, y: number): number => {
    const offset = (y * width + x) * 4
    return (rgba[offset]! * 77 + rgba[offset + 1]! * 150 + rgba[offset + 2]! * 29) >> 8
  }
  let sum = 0
  let sumOfSquares = 0
  let count = 0
  for (let y = 1; y < height - 1; y += 2) {
    for (let x = 1; x < width - 1; x += 2) {
      const laplacian = luma(x - 1, y) + luma(x + 1, y) + luma(x, y - 1) + luma(x, y + 1) - 4 * luma(x, y)
      sum += laplacian
      sumOfSquares += laplacian * laplacian
      count++
    }
  }
  return count === 0 ? 0 : sumOfSquares / count - (sum / count) ** 2
}
