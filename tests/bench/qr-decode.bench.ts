import { performance } from 'node:perf_hooks'
import { decodeFrame, type DecodeOptions } from '../../src/shared/scan/decode-frame'
import { makeCameraFrames } from '../helpers/qr-images'
import { figure, ms, percentile } from './stats'

const RUNS_PER_FRAME = 5

/** Decode time of the 1280×720 camera frames of the distorted test set, as a camera worker would see them. */
export async function benchQrDecode(): Promise<void> {
  const frames = await makeCameraFrames()

  const measure = (label: string, options: DecodeOptions, goal?: string): void => {
    const samples: number[] = []
    let read = 0
    for (const { frame, payload } of frames) {
      decodeFrame(frame, options) // warm-up
      for (let run = 0; run < RUNS_PER_FRAME; run++) {
        const start = performance.now()
        const codes = decodeFrame(frame, options)
        samples.push(performance.now() - start)
        if (run === 0 && codes[0]?.text === payload) read++
      }
    }
    figure(`${label}, p50`, ms(percentile(samples, 50)), goal)
    figure(`${label}, p95`, ms(percentile(samples, 95)))
    figure(`${label}, frames read`, `${read} / ${frames.length}`, '100%')
  }
  measure('QR in a 1280×720 frame, first code (camera)', { maxCodes: 1 }, '< 40 ms')
  measure('QR in a 1280×720 frame, all codes (image file)', {})

  const emptyFrame = { data: new Uint8ClampedArray(1280 * 720).fill(128), width: 1280, height: 720 }
  decodeFrame(emptyFrame)
  const start = performance.now()
  decodeFrame(emptyFrame)
  figure('1280×720 frame with no code', ms(performance.now() - start))
}
