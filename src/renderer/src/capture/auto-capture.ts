import type { Quad } from '../../../shared/capture/types'

/** The outline must stay within this share of the frame's diagonal... */
export const STEADY_TOLERANCE = 0.015
/** ...for this long, on sharp frames, before the page is taken by itself. */
export const STEADY_HOLD_MS = 800

export interface OutlineObservation {
  /** The page found in the frame, or none. */
  readonly corners: Quad | undefined
  readonly width: number
  readonly height: number
  readonly sharp: boolean
  /** Milliseconds, monotonic. */
  readonly at: number
}

/** How far the furthest corner of `a` is from its counterpart in `b`, in pixels. */
export function largestCornerShift(a: Quad, b: Quad): number {
  return Math.max(...a.map((point, index) => Math.hypot(point.x - b[index]!.x, point.y - b[index]!.y)))
}

/**
 * Auto-capture: fires once the page outline has held still (every corner within 1.5 % of the
 * diagonal of where the steady spell began, so a slow drift does not count as still) for 0.8 s on
 * a sharp frame. After firing it waits for the outline to move or vanish (the next page) before it
 * can fire again, so one page is never taken twice.
 */
export class AutoCaptureTrigger {
  private anchor: Quad | undefined
  private steadySince = 0
  private armed = true

  observe(observation: OutlineObservation): boolean {
    const { corners } = observation
    if (!corners) {
      this.anchor = undefined
      this.armed = true
      return false
    }
    const diagonal = Math.hypot(observation.width, observation.height)
    if (!this.anchor || largestCornerShift(corners, this.anchor) > STEADY_TOLERANCE * diagonal) {
      // A page that moved is a new chance; one just come into view keeps the current state.
      if (this.anchor) this.armed = true
      this.anchor = corners
      this.steadySince = observation.at
      return false
    }
    if (!this.armed || !observation.sharp || observation.at - this.steadySince < STEADY_HOLD_MS) return false
    this.armed = false
    return true
  }

  /** After a manual shot: the page in view was just taken, so wait for it to move or go. */
  disarm(): void {
    this.armed = false
  }
}
