import { scaleQuad } from '../../../shared/capture/geometry'
import type { Quad } from '../../../shared/capture/types'
import { CameraFrameLoop, type CameraProblem } from '../scan/camera'
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
  private nextId = 0
  private scale = 1
  private readonly loop: CameraFrameLoop<OutlineReply>

  constructor(
    private readonly video: HTMLVideoElement,
    private readonly onOutline: (outline: LiveOutline) => void,
  ) {
    this.loop = new CameraFrameLoop<OutlineReply>({
      video,
      intervalMs: FRAME_INTERVAL_MS,
      createWorker: () => {
        const worker = new Worker(new URL('./outline-worker.ts', import.meta.url), { type: 'module' })
        // A worker that cannot start (its script, opencv.js) leaves the clerk the manual shutter; the log says why.
        worker.onerror = (event) => console.error(`Page outline worker failed: ${event.message}`)
        return worker
      },
      frameSize: ({ videoWidth, videoHeight }) => {
        this.scale = Math.min(1, OUTLINE_SIDE / Math.max(videoWidth, videoHeight))
        return { width: Math.round(videoWidth * this.scale), height: Math.round(videoHeight * this.scale) }
      },
      request: ({ width, height, data }) => {
        const request: OutlineRequest = { id: ++this.nextId, width, height, rgba: data.buffer }
        return { message: request, transfer: [data.buffer] }
      },
      onReply: (reply) => this.onReply(reply),
    })
  }

  /** The cameras the clerk can choose from (named once the camera is allowed). */
  static async list(): Promise<CameraChoice[]> {
    const devices = (await navigator.mediaDevices?.enumerateDevices?.()) ?? []
    return devices.filter((device) => device.kind === 'videoinput').map((device, index) => ({ deviceId: device.deviceId, label: device.label || `Camera ${index + 1}` }))
  }

  start(deviceId?: string): Promise<CameraProblem | undefined> {
    return this.loop.start(deviceId ? { ...IDEAL_VIDEO, deviceId: { exact: deviceId } } : { ...IDEAL_VIDEO, facingMode: 'environment' })
  }

  stop(): void {
    this.loop.stop()
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

  private onReply(reply: OutlineReply): void {
    if (reply.error) console.error(`Page outline failed: ${reply.error}`)
    this.onOutline({
      corners: reply.corners && scaleQuad(reply.corners, 1 / this.scale),
      sharpness: reply.sharpness,
      videoWidth: this.video.videoWidth,
      videoHeight: this.video.videoHeight,
    })
  }
}
