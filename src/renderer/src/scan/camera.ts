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

/** Frames are taken at most this often; a 2-core kiosk PC must keep room for the screen. */
const FRAME_INTERVAL_MS = 150

/**
 * The camera as a QR scanner: getUserMedia, frames drawn to a canvas, turned grey and decoded in
 * a Web Worker, one frame in flight at a time.
 */
export class CameraScanner {
  private stream: MediaStream | undefined
  private worker: Worker | undefined
  private timer: ReturnType<typeof setTimeout> | undefined
  private busy = false
  private nextId = 0
  private readonly canvas = document.createElement('canvas')

  constructor(private readonly options: CameraOptions) {}

  async start(): Promise<CameraProblem | undefined> {
    const opened = await openCamera({ width: { ideal: 1280 }, height: { ideal: 720 }, facingMode: 'environment' })
    if (typeof opened === 'string') return opened
    this.stream = opened
    this.options.video.srcObject = this.stream
    await this.options.video.play().catch(() => undefined)
    this.worker = new Worker(new URL('./qr-worker.ts', import.meta.url), { type: 'module' })
    this.worker.onmessage = (message: MessageEvent<FrameReply>) => this.onReply(message.data)
    this.schedule()
    return undefined
  }

  stop(): void {
    clearTimeout(this.timer)
    this.worker?.terminate()
    for (const track of this.stream?.getTracks() ?? []) track.stop()
    this.stream = undefined
    this.worker = undefined
  }

  /** Torch and zoom, when the camera offers them (document cameras and phones often do; webcams rarely). */
  capabilities(): { torch: boolean; zoom?: { min: number; max: number; step: number } } {
    const track = this.stream?.getVideoTracks()[0]
    const capabilities = (track?.getCapabilities?.() ?? {}) as MediaTrackCapabilities & { torch?: boolean; zoom?: { min: number; max: number; step: number } }
    return { torch: capabilities.torch === true, ...(capabilities.zoom && { zoom: capabilities.zoom }) }
  }

  async setTorch(on: boolean): Promise<void> {
    await this.stream?.getVideoTracks()[0]?.applyConstraints({ advanced: [{ torch: on } as MediaTrackConstraintSet] })
  }

  async setZoom(zoom: number): Promise<void> {
    await this.stream?.getVideoTracks()[0]?.applyConstraints({ advanced: [{ zoom } as MediaTrackConstraintSet] })
  }

  private schedule(): void {
    this.timer = setTimeout(() => this.grab(), FRAME_INTERVAL_MS)
  }

  private grab(): void {
    const { video } = this.options
    if (!this.worker || this.busy || video.videoWidth === 0) return this.schedule()
    const width = video.videoWidth
    const height = video.videoHeight
    this.canvas.width = width
    this.canvas.height = height
    const context = this.canvas.getContext('2d', { willReadFrequently: true })
    if (!context) return this.schedule()
    context.drawImage(video, 0, 0, width, height)
    const rgba = context.getImageData(0, 0, width, height).data
    const luminance = new Uint8Array(width * height)
    for (let pixel = 0, offset = 0; pixel < luminance.length; pixel++, offset += 4) {
      // Integer BT.601 luma: fast, and what zxing's own RGB source computes.
      luminance[pixel] = (rgba[offset]! * 77 + rgba[offset + 1]! * 150 + rgba[offset + 2]! * 29) >> 8
    }
    this.busy = true
    const request: FrameRequest = { id: ++this.nextId, width, height, luminance: luminance.buffer }
    this.worker.postMessage(request, [luminance.buffer])
    this.schedule()
  }

  private onReply(reply: FrameReply): void {
    this.busy = false
    this.options.onFrameDecoded?.(reply)
    const video = this.options.video
    for (const code of reply.codes) this.options.onCode(code, { width: video.videoWidth, height: video.videoHeight })
  }
}
