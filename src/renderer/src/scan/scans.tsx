import { createContext, useContext, useEffect, useMemo, useRef, type ReactNode } from 'react'
import { WedgeDetector } from './wedge-detector'

export type ScanSource = 'camera' | 'serial' | 'wedge' | 'typed'

export interface Scan {
  readonly text: string
  readonly source: ScanSource
}

type ScanHandler = (scan: Scan) => void

interface ScanHub {
  publish(scan: Scan): void
  /** The most recently mounted handler takes the scans: the flow on screen, not the one behind it. */
  handle(handler: ScanHandler): () => void
}

/** A camera sees the same code many times a second, and people scan twice: once is enough. */
const REPEAT_SUPPRESSION_MS = 2500

const ScanContext = createContext<ScanHub | undefined>(undefined)

/**
 * One place where every scanner's codes arrive (the camera, a serial scanner through main, a
 * keyboard-wedge scanner) and go to whatever screen is waiting for one.
 */
export function ScanProvider({ children, subscribeSerial }: { children: ReactNode; subscribeSerial?: (publish: (scan: Scan) => void) => () => void }) {
  const handlers = useRef<ScanHandler[]>([])
  const hub = useMemo<ScanHub>(() => {
    let last: { text: string; at: number } | undefined
    return {
      publish(scan) {
        const now = performance.now()
        if (last && last.text === scan.text && now - last.at < REPEAT_SUPPRESSION_MS) return
        last = { text: scan.text, at: now }
        handlers.current.at(-1)?.(scan)
      },
      handle(handler) {
        handlers.current.push(handler)
        return () => {
          handlers.current = handlers.current.filter((candidate) => candidate !== handler)
        }
      },
    }
  }, [])

  useEffect(() => subscribeSerial?.(hub.publish), [hub, subscribeSerial])
  useEffect(() => listenForWedgeScans(hub.publish), [hub])
  return <ScanContext.Provider value={hub}>{children}</ScanContext.Provider>
}

/** Takes the scans while the calling component is on screen. */
export function useScans(handler: ScanHandler): void {
  const hub = useContext(ScanContext)
  const latest = useRef(handler)
  latest.current = handler
  useEffect(() => hub?.handle((scan) => latest.current(scan)), [hub])
}

export function useScanPublisher(): (scan: Scan) => void {
  const hub = useContext(ScanContext)
  return hub ? hub.publish : () => undefined
}

/**
 * Keyboard-wedge scanners type into whatever has the focus. A burst that ends in Enter is taken
 * as a scan: the Enter does not submit anything, and what the burst typed into a text field is
 * taken back out.
 */
function listenForWedgeScans(publish: (scan: Scan) => void): () => void {
  const detector = new WedgeDetector()
  let burstField: { element: HTMLInputElement | HTMLTextAreaElement; valueBefore: string } | undefined
  const onKeyDown = (event: KeyboardEvent): void => {
    const focused = document.activeElement
    if (!detector.inBurst && (focused instanceof HTMLInputElement || focused instanceof HTMLTextAreaElement)) {
      burstField = { element: focused, valueBefore: focused.value }
    }
    const scanned = detector.press({ key: event.key, at: event.timeStamp })
    if (scanned === undefined) return
    event.preventDefault()
    event.stopPropagation()
    if (burstField && burstField.element.value !== burstField.valueBefore) restoreValue(burstField.element, burstField.valueBefore)
    burstField = undefined
    publish({ text: scanned, source: 'wedge' })
  }
  window.addEventListener('keydown', onKeyDown, true)
  return () => window.removeEventListener('keydown', onKeyDown, true)
}

/** Sets a field's value so that React's controlled input sees the change too. */
function restoreValue(element: HTMLInputElement | HTMLTextAreaElement, value: string): void {
  const prototype = element instanceof HTMLInputElement ? HTMLInputElement.prototype : HTMLTextAreaElement.prototype
  Object.getOwnPropertyDescriptor(prototype, 'value')?.set?.call(element, value)
  element.dispatchEvent(new Event('input', { bubbles: true }))
}
