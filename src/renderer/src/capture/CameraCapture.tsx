import { useEffect, useRef, useState } from 'react'
import type { Quad } from '../../../shared/capture/types'
import { useI18n } from '../i18n/i18n'
import { Banner } from '../ui/Banner'
import type { CameraProblem } from '../scan/camera'
import { AutoCaptureTrigger } from './auto-capture'
import { PageCamera, type CameraChoice, type LiveOutline } from './page-camera'

/** Below this Laplacian variance (on the 640 px copy) a frame is too smeared to take by itself. */
const SHARP_ENOUGH = 40

export interface CameraShot {
  readonly image: Blob
  /** The live outline at the moment of the shot, in the still's pixels. */
  readonly corners: Quad | undefined
}

/**
 * The camera with the live page outline drawn over the video, auto-capture once the outline is
 * steady on a sharp frame, and a manual shutter. `busy` pauses auto-capture while a shot is processed.
 */
export function CameraCapture({ busy, onShot }: { busy: boolean; onShot: (shot: CameraShot) => Promise<void> }) {
  const { t } = useI18n()
  const video = useRef<HTMLVideoElement>(null)
  const overlay = useRef<HTMLCanvasElement>(null)
  const camera = useRef<PageCamera | undefined>(undefined)
  const trigger = useRef(new AutoCaptureTrigger())
  const latest = useRef<LiveOutline | undefined>(undefined)
  const busyRef = useRef(busy)
  // From the shutter until the page is on the board: one shot at a time, and the clerk sees it is on its way.
  const takingRef = useRef(false)
  const [taking, setTaking] = useState(false)
  const [shotFailed, setShotFailed] = useState(false)
  const autoRef = useRef(true)
  const onShotRef = useRef(onShot)
  const [problem, setProblem] = useState<CameraProblem>()
  const [cameras, setCameras] = useState<CameraChoice[]>([])
  const [deviceId, setDeviceId] = useState<string>()
  const [auto, setAuto] = useState(true)
  const [found, setFound] = useState(false)
  busyRef.current = busy
  autoRef.current = auto
  onShotRef.current = onShot

  const shoot = async (): Promise<void> => {
    const current = camera.current
    if (!current || takingRef.current) return
    takingRef.current = true
    setTaking(true)
    setShotFailed(false)
    try {
      const outline = latest.current
      const image = await current.still()
      await onShotRef.current({ image, corners: outline?.corners })
    } catch (error) {
      // The camera went away or refused the still; onShot reports its own failures on the board.
      console.error(`The camera did not take the picture: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`)
      setShotFailed(true)
    } finally {
      takingRef.current = false
      setTaking(false)
    }
  }

  useEffect(() => {
    if (!video.current) return
    const pageCamera = new PageCamera(video.current, (outline) => {
      latest.current = outline
      drawOutline(overlay.current, outline)
      setFound(outline.corners !== undefined)
      // While a shot is processed (or auto-capture is off) the trigger is not fed, so it cannot fire into the void.
      if (busyRef.current || takingRef.current || !autoRef.current) return
      if (trigger.current.observe({ corners: outline.corners, width: outline.videoWidth, height: outline.videoHeight, sharp: outline.sharpness >= SHARP_ENOUGH, at: performance.now() })) void shoot()
    })
    camera.current = pageCamera
    let stopped = false
    void pageCamera.start(deviceId).then(async (failure) => {
      if (stopped) return pageCamera.stop()
      setProblem(failure)
      if (!failure) setCameras(await PageCamera.list())
    })
    return () => {
      stopped = true
      pageCamera.stop()
      camera.current = undefined
    }
  }, [deviceId])

  if (problem) return <p className="camera-problem">{t(`camera.${problem}`)}</p>
  return (
    <div className="capture-camera">
      <div className="camera-view">
        <video ref={video} muted playsInline aria-label={t('capture.preview')} />
        <canvas ref={overlay} className="camera-overlay" aria-hidden="true" />
      </div>
      {shotFailed && <Banner tone="error">{t('capture.shotFailed')}</Banner>}
      <p className="hint" role="status" data-testid="outline-status">
        {taking ? t('capture.processing') : found ? t('capture.pageFound') : t('capture.lookingForPage')}
      </p>
      <div className="camera-controls">
        {cameras.length > 1 && (
          <label>
            {t('capture.chooseCamera')}
            <select value={deviceId ?? ''} onChange={(event) => setDeviceId(event.target.value || undefined)}>
              {cameras.map((choice) => (
                <option key={choice.deviceId} value={choice.deviceId}>
                  {choice.label}
                </option>
              ))}
            </select>
          </label>
        )}
        <label className="checkbox">
          <input type="checkbox" checked={auto} onChange={() => setAuto(!auto)} />
          {t('capture.autoCapture')}
        </label>
        <button
          type="button"
          className="touch-button primary"
          disabled={busy || taking}
          onClick={() => {
            trigger.current.disarm()
            void shoot()
          }}
        >
          {t('capture.shutter')}
        </button>
      </div>
    </div>
  )
}

function drawOutline(canvas: HTMLCanvasElement | null, outline: LiveOutline): void {
  const context = canvas?.getContext('2d')
  if (!canvas || !context) return
  if (canvas.width !== outline.videoWidth || canvas.height !== outline.videoHeight) {
    canvas.width = outline.videoWidth
    canvas.height = outline.videoHeight
  }
  context.clearRect(0, 0, canvas.width, canvas.height)
  if (!outline.corners) return
  context.strokeStyle = '#22c55e'
  context.fillStyle = 'rgba(34, 197, 94, 0.15)'
  context.lineWidth = Math.max(4, canvas.width / 200)
  context.beginPath()
  outline.corners.forEach((point, index) => (index === 0 ? context.moveTo(point.x, point.y) : context.lineTo(point.x, point.y)))
  context.closePath()
  context.fill()
  context.stroke()
}
