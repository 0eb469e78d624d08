import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSyncClient, generateDeviceKey } from '../../../src/relay/client'
import type { EventEnvelope } from '../../../src/shared/domain/eventlog/envelope'
import { DeviceLog, TEST_WARD } from '../../helpers/events'
import { enrolledDevice, startTestRelay, type TestDevice } from './relay-fixture'
import { downloadBlob } from './signed-request'

/** Polls until `check` holds (replication runs on its own schedule); fails with the last state after `limitMs`. */
async function eventually<T>(read: () => Promise<T> | T, check: (value: T) => boolean, limitMs = 20_000): Promise<T> {
  const deadline = Date.now() + limitMs
  for (;;) {
    const value = await read()
    if (check(value)) return value
    if (Date.now() > deadline) throw new Error(`condition not reached; last value: ${JSON.stringify(value).slice(0, 2000)}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

async function allEvents(client: TestDevice['client']): Promise<EventEnvelope[]> {
  const events: EventEnvelope[] = []
  let after = {}
  for (;;) {
    const page = await client.pull({ after })
    events.push(...page.events)
    after = page.frontier
    if (!page.more) return events
  }
}

const keysOf = (events: readonly EventEnvelope[]) => events.map((event) => `${event.deviceId}:${event.seq}`).sort()

describe('a ward hub replicating to the city', () => {
  let cityDir: string
  let hubDir: string
  let hubOptions: Parameters<typeof startTestRelay>[0]
  let city: Awaited<ReturnType<typeof startTestRelay>>
  let hub: Awaited<ReturnType<typeof startTestRelay>>
  let cityPort: number
  let kiosk: TestDevice
  let cityClerk: TestDevice
  const kioskLog = new DeviceLog('hub-test-kiosk-1')
  const hubDeviceId = 'hub-test-hub-0001'

  beforeAll(async () => {
    cityDir = await mkdtemp(join(tmpdir(), 'motcua-city-'))
    city = await startTestRelay({ dataDir: cityDir })
    cityPort = city.server.port
    const hubKey = generateDeviceKey()
    await createSyncClient({ baseUrl: city.server.url, deviceId: hubDeviceId, privateKey: hubKey, serverKey: city.server.serverKey }).enroll({ wardCode: TEST_WARD, kind: 'hub', enrollmentCode: city.server.enrollmentCode(TEST_WARD) })
    hubDir = await mkdtemp(join(tmpdir(), 'motcua-hub-'))
    hubOptions = { role: 'hub', wardCode: TEST_WARD, upstream: { baseUrl: city.server.url, deviceId: hubDeviceId, privateKey: hubKey, serverKey: city.server.serverKey }, upstreamBackoff: { baseMs: 50, capMs: 300 } }
    hub = await startTestRelay({ ...hubOptions, dataDir: hubDir })
    kiosk = await enrolledDevice(hub.server, { deviceId: kioskLog.deviceId })
    cityClerk = await enrolledDevice(city.server)
  }, 60_000)

  afterAll(async () => {
    await hub?.dispose()
    await city?.dispose()
    await rm(cityDir, { recursive: true, force: true })
    await rm(hubDir, { recursive: true, force: true })
  })

  it('refuses to enrol a device for another ward at the hub', async () => {
    await expect(enrolledDevice(hub.server, { wardCode: '20243' })).rejects.toMatchObject({ code: 'wrongWard' })
  })

  it('pushes the ward events to the city, blobs after them, and brings the city events down', async () => {
    const page = randomBytes(40_000)
    const sha = createHash('sha256').update(page).digest('hex')
    await kiosk.client.uploadBlob(sha, async (offset, length) => page.subarray(offset, offset + length), page.length)
    await kiosk.client.push([kioskLog.issue('A001', 1000), kioskLog.event('dossier.pagesCaptured', { pageSha256s: [sha] }, 1100)])
    await cityClerk.client.push([new DeviceLog(cityClerk.deviceId).event('catalog.published', { version: 1 }, 900)])

    const atCity = await eventually(() => allEvents(cityClerk.client), (events) => events.length === 3)
    const atHub = await eventually(() => allEvents(kiosk.client), (events) => events.length === 3)
    expect(keysOf(atHub)).toEqual(keysOf(atCity))
    await eventually(() => hub.server.upstreamStatus()!, (status) => status.pendingBlobs === 0 && status.pendingEvents === 0 && status.state === 'idle')
    expect((await downloadBlob(city.server.url, cityClerk, sha)).body.equals(page)).toBe(true)
    expect(hub.server.upstreamStatus()).toMatchObject({ pendingBytes: 0, cityFrontier: { [kioskLog.deviceId]: 2, [cityClerk.deviceId]: 1 } })
  })

  it('keeps serving the ward while the city is down, shows the backlog, and catches up when it returns', async () => {
    await city.server.close()
    const during = Array.from({ length: 30 }, (_, n) => kioskLog.issue(`A${String(n + 2).padStart(3, '0')}`, 2000 + n))
    await kiosk.client.push(during)
    expect((await allEvents(kiosk.client)).length).toBe(33)
    const down = await eventually(() => hub.server.upstreamStatus()!, (status) => status.state === 'retrying' && status.pendingEvents === 30)
    expect(down.lastError?.code).toBe('network')
    expect(down.pendingBytes).toBeGreaterThan(0)

    city = await startTestRelay({ dataDir: cityDir, port: cityPort })
    const atCity = await eventually(() => allEvents(cityClerk.client), (events) => events.length === 33)
    expect(new Set(keysOf(atCity)).size).toBe(33)
    const caughtUp = await eventually(() => hub.server.upstreamStatus()!, (status) => status.pendingEvents === 0 && status.state === 'idle')
    expect(caughtUp.lastSuccessAt).toBeDefined()
  })

  it('remembers what the city acknowledged across a hub restart, even with the city down', async () => {
    await kiosk.client.push([kioskLog.issue('A100', 9000)])
    await eventually(() => hub.server.upstreamStatus()!, (status) => status.pendingEvents === 0 && status.state === 'idle')
    await city.server.close()
    await hub.server.close()
    hub = await startTestRelay({ ...hubOptions, dataDir: hubDir })
    const restarted = await eventually(() => hub.server.upstreamStatus()!, (status) => status.state === 'retrying')
    expect(restarted).toMatchObject({ pendingEvents: 0, cityFrontier: { [kioskLog.deviceId]: 33 } })
    city = await startTestRelay({ dataDir: cityDir, port: cityPort })
    await eventually(() => hub.server.upstreamStatus()!, (status) => status.state === 'idle')
  })
})
