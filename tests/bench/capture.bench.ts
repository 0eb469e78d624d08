import { mkdtempSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import sharp from 'sharp'
import { encodePage } from '../../src/main/services/capture/page-encoding'
import { createPageProcessor } from '../../src/main/services/capture/page-processor'
import { detectPage } from '../../src/shared/capture/detect-page'
import { loadOpenCv } from '../../src/shared/capture/opencv'
import { processPageImage } from '../../src/shared/capture/process-page-image'
import type { CaptureMode, RgbaImage } from '../../src/shared/capture/types'
import { makeFlatScan, makePagePhoto } from '../helpers/page-photos'
import { figure, ms, percentile } from './stats'

const RUNS = 8
const PAGES_FOR_MEMORY = 50

async function rgba(path: string): Promise<RgbaImage> {
  const { data, info } = await sharp(path).ensureAlpha().raw().toBuffer({ resolveWithObject: true })
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) }
}

/**
 * One A4 page at 200 dpi from a 3000×2250 phone photo and from a flat scan: whole pages through the worker
 * (decode, pipeline, encode) and the memory 50 queued pages take, then the pipeline's stages in this thread.
 */
export async function benchCapture(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'capture-bench-'))
  const photoPath = makePagePhoto({ dir, texture: 'cluttered' }).photoPath
  const scanPath = makeFlatScan({ dir, skewDegrees: 7 }).scanPath
  // Through the worker first, so the memory figures are a fresh process's: this thread's own opencv heap comes after.
  const processor = createPageProcessor()
  try {
    const photoFile = readFileSync(photoPath)
    const scanFile = readFileSync(scanPath)
    await processor.processPage(scanFile, { mode: 'bw', dpi: 200, source: 'scan' }) // starts the worker and opencv.js
    for (const [label, file, source] of [
      ['photo', photoFile, 'photo'],
      ['scan', scanFile, 'scan'],
    ] as const) {
      for (const mode of ['bw', 'gray', 'color'] as const) {
        const times: number[] = []
        let bytes = 0
        for (let run = 0; run < RUNS / 2; run++) {
          const start = performance.now()
          bytes = (await processor.processPage(file, { mode, dpi: 200, source })).bytes.length
          times.push(performance.now() - start)
        }
        figure(`processPage, ${label} → ${mode} (with decode), p50`, ms(percentile(times, 50)))
        figure(`bytes per page, ${label} → ${mode}`, `${(bytes / 1024).toFixed(0)} KiB`, mode === 'bw' ? '≤ 80 KiB' : '≤ 300 KiB')
      }
    }

    const baseline = process.memoryUsage().rss
    let peak = baseline
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss)
    }, 20)
    const start = performance.now()
    await Promise.all(Array.from({ length: PAGES_FOR_MEMORY }, (_, index) => processor.processPage(index % 2 === 0 ? photoFile : scanFile, { mode: index % 3 === 0 ? 'color' : 'bw', dpi: 200, source: index % 2 === 0 ? 'photo' : 'scan' })))
    clearInterval(sampler)
    figure(`${PAGES_FOR_MEMORY} pages queued at once: time per page`, ms((performance.now() - start) / PAGES_FOR_MEMORY))
    figure(`${PAGES_FOR_MEMORY} pages queued at once: peak RSS`, `${(peak / 1024 / 1024).toFixed(0)} MiB`)
    figure(`${PAGES_FOR_MEMORY} pages queued at once: RSS growth`, `${((peak - baseline) / 1024 / 1024).toFixed(0)} MiB`)
  } finally {
    await processor.close()
  }

  await loadOpenCv(createRequire(import.meta.url)('@techstark/opencv-js'))
  const photo = await rgba(photoPath)

  const frame = await sharp(photoPath).resize(640, 360, { fit: 'fill' }).ensureAlpha().raw().toBuffer({ resolveWithObject: true })
  const live = { width: frame.info.width, height: frame.info.height, data: frame.data }
  const detectTimes: number[] = []
  for (let run = 0; run < RUNS * 4; run++) {
    const start = performance.now()
    detectPage(live)
    detectTimes.push(performance.now() - start)
  }
  figure('live outline: detectPage on a 640×360 frame, p50', ms(percentile(detectTimes, 50)), '≤ 50 ms')

  for (const mode of ['bw', 'color'] as const satisfies readonly CaptureMode[]) {
    const pipeline: number[] = []
    const encoding: number[] = []
    for (let run = 0; run < RUNS; run++) {
      const start = performance.now()
      const page = processPageImage(photo, { mode, dpi: 200, source: 'photo' })
      const processed = performance.now()
      await encodePage(page.page, mode, 200)
      pipeline.push(processed - start)
      encoding.push(performance.now() - processed)
    }
    const total = pipeline.map((time, index) => time + encoding[index]!)
    figure(`photo → ${mode} page: detect + warp + enhance, p50`, ms(percentile(pipeline, 50)))
    figure(`photo → ${mode} page: encode, p50`, ms(percentile(encoding, 50)))
    figure(`photo → ${mode} page: all four, p50`, ms(percentile(total, 50)), '≤ 400 ms on 2 cores')
  }
}
