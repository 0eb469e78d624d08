import { useEffect, useRef, useState } from 'react'
import type { DecodedCode } from '../../../shared/scan/decode-frame'
import { useI18n } from '../i18n/i18n'
import { CameraScanner, type CameraProblem } from './camera'
import { useScanPublisher } from './scans'

/**
 * The live camera with the found code outlined; each new code goes to the scan hub with a short
 * beep. Says plainly when there is no camera or it is not allowed.
 */
export function CameraView() {
  const { t } = useI18n()
  const publish = useScanPublisher()
  const video = useRef<HTMLVideoElement>(null)
  const overlay = useRef<HTMLCanvasElement>(null)
  const [problem, setProblem] = useState<CameraProblem>()
  const [controls, setControls] = useState<ReturnType<CameraScanner['capabilities']>>({ torch: false })
  const [torch, setTorch] = useState(false)
  const scanner = useRef<CameraScanner | undefined>(undefined)

  useEffect(() => {
    if (!video.current) return
    const camera = new CameraScanner({
      video: video.current,
      onCode: (code, frame) => {
        outline(overlay.current, code, frame)
        beep()
        publish({ text: code.text, source: 'camera' })
      },
    })
    scanner.current = camera
    let stopped = false
    void camera.start().then((failure) => {
      if (stopped) return camera.stop()
      setProblem(failure)
      if (!failure) setControls(camera.capabilities())
    })
    return () => {
      stopped = true
      camera.stop()
    }
  }, [publish])

  if (problem) return <p className="camera-problem">{t(`camera.${problem}`)}</p>
  return (
    <div className="camera-view">
      <video ref={video} muted playsInline aria-label={t('camera.preview')} />
      <canvas ref={overlay} className="camera-overlay" aria-hidden="true" />
      <div className="camera-controls">
        {controls.torch && (
          <button type="button" className="small-button" aria-pressed={torch} onClick={() => void scanner.current?.setTorch(!torch).then(() => setTorch(!torch))}>
            {t('camera.torch')}
          </button>
        )}
        {controls.zoom && (
          <label>
            {t('camera.zoom')}
            <input type="range" min={controls.zoom.min} max={controls.zoom.max} step={controls.zoom.step} onChange={(event) => void scanner.current?.setZoom(Number(event.target.value))} />
          </label>
        )}
      </div>
    </div>
  )
}

function outline(canvas: HTMLCanvasElement | null, code: DecodedCode, frame: { width: number; height: number }): void {
  const context = canvas?.getContext('2d')
  if (!canvas || !context || code.corners.length === 0) return
  canvas.width = frame.width
  canvas.height = frame.height
  context.clearRect(0, 0, frame.width, frame.height)
  const xs = code.corners.map((point) => point.x)
  const ys = code.corners.map((point) => point.y)
  // The finder patterns sit inside the code's corners: widen the box a little so it frames the whole code.
  const margin = Math.max(20, (Math.max(...xs) - Math.min(...xs)) * 0.25)
  context.strokeStyle = '#22c55e'
  context.lineWidth = 8
  context.strokeRect(Math.min(...xs) - margin, Math.min(...ys) - margin, Math.max(...xs) - Math.min(...xs) + 2 * margin, Math.max(...ys) - Math.min(...ys) + 2 * margin)
  setTimeout(() => context.clearRect(0, 0, frame.width, frame.height), 1200)
}

let audio: AudioContext | undefined
function beep(): void {
  audio ??= new AudioContext()
  const oscillator = audio.createOscillator()
  const gain = audio.createGain()
  oscillator.frequency.value = 1500
  gain.gain.value = 0.15
  oscillator.connect(gain).connect(audio.destination)
  oscillator.start()
  oscillator.stop(audio.currentTime + 0.08)
}
