import { scaleQuad } from '../../../shared/capture/geometry'
import type { Quad } from '../../../shared/capture/types'
import { openCamera, type CameraProblem } from '../scan/camera'
import type { OutlineReply, OutlineRequest } from './outline-worker'

/** Long side of the frames the live outline is searched in: the detector works at 640 px anyway. */
const OUTLINE_SIDE = 640
/** At most this often; a 2-core counter PC must keep room for the screen. */
const FRAME_INTERVAL_MS = 200
/** The highest resolution asked for: 4K, the most a document camera offers and more than an A4 page needs at 300 dpi from a phone-style lens. */
const IDEAL_VIDEO = { width: { ideal: 3840 }, height: { ideal: 2160 } } as const

export interface LiveOutline {
  /** In the video's own pixels. */
  readonly corners: Quad | undefined
  readonly sharpness: number
  readonly videoWidth: number
  readonly videoHeight: number
}

export interface CameraChoice {
  readonly deviceId: string
  readonly label: string
}

/**
 * The page camera: the chosen camera at the highest resolution it offers up to 4K, downscaled
 * frames sent to the outline worker one at a time, and full-resolution stills for the pipeline.
 */
export class PageCamera {
  private stream: MediaStream | undefined
  private worker: Worker | undefined
  private timer: ReturnType<typeof setTimeout> | undefined
  private busy = false
  private nextId = 0
  private scale = 1
  private readonly canvas = document.createElement('canvas')

  constructor(
    private readonly video: HTMLVideoElement,
    private readonly onOutline: (outline: LiveOutline) => void,
  ) {}

  /** The cameras the clerk can choose from (named once the camera is allowed). */
  static async list(): Promise<CameraChoice[]> {
    const devices = (await navigator.mediaDevices?.enumerateDevices?.()) ?? []
    return devices.filter((device) => device.kind === 'videoinput').map((device, index) => ({ deviceId: device.deviceId, label: device.label || `Camera ${index + 1}` }))
  }

  async start(deviceId?: string): Promise<CameraProblem | undefined> {
    const opened = await openCamera(deviceId ? { ...IDEAL_VIDEO, deviceId: { exact: deviceId } } : { ...IDEAL_VIDEO, facingMode: 'environment' })
    if (typeof opened === 'string') return opened
    this.stream = opened
    this.video.srcObject = opened
    await this.video.play().catch(() => undefined)
    this.worker = new Worker(new URL('./outline-worker.ts', import.meta.url), { type: 'module' })
    this.worker.onmessage = (message: MessageEvent<OutlineReply>) => this.onReply(message.data)
    // A worker that cannot start (its script, opencv.js) leaves the clerk the manual shutter; the log says why.
    this.worker.onerror = (event) => console.error(`Page outline worker failed: ${event.message}`)
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

  /** The current frame at full resolution, as a JPEG file. */
  async still(): Promise<Blob> {
    const { videoWidth: width, videoHeight: height } = this.video
    if (width === 0) throw new Error('The camera has no picture yet')
    const canvas = document.createElement('canvas')
    canvas.width = width
    canvas.height = height
    canvas.getContext('2d')!.drawImage(this.video, 0, 0, width, height)
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.95))
    if (!blob) throw new Error('The camera frame could not be encoded')
    return blob
  }

  private schedule(): void {
    this.timer = setTimeout(() => this.grab(), FRAME_INTERVAL_MS)
  }

  private grab(): void {
    const { video } = this
    if (!this.worker || this.busy || video.videoWidth === 0) return this.schedule()
    this.scale = Math.min(1, OUTLINE_SIDE / Math.max(video.videoWidth, video.videoHeight))
    const width = Math.round(video.videoWidth * this.scale)
    const height = Math.round(video.videoHeight * this.scale)
    this.canvas.width = width
    this.canvas.height = height
    const context = this.canvas.getContext('2d', { willReadFrequently: true })
    if (!context) return this.schedule()
    context.drawImage(video, 0, 0, width, height)
    const rgba = context.getImageData(0, 0, width, height).data.buffer
    this.busy = true
    const request: OutlineRequest = { id: ++this.nextId, width, height, rgba }
    this.worker.postMessage(request, [rgba])
    this.schedule()
  }

  private onReply(reply: OutlineReply): void {
    this.busy = false
    if (reply.error) console.error(`Page outline failed: ${reply.error}`)
    this.onOutline({
      corners: reply.corners && scaleQuad(reply.corners, 1 / this.scale),
      sharpness: reply.sharpness,
      videoWidth: this.video.videoWidth,
      videoHeight: this.video.videoHeight,
    })
  }
}
