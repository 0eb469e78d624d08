/**
 * A handheld scanner in keyboard ("wedge") mode types a whole code in a few tens of milliseconds
 * and ends with Enter; a person types far slower. The detector watches key presses and reports a
 * burst that ends in Enter as a scan, so the screen can take it as a scan and undo what it typed
 * into a text field.
 */
export interface KeyPress {
  readonly key: string
  readonly at: number
}

/** Scanners send a character every 1–20 ms; the fastest typists stay above ~50 ms. */
export const MAX_GAP_MS = 35
/** Shorter bursts are left alone: a code worth scanning is longer than a word typed in a rush. */
export const MIN_SCAN_LENGTH = 6

export class WedgeDetector {
  private buffer = ''
  private lastAt = -Infinity

  /** Feeds one key press; returns the scanned text when this press (Enter) ends a burst. */
  press({ key, at }: KeyPress): string | undefined {
    const gap = at - this.lastAt
    this.lastAt = at
    if (gap > MAX_GAP_MS) this.buffer = ''
    if (key === 'Enter') {
      const scanned = this.buffer
      this.buffer = ''
      return scanned.length >= MIN_SCAN_LENGTH ? scanned : undefined
    }
    if (key.length === 1) this.buffer += key
    else if (key !== 'Shift' && key !== 'Dead') this.buffer = ''
    return undefined
  }

  /** Whether the presses so far look like the start of a scan (the caller remembers the field's value then). */
  get inBurst(): boolean {
    return this.buffer.length > 0
  }
}
