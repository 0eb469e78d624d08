import { describe, expect, it } from 'vitest'
import { blobUploadOrder, chunkBytesFor, eventsForPush, INITIAL_LANE, laneFailed, laneSucceeded, MIN_CHUNK_BYTES, needsTechnician, retryDelayMs, TARGET_REQUEST_MS } from '../../../src/shared/sync/engine-state'
import { SYNC_BACKOFF } from '../../../src/shared/sync/backoff'
import { SYNC_LIMITS } from '../../../src/shared/sync/protocol'

describe('the sync engine state machine', () => {
  it('sizes the next push to take about two seconds on the measured link', () => {
    // 100 events took 4 s: the link is slow, send half as many.
    expect(laneSucceeded({ ...INITIAL_LANE, batchSize: 100 }, { bytes: 40_000, elapsedMs: 4000, events: 100 }, 0).batchSize).toBe(50)
    // 100 events took 0.5 s: grow, but at most fourfold at once.
    expect(laneSucceeded({ ...INITIAL_LANE, batchSize: 100 }, { bytes: 40_000, elapsedMs: 500, events: 100 }, 0).batchSize).toBe(400)
    expect(laneSucceeded({ ...INITIAL_LANE, batchSize: 100 }, { bytes: 40_000, elapsedMs: 1, events: 100 }, 0).batchSize).toBe(400)
    // Never above the protocol's limit.
    expect(laneSucceeded({ ...INITIAL_LANE, batchSize: 1000 }, { bytes: 4_000_000, elapsedMs: 100, events: 1000 }, 0).batchSize).toBe(SYNC_LIMITS.maxEventsPerPush)
  })

  it('learns the link rate and sizes blob chunks to it, within the protocol limits', () => {
    expect(chunkBytesFor(INITIAL_LANE)).toBe(MIN_CHUNK_BYTES)
    const oneMbit = laneSucceeded(INITIAL_LANE, { bytes: 250_000, elapsedMs: 2000 }, 0)
    expect(oneMbit.bytesPerSecond).toBe(125_000)
    expect(chunkBytesFor(oneMbit)).toBe((125_000 * TARGET_REQUEST_MS) / 1000)
    const fast = laneSucceeded(INITIAL_LANE, { bytes: 100_000_000, elapsedMs: 1000 }, 0)
    expect(chunkBytesFor(fast)).toBe(SYNC_LIMITS.maxChunkBytes)
  })

  it('counts failures, halves the batch, and clears both on success', () => {
    const failed = laneFailed(laneFailed({ ...INITIAL_LANE, batchSize: 40 }, { code: 'network', message: 'cut' }, 10), { code: 'timeout', message: 'slow' }, 20)
    expect(failed).toMatchObject({ failures: 2, batchSize: 10, lastError: { code: 'timeout', at: 20 } })
    const recovered = laneSucceeded(failed, { bytes: 100, elapsedMs: 10, events: 10 }, 30)
    expect(recovered.failures).toBe(0)
    expect(recovered.lastError).toBeUndefined()
    expect(recovered.lastSuccessAt).toBe(30)
  })

  it('waits with full jitter after a failure, never longer than the cap, and not at all after a success', () => {
    expect(retryDelayMs(INITIAL_LANE, () => 0.99)).toBe(0)
    const many = { ...INITIAL_LANE, failures: 40 }
    expect(retryDelayMs(many, () => 0.999_999)).toBeLessThan(SYNC_BACKOFF.capMs)
    expect(retryDelayMs(many, () => 0)).toBe(0)
    expect(retryDelayMs({ ...INITIAL_LANE, failures: 1 }, () => 0.5)).toBe(SYNC_BACKOFF.baseMs / 2)
  })

  it('fills a push up to the batch size and the body limit, but always sends at least one event', () => {
    expect(eventsForPush([100, 100, 100], 2)).toBe(2)
    expect(eventsForPush([100, 100, 100], 10, 250)).toBe(2)
    expect(eventsForPush([1000, 10], 10, 500)).toBe(1)
    expect(eventsForPush([], 10)).toBe(0)
  })

  it('uploads blobs smallest first', () => {
    expect(blobUploadOrder([{ sha256: 'b', size: 9 }, { sha256: 'c', size: 1 }, { sha256: 'a', size: 9 }]).map((blob) => blob.sha256)).toEqual(['c', 'a', 'b'])
  })

  it('tells retry-worthy trouble from what the technician must fix', () => {
    expect(needsTechnician('clockSkew')).toBe(true)
    expect(needsTechnician('enrollmentRefused')).toBe(true)
    expect(needsTechnician('network')).toBe(false)
    expect(needsTechnician('timeout')).toBe(false)
  })
})
