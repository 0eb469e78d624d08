import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'

export const CAMERA_WIDTH = 1280
export const CAMERA_HEIGHT = 720

/**
 * A video file Chromium plays as its camera (`--use-file-for-fake-video-capture`): YUV4MPEG2 at
 * one picture every two seconds, each picture centred on a white 1280×720 frame and turned grey by
 * ImageMagick (synchronously, since the browser's flags are fixed before it starts).
 */
export function writeFakeCameraVideo(pictures: readonly string[], output: string): string {
  const header = `YUV4MPEG2 W${CAMERA_WIDTH} H${CAMERA_HEIGHT} F1:1 Ip A1:1 C420jpeg\n`
  const chroma = Buffer.alloc((CAMERA_WIDTH / 2) * (CAMERA_HEIGHT / 2), 128)
  const frames = pictures.map((picture) => {
    const raw = `${output}.frame.gray`
    try {
      execFileSync('convert', [picture, '-background', 'white', '-gravity', 'center', '-extent', `${CAMERA_WIDTH}x${CAMERA_HEIGHT}`, '-colorspace', 'Gray', '-depth', '8', `gray:${raw}`])
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('convert (ImageMagick) is not installed; the camera test needs it')
      throw error
    }
    const luma = readFileSync(raw)
    if (luma.length !== CAMERA_WIDTH * CAMERA_HEIGHT) throw new Error(`${picture}: expected ${CAMERA_WIDTH}×${CAMERA_HEIGHT} grey pixels, got ${luma.length}`)
    const frame = Buffer.concat([Buffer.from('FRAME\n'), luma, chroma, chroma])
    // Chromium plays whole frame rates only: two frames at 1 fps keep a picture up for two seconds.
    return Buffer.concat([frame, frame])
  })
  writeFileSync(output, Buffer.concat([Buffer.from(header), ...frames]))
  return output
}
