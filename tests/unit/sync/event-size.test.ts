import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { MotcuaError } from '../../../src/shared/contract/dispatch'
import { SYNC_LIMITS } from '../../../src/shared/sync/protocol'
import { MotcuaDatabase } from '../../../src/renderer/src/data/db'
import { EventStore } from '../../../src/renderer/src/data/event-store'
import { TEST_WARD } from '../../helpers/events'

describe('the device keeps events within the sync limit', () => {
  it('refuses an event larger than the relay accepts, and writes nothing', async () => {
    const db = new MotcuaDatabase('motcua-event-size-1')
    const store = new EventStore(db, 'kiosk-0001', TEST_WARD)
    // Multi-byte text: the limit counts UTF-8 bytes, not characters.
    const error = await store.append({ type: 'queue.test', v: 1, payload: { note: 'ệ'.repeat(SYNC_LIMITS.maxEventBytes / 3) } }).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(MotcuaError)
    expect(error).toMatchObject({ code: 'invalidInput', message: expect.stringContaining(`${SYNC_LIMITS.maxEventBytes} bytes`) })
    expect(await db.events.count()).toBe(0)
    expect(await store.readSeq()).toBe(0)
    // The next event still gets seq 1.
    await expect(store.append({ type: 'queue.test', v: 1, payload: { note: 'x'.repeat(SYNC_LIMITS.maxEventBytes - 1000) } })).resolves.toMatchObject({ seq: 1 })
  })
})
