import { decodeFrame, type DecodedCode } from '../../../shared/scan/decode-frame'

export interface FrameRequest {
  readonly id: number
  readonly width: number
  readonly height: number
  /** One grey byte per pixel; transferred, not copied. */
  readonly luminance: ArrayBuffer
}

export interface FrameReply {
  readonly id: number
  readonly codes: readonly DecodedCode[]
  readonly ms: number
  readonly error?: string
}

// The renderer is type-checked with the DOM library; in a worker, postMessage takes no target origin.
const reply = (message: FrameReply): void => (self as unknown as { postMessage(message: FrameReply): void }).postMessage(message)

/** Decodes camera frames off the main thread, so the kiosk stays responsive while it looks for a code. */
self.onmessage = (message: MessageEvent<FrameRequest>) => {
  const { id, width, height, luminance } = message.data
  const started = performance.now()
  try {
    // One code per frame: proving there is no second one costs a whole failed search.
    const codes = decodeFrame({ data: new Uint8ClampedArray(luminance), width, height }, { maxCodes: 1 })
    reply({ id, codes, ms: performance.now() - started })
  } catch (error) {
    reply({ id, codes: [], ms: performance.now() - started, error: String(error) })
  }
}
