import type { DecodedCode } from '../../../shared/scan/decode-frame'
import type { FrameReply, FrameRequest } from './qr-worker'

export type CameraProblem = 'noCamera' | 'denied' | 'failed'

export interface CameraOptions {
  readonly video: HTMLVideoElement
  readonly onCode: (code: DecodedCode, frame: { width: number; height: number }) => void
  readonly onFrameDecoded?: (reply: FrameReply) => void
}

/** Opens a camera (video only), or says in one word why not: the QR scanner and the page camera share it. */
export async function openCamera(video: MediaTrackConstraints): Promise<MediaStream | CameraProblem> {
  if (!navigator.mediaDevices?.getUserMedia) return 'noCamera'
  try {
    return await navigator.mediaDevices.getUserMedia({ video, audio: false })
  } catch (error) {
    const name = (error as DOMException).name
    if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'noCamera'
    if (name === 'NotAllowedError' || name === 'SecurityError') return 'denied'
    return 'failed'
  }
}

/**
 * A camera playing into a video element, its frames handed to a worker one at a time, at most every
 * `intervalMs`: what the QR scanner and the page camera share.
 */
export class CameraFrameLoop<Reply> {
  private stream: MediaStream | undefined
  private worker: Worker | undefined
  private timer: ReturnType<typeof setTimeout> | undefined
  private busy = false
  private readonly canvas = document.createElement('canvas')

  constructor(
    private readonly options: {
      readonly video: HTMLVideoElement
      readonly intervalMs: number
      /** Called with a literal `new Worker(new URL(...))`, so the bundler finds the worker's script. */
      readonly createWorker: () => Worker
      /** The size the frame is drawn at before it goes to the worker. */
      readonly frameSize: (video: HTMLVideoElement) => { width: number; height: number }
      /** The worker's request for one drawn frame, and what to transfer rather than copy. */
      readonly request: (frame: ImageData) => { message: unknown; transfer: Transferable[] }
      readonly onReply: (reply: Reply) => void
    },
  ) {}

  async start(constraints: MediaTrackConstraints): Promise<CameraProblem | undefined> {
    const opened = await openCamera(constraints)
    if (typeof opened === 'string') return opened
    this.stream = opened
    this.options.video.srcObject = opened
    await this.options.video.play().catch(() => undefined)
    this.worker = this.options.createWorker()
    this.worker.onmessage = (message: MessageEvent<Reply>) => {
      this.busy = false
      this.options.onReply(message.data)
    }
    this.schedule()
    return undefined
  }

  stop(): void {
    clearTimeout(this.timer)
    this.worker?.terminate()
    for (const track of this.stream?.getTracks() ?? []) track.stop()
    this.stream = undefined
    this.worker = undefined
    this.busy = false
  }

  get videoTrack(): MediaStreamTrack | undefined {
    return this.stream?.getVideoTracks()[0]
  }

  private schedule(): void {
    this.timer = setTimeout(() => this.grab(), this.options.intervalMs)
  }

  private grab(): void {
    const { video } = this.options
    if (!this.worker || this.busy || video.videoWidth === 0) return this.schedule()
    const { width, height } = this.options.frameSize(video)
    this.canvas.width = width
    this.canvas.height = height
    const context = this.canvas.getContext('2d', { willReadFrequently: true })
    if (!context) return this.schedule()
    context.drawImage(video, 0, 0, width, height)
    const { message, transfer } = this.options.request(context.getImageData(0, 0, width, height))
    this.busy = true
    this.worker.postMessage(message, transfer)
    this.schedule()
  }
}

/** Frames are taken at most this often; a 2-core kiosk PC must keep room for the screen. */
const FRAME_INTERVAL_MS = 150

/**
 * The camera as a QR scanner: frames turned grey and decoded in a Web Worker, one frame in flight at a time.
 */
export class CameraScanner {
  private nextId = 0
  private readonly loop: CameraFrameLoop<FrameReply>

  constructor(private readonly options: CameraOptions) {
    this.loop = new CameraFrameLoop<FrameReply>({
      video: options.video,
      intervalMs: FRAME_INTERVAL_MS,
      createWorker: () => new Worker(new URL('./qr-worker.ts', import.meta.url), { type: 'module' }),
      frameSize: (video) => ({ width: video.videoWidth, height: video.videoHeight }),
      request: (frame) => this.request(frame),
      onReply: (reply) => this.onReply(reply),
    })
  }

  start(): Promise<CameraProblem | undefined> {
    return this.loop.start({ width: { ideal: 1280 }, height: { ideal: 720 }, facingMode: 'environment' })
  }

  stop(): void {
    this.loop.stop()
  }

  /** Torch and zoom, when the camera offers them (document cameras and phones often do; webcams rarely). */
  capabilities(): { torch: boolean; zoom?: { min: number; max: number; step: number } } {
    const capabilities = (this.loop.videoTrack?.getCapabilities?.() ?? {}) as MediaTrackCapabilities & { torch?: boolean; zoom?: { min: number; max: number; step: number } }
    return { torch: capabilities.torch === true, ...(capabilities.zoom && { zoom: capabilities.zoom }) }
  }

  async setTorch(on: boolean): Promise<void> {
    await this.loop.videoTrack?.applyConstraints({ advanced: [{ torch: on } as MediaTrackConstraintSet] })
  }

  async setZoom(zoom: number): Promise<void> {
    await this.loop.videoTrack?.applyConstraints({ advanced: [{ zoom } as MediaTrackConstraintSet] })
  }

  private request({ width, height, data: rgba }: ImageData): { message: FrameRequest; transfer: Transferable[] } {
    const luminance = new Uint8Array(width * height)
    for (let pixel = 0, offset = 0; pixel < luminance.length; pixel++, offset += 4) {
      // Integer BT.601 luma: fast, and what zxing's own RGB source computes.
      luminance[pixel] = (rgba[offset]! * 77 + rgba[offset + 1]! * 150 + rgba[offset + 2]! * 29) >> 8
    }
    return { message: { id: ++this.nextId, width, height, luminance: luminance.buffer }, transfer: [luminance.buffer] }
  }

  private onReply(reply: FrameReply): void {
    this.options.onFrameDecoded?.(reply)
    const video = this.options.video
    for (const code of reply.codes) this.options.onCode(code, { width: video.videoWidth, height: video.videoHeight })
  }
}
