/**
 * Turning a page picture (a photo from the counter's camera, a scanner's page) into an archival page: decoded and
 * encoded here with sharp, processed in a worker thread by the opencv.js pipeline (src/shared/capture). One worker
 * by default (the counter PCs have 2 cores and the UI needs one); pages queue for it.
 */
import { createHash } from 'node:crypto'
import { Worker } from 'node:worker_threads'
import sharp from 'sharp'
import { z } from 'zod'
import { CodedError } from '../../../shared/coded-error'
import { A4_INCHES, MAX_INPUT_PIXELS, scaleQuad } from '../../../shared/capture/geometry'
import type { PageImage } from '../../../shared/capture/process-page-image'
import { PAGE_SOURCES, type CaptureMode, type PageQuality, type PageSource, type Quad } from '../../../shared/capture/types'
import { encodeOcrImage, encodePage, encodeThumbnail } from './page-encoding'
import type { PageJob, PageJobReply } from './page-jobs'

export interface ProcessPageOptions {
  mode: CaptureMode
  dpi: 200 | 300
  source: PageSource
  /** The clerk's or live detector's quad, in source px. */
  corners?: Quad
}

export interface ProcessedPage {
  readonly widthPx: number
  readonly heightPx: number
  readonly dpi: number
  readonly encoding: 'jpeg' | 'ccitt-g4'
  /** jpeg: a JPEG file (baseline, sRGB or gray, JFIF with the dpi); ccitt-g4: the raw CCITT Group 4 stream
   *  (K=-1, BlackIs1 false, EncodedByteAlign false, EndOfBlock true), widthPx × heightPx, ready for a PDF /CCITTFaxDecode. */
  readonly bytes: Uint8Array
  /** hex of bytes: the page's content address */
  readonly sha256: string
  /** a PNG, grey, of the rectified page at its dpi, for OCR (not stored) */
  readonly ocrImage: Uint8Array
  /** ≤ 240 px tall, for the clerk's thumbnails */
  readonly thumbnailJpeg: Uint8Array
  /** applied to make text upright */
  readonly rotation: 0 | 90 | 180 | 270
  readonly deskewDegrees: number
  /** the page found in the source (photo) */
  readonly corners?: Quad
  readonly blank: boolean
  readonly quality: PageQuality
}

export type PageProcessingErrorCode = 'unreadableImage' | 'imageTooLarge' | 'imageTooSmall' | 'invalidOptions' | 'processingFailed'
/** A page that cannot be processed; `code` tells the screen which Vietnamese message to show, the message is for logs. */
export class PageProcessingError extends CodedError<PageProcessingErrorCode> {}

/** Smaller than this on either side, no page is legible. */
export const MIN_INPUT_SIDE = 200
/** Sources are shrunk (while decoding) to this many times the output's long side: finer detail is thrown away anyway. */
const SOURCE_OVERSAMPLING = 1.6

const point = z.object({ x: z.number().finite(), y: z.number().finite() })
const optionsSchema = z.object({
  mode: z.enum(['color', 'gray', 'bw']),
  dpi: z.union([z.literal(200), z.literal(300)]),
  source: z.enum(PAGE_SOURCES),
  corners: z.tuple([point, point, point, point]).optional(),
})

export interface PageProcessor {
  processPage(image: Uint8Array, options: ProcessPageOptions): Promise<ProcessedPage>
  /** Stops the worker threads; pages still queued are rejected. */
  close(): Promise<void>
}

/** A 600 dpi A4 page takes a few seconds on a counter PC; a page still running after this is stuck, not slow. */
export const DEFAULT_PAGE_TIMEOUT_MS = 120_000

export interface PageProcessorSettings {
  /** Worker threads, default 1. */
  readonly workers?: number
  /** Longest a worker may take over one page before it is stopped. */
  readonly pageTimeoutMs?: number
  /** Starts a worker thread; tests wrap it to reach the threads. */
  readonly startWorker?: () => Worker
}

/** A processor with its own worker threads. */
export function createPageProcessor(settings: PageProcessorSettings = {}): PageProcessor {
  const pool = new PageWorkerPool(Math.max(1, settings.workers ?? 1), settings.pageTimeoutMs ?? DEFAULT_PAGE_TIMEOUT_MS, settings.startWorker ?? startPageWorker)
  return {
    processPage: (image, options) => processWith(pool, image, options),
    close: () => pool.close(),
  }
}

let shared: PageProcessor | undefined

/**
 * Decodes an image file (JPEG, PNG, TIFF, WebP) and processes it in a worker thread. Rejects with a
 * PageProcessingError ('unreadableImage', 'imageTooLarge', 'imageTooSmall', 'invalidOptions', 'processingFailed').
 */
export function processPage(image: Uint8Array, options: ProcessPageOptions): Promise<ProcessedPage> {
  shared ??= createPageProcessor()
  return shared.processPage(image, options)
}

/** Stops the shared processor's worker (tests, benchmarks, shutdown); the next processPage starts a new one. */
export async function closePageProcessor(): Promise<void> {
  const closing = shared
  shared = undefined
  await closing?.close()
}

async function processWith(pool: PageWorkerPool, image: Uint8Array, options: ProcessPageOptions): Promise<ProcessedPage> {
  const parsed = optionsSchema.safeParse(options)
  if (!parsed.success) throw new PageProcessingError('invalidOptions', `processPage options: ${z.prettifyError(parsed.error)}`)
  const { mode, dpi, source } = parsed.data
  const corners = parsed.data.corners as Quad | undefined
  if (!(image instanceof Uint8Array) || image.length === 0) throw new PageProcessingError('unreadableImage', 'the page picture is empty')

  const pageImage = await pool.withWorker(async (run) => {
    const decoded = await decode(image, Math.round(A4_INCHES.long * dpi * SOURCE_OVERSAMPLING))
    const scaledCorners = corners && scaleQuad(corners, decoded.scale)
    const result = await run({ width: decoded.width, height: decoded.height, rgba: decoded.rgba, options: { mode, dpi, source, ...(scaledCorners && { corners: scaledCorners }) } })
    return { ...result, ...(result.corners && { corners: scaleQuad(result.corners, 1 / decoded.scale) }) }
  })

  const [encoded, ocrImage, thumbnailJpeg] = await Promise.all([encodePage(pageImage.page, mode, dpi), encodeOcrImage(pageImage.ocrGray, dpi), encodeThumbnail(pageImage.page)])
  return {
    widthPx: pageImage.page.width,
    heightPx: pageImage.page.height,
    dpi,
    encoding: encoded.encoding,
    bytes: encoded.bytes,
    sha256: createHash('sha256').update(encoded.bytes).digest('hex'),
    ocrImage,
    thumbnailJpeg,
    rotation: pageImage.rotation,
    deskewDegrees: pageImage.deskewDegrees,
    ...(pageImage.corners && { corners: pageImage.corners }),
    blank: pageImage.blank,
    quality: pageImage.quality,
  }
}

interface DecodedImage {
  readonly width: number
  readonly height: number
  readonly rgba: ArrayBuffer
  /** Decoded pixels per source pixel (the source as its EXIF orientation shows it). */
  readonly scale: number
}

/** The picture upright (EXIF), shrunk to `maxSide` while decoding, as RGBA. Throws PageProcessingError only. */
async function decode(image: Uint8Array, maxSide: number): Promise<DecodedImage> {
  try {
    const input = sharp(image, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'truncated' })
    const metadata = await input.metadata()
    const width = metadata.autoOrient?.width ?? metadata.width
    const height = metadata.autoOrient?.height ?? metadata.height
    if (width === undefined || height === undefined) throw new PageProcessingError('unreadableImage', 'the picture has no size')
    if (Math.min(width, height) < MIN_INPUT_SIDE) throw new PageProcessingError('imageTooSmall', `the picture is ${width}×${height} px; a page needs at least ${MIN_INPUT_SIDE} px on each side`)
    const { data, info } = await input
      .rotate()
      .resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true })
      .removeAlpha()
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true })
    // A Buffer may sit in Node's shared pool: copy into an ArrayBuffer of its own, which can be transferred.
    const rgba = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength ? (data.buffer as ArrayBuffer) : data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer
    return { width: info.width, height: info.height, rgba, scale: info.width / width }
  } catch (error) {
    if (error instanceof PageProcessingError) throw error
    const detail = error instanceof Error ? error.message.split('\n')[0]! : String(error)
    if (/pixel limit/i.test(detail)) throw new PageProcessingError('imageTooLarge', `the picture has more than ${MAX_INPUT_PIXELS} pixels`, { cause: error })
    throw new PageProcessingError('unreadableImage', `not a readable image (${detail})`, { cause: error })
  }
}

type RunJob = (job: Omit<PageJob, 'id'>) => Promise<PageImage>

/** Worker threads started on demand, one page each at a time; callers wait in line for a free one. */
class PageWorkerPool {
  private readonly idle: Worker[] = []
  private readonly waiting: { resolve: (worker: Worker) => void; reject: (error: Error) => void }[] = []
  /** Workers that crashed or exited mid-page: never handed out again. */
  private readonly dead = new WeakSet<Worker>()
  private started = 0
  private nextJobId = 1
  private closed = false

  constructor(
    private readonly size: number,
    private readonly pageTimeoutMs: number,
    private readonly startWorker: () => Worker,
  ) {}

  async withWorker<T>(work: (run: RunJob) => Promise<T>): Promise<T> {
    const worker = await this.acquire()
    try {
      return await work((job) => this.send(worker, { ...job, id: this.nextJobId++ }))
    } finally {
      if (this.dead.has(worker)) this.discard(worker)
      else this.release(worker)
    }
  }

  async close(): Promise<void> {
    this.closed = true
    for (const waiter of this.waiting.splice(0)) waiter.reject(new PageProcessingError('processingFailed', 'the page processor was closed'))
    await Promise.all(this.idle.splice(0).map((worker) => worker.terminate()))
  }

  private acquire(): Promise<Worker> {
    if (this.closed) return Promise.reject(new PageProcessingError('processingFailed', 'the page processor was closed'))
    const worker = this.idle.pop()
    if (worker !== undefined) return Promise.resolve(worker)
    if (this.started < this.size) {
      this.started++
      return Promise.resolve(this.start())
    }
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }))
  }

  private start(): Worker {
    const worker = this.startWorker()
    // A worker that dies between pages (out of memory, killed) is forgotten, so the next page starts a new one
    // instead of waiting forever on a dead thread. One that dies mid-page is discarded by withWorker.
    worker.once('exit', () => {
      const at = this.idle.indexOf(worker)
      if (at < 0) return
      this.idle.splice(at, 1)
      this.started--
    })
    return worker
  }

  private release(worker: Worker): void {
    const waiter = this.waiting.shift()
    if (waiter !== undefined) return waiter.resolve(worker)
    if (this.closed) {
      void worker.terminate()
      return
    }
    // An idle worker must not keep the process alive.
    worker.unref()
    this.idle.push(worker)
  }

  private discard(worker: Worker): void {
    this.started--
    void worker.terminate()
    const waiter = this.waiting.shift()
    if (waiter !== undefined) this.acquire().then(waiter.resolve, waiter.reject)
  }

  private send(worker: Worker, job: PageJob): Promise<PageImage> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup()
        this.dead.add(worker)
        void worker.terminate()
        reject(new PageProcessingError('processingFailed', `the page worker took more than ${this.pageTimeoutMs} ms over one page and was stopped`))
      }, this.pageTimeoutMs)
      const cleanup = (): void => {
        clearTimeout(timer)
        worker.off('message', onMessage)
        worker.off('error', onError)
        worker.off('exit', onExit)
      }
      const onMessage = (reply: PageJobReply): void => {
        if (reply.id !== job.id) return
        cleanup()
        if (reply.ok) resolve(reply.image)
        else reject(new PageProcessingError('processingFailed', `the page could not be processed: ${reply.message}`))
      }
      const onError = (error: Error): void => {
        cleanup()
        this.dead.add(worker)
        reject(new PageProcessingError('processingFailed', `the page worker failed: ${error.message}`, { cause: error }))
      }
      const onExit = (code: number): void => {
        cleanup()
        this.dead.add(worker)
        reject(new PageProcessingError('processingFailed', `the page worker stopped (exit code ${code})`))
      }
      worker.on('message', onMessage)
      worker.on('error', onError)
      worker.on('exit', onExit)
      worker.ref()
      worker.postMessage(job, [job.rgba])
    })
  }
}

/**
 * From the sources (tsx, vitest, the CLI) the worker starts through a small loader that registers tsx in the new
 * thread; in the electron-vite build it is its own entry beside the main bundle.
 */
export function startPageWorker(): Worker {
  const fromSources = import.meta.url.endsWith('.ts')
  const worker = new Worker(new URL(fromSources ? './page-worker-from-sources.mjs' : './capture-page-worker.js', import.meta.url))
  // A worker that dies between pages emits 'error' with no job listening: that must not take the app down.
  worker.on('error', () => {})
  return worker
}
