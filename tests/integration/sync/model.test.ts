import 'fake-indexeddb/auto'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { scheduleArbitrary, startSyncModelWorld, type SyncModelWorld } from './sync-model'

/** Schedules per `npm test`; `npm run bench -- sync-model` runs 10,000. */
const RUNS = 30

let world: SyncModelWorld
beforeAll(async () => {
  world = await startSyncModelWorld()
})
afterAll(() => world.close())

describe('sync under random schedules of writes, faults and crashes (fast-check)', () => {
  it('loses nothing, duplicates nothing, and every replica converges to the same fold', async () => {
    await fc.assert(
      fc.asyncProperty(scheduleArbitrary, (schedule) => world.run(schedule)),
      { numRuns: RUNS, seed: 20261123, endOnFailure: true },
    )
    expect(world.stats.schedules).toBe(RUNS)
    // The schedules did exercise what they claim to.
    expect(world.stats.faults).toBeGreaterThan(RUNS)
    expect(world.stats.crashes).toBeGreaterThan(0)
    expect(world.stats.blobs).toBeGreaterThan(0)
  }, 120_000)
})
