import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { performance } from 'node:perf_hooks'
import { prepareZXingModule, readBarcodes, type ReaderOptions } from 'zxing-wasm/reader'
import { decodeFrame, type LuminanceFrame } from '../../src/shared/scan/decode-frame'
import { makeCameraFrames } from '../helpers/qr-images'
import { figure, ms, percentile } from './stats'

const RUNS_PER_FRAME = 5

/** The formats our decoder looks for, so that both search for the same things; one code, as a camera loop asks. */
const ZXING_OPTIONS: ReaderOptions = { formats: ['QRCode', 'PDF417', 'Code128'], maxNumberOfSymbols: 1 }

interface DecoderRun {
  readonly samples: number[]
  read: number
}

/**
 * Our decoder (zxing's JavaScript port behind decodeFrame, first code only) against zxing-wasm (ZXing-C++)
 * on the 1280×720 camera frames of the distorted set. zxing-wasm gets each frame as a browser's ImageData
 * (RGBA), so its grey conversion counts, as it would in a page.
 */
export async function benchQrCompare(): Promise<void> {
  // The .wasm from node_modules: by default zxing-wasm fetches it from a CDN, which a kiosk must never do.
  const wasmPath = createRequire(import.meta.url).resolve('zxing-wasm/reader/zxing_reader.wasm')
  await prepareZXingModule({ overrides: { wasmBinary: readFileSync(wasmPath).buffer }, fireImmediately: true })

  const frames = await makeCameraFrames()
  const ours: DecoderRun = { samples: [], read: 0 }
  const zxing: DecoderRun = { samples: [], read: 0 }
  for (const { frame, payload } of frames) {
    const imageData = asImageData(frame)
    const decodeOurs = (): string | undefined => decodeFrame(frame, { maxCodes: 1 })[0]?.text
    const decodeZxing = async (): Promise<string | undefined> => (await readBarcodes(imageData, ZXING_OPTIONS))[0]?.text
    decodeOurs() // warm-up
    await decodeZxing()
    for (let run = 0; run < RUNS_PER_FRAME; run++) {
      let start = performance.now()
      const oursText = decodeOurs()
      ours.samples.push(performance.now() - start)
      start = performance.now()
      const zxingText = await decodeZxing()
      zxing.samples.push(performance.now() - start)
      if (run === 0 && oursText === payload) ours.read++
      if (run === 0 && zxingText === payload) zxing.read++
    }
  }

  for (const [label, result] of [['ours (decodeFrame)', ours], ['zxing-wasm (ZXing-C++)', zxing]] as const) {
    figure(`QR in a 1280×720 frame, ${label}, p50`, ms(percentile(result.samples, 50)))
    figure(`QR in a 1280×720 frame, ${label}, p95`, ms(percentile(result.samples, 95)))
    figure(`QR in a 1280×720 frame, ${label}, frames read`, `${result.read} / ${frames.length}`, '100%')
  }
  const ratio = (p: number): string => `${(percentile(ours.samples, p) / percentile(zxing.samples, p)).toFixed(2)}×`
  figure('time ours / zxing-wasm, p50', ratio(50))
  figure('time ours / zxing-wasm, p95', ratio(95))
}

function asImageData(frame: LuminanceFrame): ImageData {
  const data = new Uint8ClampedArray(frame.width * frame.height * 4)
  frame.data.forEach((grey, index) => data.set([grey, grey, grey, 255], index * 4))
  return { data, width: frame.width, height: frame.height, colorSpace: 'srgb' }
}
