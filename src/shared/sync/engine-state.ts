import { fullJitterDelay, SYNC_BACKOFF, type BackoffPolicy } from './backoff'
import { SYNC_LIMITS } from './protocol'

/**
 * The device's sync engine as pure decisions (the renderer's engine does the I/O): what to send
 * next, how much at once so one request takes about two seconds on this link, and how long to
 * wait after a failure. Two lanes run side by side: sending (events, then blobs) and receiving.
 */

/** One request should take about this long: short enough that a cut costs little, long enough that headers and round trips are noise. */
export const TARGET_REQUEST_MS = 2000
/** A push body stays under the loopback web host's request limit (512 KiB) with room for JSON overhead. */
export const MAX_PUSH_BODY_BYTES = 384 * 1024
export const MIN_CHUNK_BYTES = 64 * 1024
/** Without long-poll (city topology) the device asks for news this often. */
export const CITY_PULL_INTERVAL_MS = 30_000
/** Long-poll wait in ward topology: the hub answers at once when a kiosk or counter writes. */
export const WARD_PULL_WAIT_SECONDS = 20
/** The sending lane looks at the outbox at least this often even when nothing woke it. */
export const IDLE_CHECK_MS = 5000

export interface LaneState {
  /** Failures in a row (0 after a success). */
  readonly failures: number
  /** Events in the next push. */
  readonly batchSize: number
  /** Measured link rate in bytes per second (undefined before the first measurement). */
  readonly bytesPerSecond?: number
  readonly lastSuccessAt?: number
  readonly lastError?: { readonly code: string; readonly message: string; readonly at: number }
}

export const INITIAL_LANE: LaneState = { failures: 0, batchSize: 50 }

export interface Measurement {
  readonly bytes: number
  readonly elapsedMs: number
  /** Events sent, for a push. */
  readonly events?: number
}

/** After a request succeeded: learn the link's rate (smoothed) and size the next batch to it. */
export function laneSucceeded(state: LaneState, measurement: Measurement, now: number): LaneState {
  const { lastError: _cleared, ...rest } = state
  const elapsed = Math.max(measurement.elapsedMs, 1)
  const observed = (measurement.bytes / elapsed) * 1000
  // Tiny requests say little about the link: let them move the estimate only a little.
  const weight = measurement.bytes >= 16 * 1024 ? 0.5 : 0.1
  const bytesPerSecond = state.bytesPerSecond === undefined ? observed : state.bytesPerSecond * (1 - weight) + observed * weight
  let batchSize = state.batchSize
  if (measurement.events !== undefined && measurement.events > 0) {
    const scaled = Math.round(measurement.events * (TARGET_REQUEST_MS / elapsed))
    // Grow at most 4× and shrink at most 4× at once, so one odd request does not swing it.
    batchSize = clamp(scaled, Math.max(1, Math.floor(measurement.events / 4)), measurement.events * 4)
  }
  return { ...rest, failures: 0, batchSize: clamp(batchSize, 1, SYNC_LIMITS.maxEventsPerPush), bytesPerSecond, lastSuccessAt: now }
}

/** After a failure: count it and halve the batch (a cut link often means a slow one). */
export function laneFailed(state: LaneState, error: { code: string; message: string }, now: number): LaneState {
  return { ...state, failures: state.failures + 1, batchSize: Math.max(1, Math.floor(state.batchSize / 2)), lastError: { ...error, at: now } }
}

export function retryDelayMs(state: LaneState, random: () => number, policy: BackoffPolicy = SYNC_BACKOFF): number {
  return state.failures === 0 ? 0 : fullJitterDelay(state.failures, policy, random)
}

/** Bytes in the next blob chunk: about two seconds of the link, within the protocol's limits. */
export function chunkBytesFor(state: LaneState): number {
  if (state.bytesPerSecond === undefined) return MIN_CHUNK_BYTES
  return clamp(Math.round((state.bytesPerSecond * TARGET_REQUEST_MS) / 1000), MIN_CHUNK_BYTES, SYNC_LIMITS.maxChunkBytes)
}

/** How many of the outbox's next events fit one push: the batch size, and the body limit. */
export function eventsForPush(sizes: readonly number[], batchSize: number, maxBytes: number = MAX_PUSH_BODY_BYTES): number {
  let total = 0
  let count = 0
  for (const size of sizes) {
    if (count >= batchSize || (count > 0 && total + size > maxBytes)) break
    total += size
    count++
  }
  return count
}

/** Blobs smallest first, so many page images get through before one large PDF. */
export function blobUploadOrder<T extends { readonly sha256: string; readonly size: number }>(blobs: readonly T[]): T[] {
  return [...blobs].sort((a, b) => a.size - b.size || (a.sha256 < b.sha256 ? -1 : 1))
}

/** Codes that no retry will cure: the technician must act (enrol again, fix the clock, fix the ward). */
const NEEDS_TECHNICIAN = new Set(['unauthenticated', 'unknownDevice', 'enrollmentRefused', 'wrongWard', 'notYourEvents', 'conflictingEvent', 'clockSkew', 'notConfigured', 'serverKeyChanged'])

export function needsTechnician(code: string): boolean {
  return NEEDS_TECHNICIAN.has(code)
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max)
}
