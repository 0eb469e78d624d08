/**
 * Retry delays with "full jitter" (AWS Architecture Blog, Exponential Backoff and Jitter): a random
 * wait between zero and an exponentially growing cap, so devices that lost the link together do not
 * all come back at the same moment.
 */
export interface BackoffPolicy {
  readonly baseMs: number
  readonly capMs: number
}

/** A device waits at most five minutes between attempts: a mountain commune's link may return at any time. */
export const SYNC_BACKOFF: BackoffPolicy = { baseMs: 1000, capMs: 5 * 60 * 1000 }

/** `attempt` counts failures in a row, from 1; `random` returns [0, 1). */
export function fullJitterDelay(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const exponent = Math.min(Math.max(attempt, 1) - 1, 30)
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** exponent)
  return Math.floor(random() * ceiling)
}
