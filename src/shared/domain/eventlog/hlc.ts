/**
 * Hybrid logical clock (Kulkarni et al.): wall-clock milliseconds plus a counter, so that events
 * are ordered causally across devices whose clocks disagree, and still read as real times.
 * Encoded as 16 lower-case hex digits (12 for milliseconds, 4 for the counter) so that the
 * string order is the clock order and IndexedDB can index it.
 */
export interface HlcState {
  readonly wallMs: number
  readonly counter: number
}

export const HLC_PATTERN = /^[0-9a-f]{16}$/
const MAX_COUNTER = 0xffff
/** A remote clock further ahead than this is not followed: one bad clock must not drag the ward into the future. */
export const MAX_FORWARD_DRIFT_MS = 24 * 60 * 60 * 1000

export const HLC_ZERO: HlcState = { wallMs: 0, counter: 0 }

export function encodeHlc(state: HlcState): string {
  return state.wallMs.toString(16).padStart(12, '0') + state.counter.toString(16).padStart(4, '0')
}

export function decodeHlc(encoded: string): HlcState {
  if (!HLC_PATTERN.test(encoded)) throw new RangeError(`Not a hybrid logical clock value: ${JSON.stringify(encoded)}`)
  return { wallMs: parseInt(encoded.slice(0, 12), 16), counter: parseInt(encoded.slice(12), 16) }
}

/** The clock value for a new local event. */
export function tickHlc(previous: HlcState, nowMs: number): HlcState {
  if (nowMs > previous.wallMs) return { wallMs: nowMs, counter: 0 }
  return bumpCounter(previous)
}

/** Advance past a clock value seen on another replica's event. */
export function receiveHlc(previous: HlcState, remote: HlcState, nowMs: number): HlcState {
  if (remote.wallMs > nowMs + MAX_FORWARD_DRIFT_MS) return previous
  const wallMs = Math.max(previous.wallMs, remote.wallMs, nowMs)
  if (wallMs === previous.wallMs && wallMs === remote.wallMs) {
    return bumpCounter({ wallMs, counter: Math.max(previous.counter, remote.counter) })
  }
  if (wallMs === previous.wallMs) return bumpCounter(previous)
  if (wallMs === remote.wallMs) return bumpCounter(remote)
  return { wallMs, counter: 0 }
}

function bumpCounter(state: HlcState): HlcState {
  // The counter only overflows with 65,536 events in one millisecond; borrowing a millisecond keeps order.
  if (state.counter >= MAX_COUNTER) return { wallMs: state.wallMs + 1, counter: 0 }
  return { wallMs: state.wallMs, counter: state.counter + 1 }
}
