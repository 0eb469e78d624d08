import 'fake-indexeddb/auto'
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { compareEvents, eventKey, type EventEnvelope } from '../../../src/shared/domain/eventlog/envelope'
import { foldQueue } from '../../../src/shared/domain/queue/fold'
import { DEFAULT_QUEUE_RULES } from '../../../src/shared/domain/queue/setup'
import { vietnamDay } from '../../../src/shared/domain/time'
import { parseSyncProvisioning } from '../../../src/shared/sync/protocol'
import { callNext, readQueue, takeTicket } from '../../../src/renderer/src/data/queue'
import { readOutboxSummary } from '../../../src/renderer/src/sync/outbox'
import { startFaultProxy, type FaultProxy } from '../../helpers/fault-proxy'
import { FAKE_SETUP } from '../../helpers/fake-services'
import { freePort, startTestRelay, TestDevice } from '../../helpers/sync-devices'

/**
 * A ward in the mountains: a kiosk, two counters and the hub PC on the LAN, the city far away.
 * The city link is cut for three (simulated) days; the ward keeps one queue through the hub;
 * when the link returns, everything reaches the city exactly once.
 */
const WARD = '20242'
const rules = DEFAULT_QUEUE_RULES
const service = FAKE_SETUP.services[0]!
const DAY_MS = 24 * 60 * 60 * 1000
const FIRST_MORNING = Date.parse('2026-11-23T08:00:00+07:00')

type Relay = Awaited<ReturnType<typeof startTestRelay>>
let city: Relay
let cityLink: FaultProxy
let clock = FIRST_MORNING
const now = (): number => clock
let hub: TestDevice
let kiosk: TestDevice
let counterA: TestDevice
let counterB: TestDevice
/** A device enrolled at the city directly: what the city holds, as a replica sees it. */
let cityView: TestDevice

async function syncWard(...devices: TestDevice[]): Promise<void> {
  for (const device of devices) await device.sendAll()
  for (const device of devices) await device.pullAll()
}

async function allEvents(device: TestDevice): Promise<EventEnvelope[]> {
  return (await device.db.events.toArray()).sort(compareEvents)
}

/** The hub's replicator works in the background: wait until it reports nothing left for the city. */
async function untilCityCaughtUp(): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt++) {
    const status = await hub.api.getSyncStatus({})
    if (status.hub?.city?.pendingEvents === 0 && status.hub.city.pendingBlobs === 0 && status.hub.city.lastSuccessAt !== undefined) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`The hub did not catch up with the city: ${JSON.stringify((await hub.api.getSyncStatus({})).hub)}`)
}

beforeAll(async () => {
  city = await startTestRelay({ role: 'city' })
  cityLink = await startFaultProxy({ targetPort: city.port, seed: 3 })
  hub = await TestDevice.create({ now, runHub: true })
  const hubStatus = await hub.api.configureSync({ mode: 'hub', port: await freePort(), city: { url: cityLink.url, enrollmentCode: city.enrollmentCode(WARD) } })
  // What the technician scans at each device: the hub shows it on its screen.
  const provisioning = hubStatus.hub!.provisioningText
  expect(parseSyncProvisioning(provisioning)).toMatchObject({ role: 'hub', wardCode: WARD })
  kiosk = await TestDevice.create({ now })
  counterA = await TestDevice.create({ now })
  counterB = await TestDevice.create({ now })
  for (const device of [kiosk, counterA, counterB]) await device.api.configureSync({ mode: 'device', target: { provisioning } })
  cityView = await TestDevice.create({ now, topology: 'city' })
  await cityView.api.configureSync({ mode: 'device', target: { url: city.url, enrollmentCode: city.enrollmentCode(WARD) } })
}, 60_000)

afterAll(async () => {
  for (const device of [kiosk, counterA, counterB, cityView, hub]) await device?.close()
  await cityLink?.close()
  await city?.close()
})

describe('three days without the city', () => {
  it('keeps one queue over the LAN, then delivers everything to the city exactly once', async () => {
    // Day 1, link up: the usual morning.
    await takeTicket(kiosk.store, { service, block: { index: 0, count: 1 }, rules }, now())
    await syncWard(kiosk, hub, counterA, counterB)
    await callNext(counterA.store, { number: 1 }, rules, undefined, now())
    await syncWard(counterA, kiosk, counterB, hub)
    await untilCityCaughtUp()

    cityLink.setDown(true)
    const lostCallTickets: string[] = []
    const pages: { sha256: string; length: number }[] = []
    for (let day = 1; day <= 3; day++) {
      clock = FIRST_MORNING + day * DAY_MS
      for (let ticket = 0; ticket < 4; ticket++) {
        clock += 60_000
        await takeTicket(kiosk.store, { service, block: { index: 0, count: 1 }, rules }, now())
      }
      await syncWard(kiosk, counterA, counterB, hub)
      // The counters see the kiosk's tickets through the hub while the city is unreachable.
      for (const counter of [counterA, counterB]) expect((await readQueue(counter.store, vietnamDay(now()), rules)).waiting).toHaveLength(4)

      // Both counters call before either hears of the other's call: the same ticket twice.
      clock += 60_000
      const [byA, byB] = [await callNext(counterA.store, { number: 1 }, rules, undefined, now()), await callNext(counterB.store, { number: 2 }, rules, undefined, now() + 1)]
      expect(byA?.ticketId).toBe(byB?.ticketId)
      lostCallTickets.push(byA!.ticketId)

      // A dossier with its scanned pages, received at counter A.
      const files = [randomBytes(30_000 + day), randomBytes(5_000), randomBytes(7_000)]
      const addresses = await counterA.digitize(files)
      addresses.forEach((sha256, index) => pages.push({ sha256, length: files[index]!.length }))
      await syncWard(counterA, counterB, kiosk, hub)
      expect(await readOutboxSummary(counterA.db, counterA.deviceId)).toMatchObject({ events: 0, blobs: 0 })
    }
    const status = await hub.api.getSyncStatus({})
    expect(status.hub?.city?.lastError?.code).toMatch(/network|timeout/)
    expect(status.hub?.city?.pendingEvents).toBeGreaterThan(0)

    // The link returns, and stutters: answers cut, requests lost, a stale answer replayed.
    cityLink.setDown(false)
    cityLink.queue({ kind: 'cutResponse', bytes: 30 }, { kind: 'drop' }, { kind: 'replayResponse' }, { kind: 'duplicateRequest' }, { kind: 'cutRequest', bytes: 500 })
    await untilCityCaughtUp()
    await cityView.pullAll()

    const ward = await allEvents(hub)
    const atCity = await allEvents(cityView)
    expect(new Set(atCity.map(eventKey)).size).toBe(atCity.length)
    expect(atCity.map(eventKey)).toEqual(ward.map(eventKey))
    for (const page of pages) expect(await cityView.api.syncBlobOffset(page)).toMatchObject({ complete: true, uploaded: page.length })

    // Every replica, the city's included, folds every day the same way: each double call went to one counter.
    for (let day = 0; day <= 3; day++) {
      const date = vietnamDay(FIRST_MORNING + day * DAY_MS)
      const folds = await Promise.all([kiosk, counterA, counterB, hub, cityView].map(async (device) => JSON.stringify(foldQueue(await allEvents(device), date, rules), (_key, value: unknown) => (value instanceof Map ? [...value] : value))))
      expect(new Set(folds).size).toBe(1)
      if (day > 0) expect(foldQueue(atCity, date, rules).lostCalls.map((lost) => lost.ticketId)).toEqual([lostCallTickets[day - 1]])
    }
  }, 120_000)
})
