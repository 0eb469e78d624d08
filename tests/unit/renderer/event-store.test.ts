import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { foldQueue } from '../../../src/shared/domain/queue/fold'
import { MotcuaDatabase } from '../../../src/renderer/src/data/db'
import { EventStore } from '../../../src/renderer/src/data/event-store'
import { actOnCurrent, bookAppointment, callNext, checkIn, readQueue, returnTicket, takeTicket, transferCurrent } from '../../../src/renderer/src/data/queue'
import { DEFAULT_QUEUE_RULES } from '../../../src/shared/domain/queue/setup'
import { DEFAULT_APPOINTMENT_RULES } from '../../../src/shared/domain/appointments/rules'
import { FAKE_SETUP } from '../../helpers/fake-services'
import { DeviceLog, TEST_DAY, TEST_DAY_START_MS, TEST_WARD } from '../../helpers/events'

let databases = 0
const freshDb = (): MotcuaDatabase => new MotcuaDatabase(`motcua-test-${++databases}`)
const service = FAKE_SETUP.services[0]!
const rules = DEFAULT_QUEUE_RULES
const oneBlock = { index: 0, count: 1 }
const ticketFor = (block = oneBlock) => ({ service, block, rules })
const atNine = TEST_DAY_START_MS + 60 * 60_000

describe('the local event log (Dexie on IndexedDB)', () => {
  it('gives each append the next sequence number and a later clock', async () => {
    const store = new EventStore(freshDb(), 'kiosk-0001', TEST_WARD, () => atNine)
    const first = await store.append({ type: 'queue.test', v: 1, payload: {} })
    const second = await store.append({ type: 'queue.test', v: 1, payload: {} })
    expect([first.seq, second.seq]).toEqual([1, 2])
    expect(second.hlc > first.hlc).toBe(true)
  })

  it('never hands out one sequence number twice, even to two windows writing at once', async () => {
    const db = freshDb()
    const kioskWindow = new EventStore(db, 'device-0001', TEST_WARD)
    const counterWindow = new EventStore(new MotcuaDatabase(db.name), 'device-0001', TEST_WARD)
    const written = await Promise.all(Array.from({ length: 30 }, (_unused, index) => (index % 2 ? kioskWindow : counterWindow).append({ type: 'queue.test', v: 1, payload: { index } })))
    expect(written.map((event) => event.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_unused, index) => index + 1))
    expect(new Set(written.map((event) => event.hlc)).size).toBe(30)
  })

  it('refuses to write an event that breaks the envelope, and writes nothing', async () => {
    const store = new EventStore(freshDb(), 'kiosk-0001', TEST_WARD)
    await expect(store.append({ type: 'no-area', v: 1, payload: {} })).rejects.toThrow()
    expect(await store.db.events.count()).toBe(0)
    expect(await store.db.meta.get('seq:kiosk-0001')).toBeUndefined()
  })

  it('takes tickets and calls them in order, numbering per service and device', async () => {
    const store = new EventStore(freshDb(), 'kiosk-0001', TEST_WARD, () => atNine)
    const first = await takeTicket(store, ticketFor(), atNine)
    const second = await takeTicket(store, ticketFor(), atNine)
    expect([first.ticket.label, second.ticket.label]).toEqual(['A001', 'A002'])
    expect([first.ahead, second.ahead]).toEqual([0, 1])
    expect((await callNext(store, { number: 2 }, rules, 'Lan', atNine))?.label).toBe('A001')
    expect((await callNext(store, { number: 1 }, rules, undefined, atNine))?.label).toBe('A002')
    expect(await callNext(store, { number: 1 }, rules, undefined, atNine)).toBeUndefined()
    const queue = await readQueue(store, TEST_DAY, rules)
    expect(queue.nowServing.get(2)?.label).toBe('A001')
    expect(queue.tickets[0]?.clerk).toBe('Lan')
    expect(queue.waiting).toEqual([])
  })

  it('numbers a second kiosk in its own block', async () => {
    const store = new EventStore(freshDb(), 'kiosk-0002', TEST_WARD, () => atNine)
    expect((await takeTicket(store, ticketFor({ index: 1, count: 2 }), atNine)).ticket.label).toBe('A500')
  })

  it('lets two counters calling at once get two different tickets', async () => {
    const db = freshDb()
    const kiosk = new EventStore(db, 'device-0001', TEST_WARD, () => atNine)
    for (let index = 0; index < 4; index++) await takeTicket(kiosk, ticketFor(), atNine)
    const calls = await Promise.all([1, 2, 3, 4].map((counter) => callNext(new EventStore(new MotcuaDatabase(db.name), 'device-0001', TEST_WARD, () => atNine), { number: counter }, rules, undefined, atNine)))
    expect(new Set(calls.map((call) => call?.label)).size).toBe(4)
  })

  it('takes another replica\'s events once each, in any order, and ends with the same state', async () => {
    const remoteKiosk = new DeviceLog('kiosk-remote')
    const remoteCounter = new DeviceLog('counter-remote')
    const issued = [0, 1, 2].map((minute) => remoteKiosk.issue(`B00${minute + 1}`, atNine + minute * 60_000))
    const called = remoteCounter.call(issued[0]!.payload.ticketId, 3, atNine + 5 * 60_000)
    const all = [...issued, called]

    const store = new EventStore(freshDb(), 'local-0001', TEST_WARD, () => atNine)
    expect(await store.ingest([all[3], all[1]])).toEqual({ added: 2, duplicates: 0, rejected: 0 })
    expect(await store.ingest([all[2], all[0], all[1], all[1]])).toEqual({ added: 2, duplicates: 2, rejected: 0 })
    const local = await readQueue(store, TEST_DAY, rules)
    expect(local.waiting.map((ticket) => ticket.label)).toEqual(foldQueue(all, TEST_DAY).waiting.map((ticket) => ticket.label))
    expect(local.nowServing.get(3)?.label).toBe('B001')

    // What this device writes next sorts after everything it has seen.
    const next = await store.append({ type: 'queue.test', v: 1, payload: {} })
    expect(next.hlc > called.hlc).toBe(true)
  })

  it('keeps folding incrementally, and folds again from the start when a late event belongs earlier in the order', async () => {
    const store = new EventStore(freshDb(), 'local-0001', TEST_WARD, () => atNine + 10 * 60_000)
    const slowClock = new DeviceLog('kiosk-slow')
    const early = slowClock.issue('C001', atNine)
    const earlyCall = new DeviceLog('counter-x').call(early.payload.ticketId, 2, atNine + 60_000)
    await takeTicket(store, ticketFor(), atNine + 10 * 60_000)
    expect((await readQueue(store, TEST_DAY, rules)).tickets.map((ticket) => ticket.label)).toEqual(['A001'])
    await takeTicket(store, ticketFor(), atNine + 10 * 60_000)
    expect((await readQueue(store, TEST_DAY, rules)).tickets.map((ticket) => ticket.label)).toEqual(['A001', 'A002'])
    await store.ingest([early, earlyCall])
    const merged = await readQueue(store, TEST_DAY, rules)
    expect(merged.tickets.map((ticket) => ticket.label)).toEqual(['C001', 'A001', 'A002'])
    expect(merged.nowServing.get(2)?.label).toBe('C001')
    expect(merged).toEqual(foldQueue(await store.db.events.toArray(), TEST_DAY, rules))
  })

  it('rejects malformed events and events of another ward, keeping what was already saved', async () => {
    const store = new EventStore(freshDb(), 'local-0001', TEST_WARD, () => atNine)
    const remote = new DeviceLog('kiosk-remote')
    const good = remote.issue('A001', atNine)
    await store.ingest([good])
    const report = await store.ingest([
      { ...remote.issue('A002', atNine), wardCode: '20194' },
      { ...good, seq: -1 },
      'not an event',
      null,
      { ...remote.issue('A003', atNine), hlc: 'zz' },
    ])
    expect(report).toEqual({ added: 0, duplicates: 0, rejected: 5 })
    expect(await store.db.events.count()).toBe(1)
  })

  it('serves, skips, returns and transfers only what the counter holds', async () => {
    const store = new EventStore(freshDb(), 'device-0001', TEST_WARD, () => atNine)
    await takeTicket(store, ticketFor(), atNine)
    expect(await actOnCurrent(store, 'skip', 1, rules, atNine)).toBeUndefined() // nothing called yet
    await callNext(store, { number: 1 }, rules, undefined, atNine)
    const skipped = await actOnCurrent(store, 'skip', 1, rules, atNine)
    expect(await returnTicket(store, skipped!.ticketId, rules, atNine + (rules.noShowReturnMinutes + 1) * 60_000)).toBeUndefined()
    expect((await returnTicket(store, skipped!.ticketId, rules, atNine + 60_000))?.label).toBe('A001')
    await callNext(store, { number: 1 }, rules, undefined, atNine)
    expect((await transferCurrent(store, 1, { counter: 3 }, rules, atNine))?.label).toBe('A001')
    expect(await callNext(store, { number: 2 }, rules, undefined, atNine)).toBeUndefined()
    expect((await callNext(store, { number: 3 }, rules, undefined, atNine))?.label).toBe('A001')
    expect((await actOnCurrent(store, 'serve', 3, rules, atNine))?.label).toBe('A001')
    expect((await readQueue(store, TEST_DAY, rules)).tickets[0]).toMatchObject({ status: 'served', counter: 3, transfers: 1 })
  })

  it('checks an appointment in once, inside its window, as a priority ticket', async () => {
    const store = new EventStore(freshDb(), 'device-0001', TEST_WARD, () => atNine)
    const sealed = { alg: 'A256GCM' as const, kid: 'k1', iv: 'AAAAAAAAAAAAAAAA', ct: 'AAAAAAAAAAAAAAAAAAAAAAAA' }
    await bookAppointment(store, { appointmentId: crypto.randomUUID(), code: 'KHM4TP2Q', serviceId: service.id, day: TEST_DAY, time: '09:00', identifiedBy: 'phone', holder: sealed })
    const both = { queue: rules, appointments: DEFAULT_APPOINTMENT_RULES }
    expect(await checkIn(store, 'ZZZZZZZZ', FAKE_SETUP.services, oneBlock, both, atNine)).toEqual({ verdict: 'unknown' })
    expect(await checkIn(store, 'KHM4TP2Q', FAKE_SETUP.services, oneBlock, both, atNine - 40 * 60_000)).toEqual({ verdict: 'tooEarly' })
    const first = await checkIn(store, 'KHM4TP2Q', FAKE_SETUP.services, oneBlock, both, atNine)
    expect(first).toMatchObject({ verdict: 'ok', ticket: { ticket: { label: 'A001', priority: 'appointment' } } })
    expect(await checkIn(store, 'KHM4TP2Q', FAKE_SETUP.services, oneBlock, both, atNine)).toEqual({ verdict: 'alreadyCheckedIn' })
  })

  it('keeps the log across a restart', async () => {
    const db = freshDb()
    await new EventStore(db, 'kiosk-0001', TEST_WARD, () => atNine).append({ type: 'queue.test', v: 1, payload: {} })
    db.close()
    const reopened = new MotcuaDatabase(db.name)
    const store = new EventStore(reopened, 'kiosk-0001', TEST_WARD, () => atNine)
    expect((await store.append({ type: 'queue.test', v: 1, payload: {} })).seq).toBe(2)
  })
})
