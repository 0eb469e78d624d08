import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EventEnvelope, VersionVector } from '../../../src/shared/domain/eventlog/envelope'
import { compareEvents } from '../../../src/shared/domain/eventlog/envelope'
import { openRelayStorage, type RelayStorage } from '../../../src/relay/server/storage/relay-storage'
import { DeviceLog, TEST_WARD } from '../../helpers/events'
import { startPrivatePostgres, type PrivatePostgres } from '../../helpers/postgres'

/**
 * One suite, two engines: PGlite in a folder (the default) and a private PostgreSQL server (the
 * city's). The rules that make the pull cursor safe are checked on both.
 */
interface Engine {
  readonly name: string
  open(): Promise<RelayStorage>
  dispose(): Promise<void>
}

function pgliteEngine(): Engine {
  let dir: string | undefined
  return {
    name: 'PGlite',
    async open() {
      dir ??= await mkdtemp(join(tmpdir(), 'motcua-relay-storage-'))
      return openRelayStorage({ pgliteDir: dir })
    },
    dispose: async () => void (dir && (await rm(dir, { recursive: true, force: true }))),
  }
}

function postgresEngine(): Engine {
  let server: PrivatePostgres | undefined
  return {
    name: 'PostgreSQL',
    async open() {
      server ??= await startPrivatePostgres()
      return openRelayStorage({ pgliteDir: '/nonexistent', databaseUrl: server.url })
    },
    dispose: async () => server?.stop(),
  }
}

let deviceNumber = 0
const newDevice = (): DeviceLog => new DeviceLog(`storage-device-${String(++deviceNumber).padStart(4, '0')}`)

describe.each([pgliteEngine(), postgresEngine()])('relay storage on $name', (engine) => {
  let storage: RelayStorage

  beforeAll(async () => {
    storage = await engine.open()
  }, 120_000)

  afterAll(async () => {
    await storage?.close()
    await engine.dispose()
  })

  it('runs on the engine it was asked for', () => {
    expect(storage.engine).toBe(engine.name === 'PGlite' ? 'pglite' : 'postgres')
  })

  it('accepts a device log in order and counts a repeated push as duplicates', async () => {
    const log = newDevice()
    const events = [1, 2, 3].map((n) => log.event('queue.ticketIssued', { n }, 1000 * n))
    expect(await storage.appendEvents(events)).toMatchObject({ ok: true, accepted: 3, duplicates: 0, frontier: { [log.deviceId]: 3 } })
    expect(await storage.appendEvents(events.slice(1))).toMatchObject({ ok: true, accepted: 0, duplicates: 2, frontier: { [log.deviceId]: 3 } })
  })

  it('refuses a gap, naming the seq it expects, and stores nothing of that push', async () => {
    const log = newDevice()
    const other = newDevice()
    const [first, , third] = [1, 2, 3].map((n) => log.event('queue.ticketIssued', { n }, n))
    const otherEvent = other.event('queue.ticketIssued', {}, 5)
    expect(await storage.appendEvents([first!])).toMatchObject({ ok: true, accepted: 1 })
    expect(await storage.appendEvents([otherEvent, third!])).toEqual({ ok: false, code: 'sequenceGap', deviceId: log.deviceId, expected: 2 })
    expect(await storage.wardFrontier(TEST_WARD)).not.toHaveProperty(other.deviceId)
  })

  it('refuses another content under a seq it holds', async () => {
    const log = newDevice()
    const event = log.event('queue.ticketIssued', { n: 1 }, 1)
    await storage.appendEvents([event])
    expect(await storage.appendEvents([{ ...event, payload: { n: 2 } }])).toEqual({ ok: false, code: 'conflictingEvent', deviceId: log.deviceId, seq: 1 })
    expect(await storage.appendEvents([{ ...event, hlc: '00000000ffff0000' }])).toMatchObject({ ok: false, code: 'conflictingEvent' })
    // Same content with keys in another order is the same event.
    expect(await storage.appendEvents([{ ...event, payload: JSON.parse('{"n":1}') }])).toMatchObject({ ok: true, duplicates: 1 })
  })

  it("keeps a device's log in one ward and its clock from going back", async () => {
    const log = newDevice()
    const first = log.event('queue.ticketIssued', {}, 5000)
    await storage.appendEvents([first])
    expect(await storage.appendEvents([{ ...log.event('queue.ticketIssued', {}, 6000), wardCode: '99999' }])).toMatchObject({ ok: false, code: 'wrongWard' })
    const backwards = newDevice()
    const late = backwards.event('queue.ticketIssued', {}, 9000)
    expect(await storage.appendEvents([late, { ...backwards.event('queue.ticketIssued', {}, 9500), hlc: '0000000000010000' }])).toMatchObject({ ok: false, code: 'clockBackwards', seq: 2 })
  })

  it('lets racing pushes of the same events store each once', async () => {
    const log = newDevice()
    const events = Array.from({ length: 50 }, (_, n) => log.event('queue.ticketIssued', { n }, 1000 + n))
    const results = await Promise.all([storage.appendEvents(events), storage.appendEvents(events), storage.appendEvents(events.slice(0, 25))])
    const accepted = results.reduce((sum, result) => sum + (result.ok ? result.accepted : 0), 0)
    expect(results.every((result) => result.ok)).toBe(true)
    expect(accepted).toBe(50)
    expect((await storage.wardFrontier(TEST_WARD))[log.deviceId]).toBe(50)
  })

  it('pulls in (hlc, deviceId, seq) order, in pages that never skip an event, while devices keep writing', async () => {
    const ward = '31337'
    const devices = [0, 1, 2, 3].map(() => newDevice())
    const written: EventEnvelope[] = []
    let clock = 1_000_000
    // Writers commit small batches in turn while a reader pages with a small limit.
    const writer = (async () => {
      for (let round = 0; round < 15; round++) {
        for (const device of devices) {
          const batch = [0, 1, 2].map(() => ({ ...device.event('queue.ticketIssued', { round }, (clock += 7)), wardCode: ward }))
          const result = await storage.appendEvents(batch)
          expect(result.ok).toBe(true)
          written.push(...batch)
        }
      }
    })()
    const received: EventEnvelope[] = []
    let cursor: VersionVector = {}
    const pullPage = async (): Promise<boolean> => {
      const page = await storage.pullEvents(ward, cursor, 7)
      const next: Record<string, number> = { ...cursor }
      for (const event of page.events) {
        expect(event.seq).toBe((next[event.deviceId] ?? 0) + 1)
        next[event.deviceId] = event.seq
      }
      expect([...page.events].sort(compareEvents)).toEqual(page.events)
      expect(page.frontier).toEqual(Object.fromEntries(Object.entries(next).filter(([, seq]) => seq > 0)))
      received.push(...page.events)
      cursor = page.frontier
      return page.more
    }
    let writing = true
    void writer.finally(() => (writing = false))
    while (writing) await pullPage()
    await writer
    while (await pullPage());
    expect(received.length).toBe(written.length)
    expect(new Set(received.map((event) => `${event.deviceId}:${event.seq}`)).size).toBe(written.length)
  })

  it('stops a page near its byte budget, keeping at least one event', async () => {
    const ward = '60606'
    const log = newDevice()
    await storage.appendEvents([1, 2, 3].map((n) => ({ ...log.event('queue.ticketIssued', { text: 'x'.repeat(30_000), n }, n), wardCode: ward })))
    const page = await storage.pullEvents(ward, {}, 100, 70_000)
    expect([page.events.map((event) => event.seq), page.more, page.frontier]).toEqual([[1, 2], true, { [log.deviceId]: 2 }])
    expect((await storage.pullEvents(ward, {}, 100, 10)).events.map((event) => event.seq)).toEqual([1])
  })

  it('tells pending counts above a vector and reopens without migrating twice', async () => {
    const ward = '40404'
    const log = newDevice()
    await storage.appendEvents([1, 2, 3].map((n) => ({ ...log.event('queue.ticketIssued', { n }, n), wardCode: ward })))
    const pending = await storage.countAbove(ward, { [log.deviceId]: 1 })
    expect(pending.events).toBe(2)
    expect(pending.bytes).toBeGreaterThan(0)
    await storage.close()
    storage = await engine.open()
    expect(await storage.wardFrontier(ward)).toEqual({ [log.deviceId]: 3 })
  })

  it('enrols a device once: same key again is fine, another key is refused', async () => {
    const device = { id: 'enrol-test-device-1', ward: TEST_WARD, kind: 'device' as const, jwk: { kty: 'OKP' as const, crv: 'Ed25519' as const, x: 'A'.repeat(43) } }
    expect(await storage.enrollDevice(device)).toBe('enrolled')
    expect(await storage.enrollDevice(device)).toBe('alreadyEnrolled')
    expect(await storage.enrollDevice({ ...device, jwk: { ...device.jwk, x: 'B'.repeat(43) } })).toBe('refused')
    expect(await storage.device(device.id)).toEqual(device)
  })

  it('tracks blob uploads, opens blobs to the wards whose events reference them, and keeps state', async () => {
    const sha = 'ab'.repeat(32)
    expect(await storage.createBlob(sha, 100, 'ab/x')).toMatchObject({ sha256: sha, length: 100, offset: 0, complete: false })
    expect(await storage.createBlob(sha, 100, 'ab/x')).toMatchObject({ offset: 0 })
    await storage.setBlobOffset(sha, 40)
    expect((await storage.blob(sha))?.offset).toBe(40)
    await storage.completeBlob(sha)
    expect(await storage.blob(sha)).toMatchObject({ offset: 100, complete: true })
    expect(await storage.blobReadable(sha, '50505')).toBe(false)
    const log = newDevice()
    await storage.appendEvents([{ ...log.event('dossier.pagesCaptured', { pages: [{ pageSha256: sha }], note: 'cd'.repeat(32) }, 1), wardCode: '50505' }])
    expect(await storage.blobReadable(sha, '50505')).toBe(true)
    expect(await storage.blobReadable('cd'.repeat(32), '50505')).toBe(false)
    expect((await storage.blobsNotUpstream('50505')).map((blob) => blob.sha256)).toEqual([sha])
    await storage.markBlobUpstream(sha)
    expect(await storage.blobsNotUpstream('50505')).toEqual([])
    await storage.setState('upstream.test', { a: 1 })
    expect(await storage.state('upstream.test')).toEqual({ a: 1 })
  })
})
