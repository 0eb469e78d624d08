/** The little of Electron's Input the kiosk filter needs. */
export interface KeyInput {
  readonly type: string
  readonly key: string
  readonly control: boolean
  readonly meta: boolean
  readonly alt: boolean
  readonly shift: boolean
}

const ALWAYS_SWALLOWED = new Set(['F1', 'F3', 'F5', 'F6', 'F7', 'F11', 'F12', 'BrowserBack', 'BrowserForward', 'BrowserRefresh', 'BrowserHome'])
const WITH_CONTROL = new Set(['w', 'q', 'r', 'n', 't', 'p', 's', 'o', 'f', 'g', 'h', 'j', 'l', 'u', '+', '-', '=', '0', 'tab'])
/** Developer tools and the element inspector. */
const WITH_CONTROL_SHIFT = new Set(['i', 'j', 'c'])

/**
 * Keys that would let a resident leave or break the kiosk screen (close, reload, print, dev tools,
 * zoom, history). Only key presses are judged; the screen's own typing never uses these.
 */
export function isKioskEscapeKey(input: KeyInput): boolean {
  if (input.type !== 'keyDown' && input.type !== 'rawKeyDown') return false
  if (ALWAYS_SWALLOWED.has(input.key)) return true
  if (input.alt && (input.key === 'F4' || input.key === 'ArrowLeft' || input.key === 'ArrowRight' || input.key === 'Home')) return true
  const withControl = input.control || input.meta
  if (withControl && WITH_CONTROL.has(input.key.toLowerCase())) return true
  if (withControl && input.shift && WITH_CONTROL_SHIFT.has(input.key.toLowerCase())) return true
  return false
}
