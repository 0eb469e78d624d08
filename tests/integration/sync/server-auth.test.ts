import 'fake-indexeddb/auto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSyncClient, generateDeviceKey, SyncClientError } from '../../../src/relay/client'
import { SYNC_LIMITS, SYNC_PATHS, SYNC_PROVISIONING_PREFIX } from '../../../src/shared/sync/protocol'
import { readOutboxSummary } from '../../../src/renderer/src/sync/outbox'
import { DeviceLog } from '../../helpers/events'
import { startFaultProxy, type FaultProxy } from '../../helpers/fault-proxy'
import { freePort, startTestRelay, TestDevice } from '../../helpers/sync-devices'
import { signingFetch, testServerIdentity } from '../relay/signed-request'

/**
 * An impostor on the ward LAN (plain http) answers in the hub's place: it alters a pull page,
 * replays an old answer, acks a push the hub never saw, or signs with a key of its own. The
 * device must refuse every such answer and apply nothing.
 */
const WARD = '20242'
type Relay = Awaited<ReturnType<typeof startTestRelay>>
let hub: Relay
let otherHub: Relay
let proxy: FaultProxy
const devices: TestDevice[] = []

/** What the impostor does to the next answers; undefined: the link is honest. */
let impostor: ((url: URL, init: RequestInit | undefined) => Promise<Response> | undefined) | undefined
const lan: typeof fetch = (input, init) => impostor?.(new URL(String(input)), init) ?? fetch(input, init)

const device = async (): Promise<TestDevice> => {
  const created = await TestDevice.create({ wardCode: WARD, fetch: lan })
  devices.push(created)
  return created
}
const provisioning = (url: string, overrides: Record<string, unknown> = {}): string =>
  SYNC_PROVISIONING_PREFIX + JSON.stringify({ url, role: 'hub', wardCode: WARD, enrollmentCode: hub.enrollmentCode(WARD), serverKey: hub.serverKey.kid, ...overrides })

/** The hub's real answer with its JSON changed in transit (headers kept, signature included). */
async function altered(url: URL, init: RequestInit | undefined, change: (body: { events: unknown[] }) => void): Promise<Response> {
  const real = await fetch(url, init)
  const body = (await real.json()) as { events: unknown[] }
  change(body)
  const headers = new Headers(real.headers)
  headers.delete('content-encoding')
  headers.delete('content-length')
  return new Response(JSON.stringify(body), { status: real.status, headers })
}

beforeAll(async () => {
  hub = await startTestRelay({ role: 'hub', wardCode: WARD })
  otherHub = await startTestRelay({ role: 'hub', wardCode: WARD })
  proxy = await startFaultProxy({ targetPort: hub.port })
})
afterAll(async () => {
  for (const each of devices) await each.close()
  await proxy.close()
  await otherHub.close()
  await hub.close()
})

describe('a device trusts its server only', () => {
  it('refuses a pull page altered in transit: the injected event is not applied, the cursor stays', async () => {
    const kiosk = await device()
    await kiosk.api.configureSync({ mode: 'device', target: { provisioning: provisioning(hub.url) } })
    const counter = await device()
    await counter.api.configureSync({ mode: 'device', target: { provisioning: provisioning(hub.url) } })
    await kiosk.write('queue.test', { n: 1 })
    await kiosk.sendAll()
    const forged = new DeviceLog(kiosk.deviceId).event('queue.test', { n: 666 }, Date.now())
    impostor = (url, init) => (url.pathname === SYNC_PATHS.events && init?.method === 'GET' ? altered(url, init, (body) => (body.events = [{ ...(body.events[0] as object), payload: forged.payload }])) : undefined)
    try {
      await expect(counter.pullAll()).rejects.toThrow()
    } finally {
      impostor = undefined
    }
    expect(await counter.db.events.where('deviceId').equals(kiosk.deviceId).count()).toBe(0)
    expect((await counter.api.getSyncStatus({})).link.lastError?.code).toBe('badResponse')
    // The honest answer is applied as before.
    await counter.pullAll()
    expect((await counter.db.events.get([kiosk.deviceId, 1]))?.payload).toEqual({ n: 1 })
  })

  it('refuses an ack for a push the hub never received, forged or replayed, and sends the event again', async () => {
    const kiosk = await device()
    await kiosk.api.configureSync({ mode: 'device', target: { provisioning: provisioning(proxy.url, { serverKey: hub.serverKey.kid }) } })
    await kiosk.write('queue.test', { n: 1 })
    await kiosk.sendAll()
    await kiosk.write('queue.test', { n: 2 })
    // A stale answer (the previous push's ack, signed by the hub) for the new push: the hub never sees the new one.
    proxy.queue({ kind: 'replayResponse' })
    await expect(kiosk.engine.pushOnce()).rejects.toThrow()
    expect((await readOutboxSummary(kiosk.db, kiosk.deviceId)).events).toBe(1)
    // An impostor's ack, signed with the hub's key id but not its key.
    const fake = testServerIdentity()
    impostor = (url, init) =>
      url.pathname === SYNC_PATHS.events && init?.method === 'POST'
        ? signingFetch({ ...fake, kid: hub.serverKey.kid }, async () => ({ status: 200, body: JSON.stringify({ accepted: 1, duplicates: 0, frontier: { [kiosk.deviceId]: 2 } }), headers: { 'content-type': 'application/json' } }))(url, init)
        : undefined
    try {
      await expect(kiosk.engine.pushOnce()).rejects.toThrow()
    } finally {
      impostor = undefined
    }
    expect((await readOutboxSummary(kiosk.db, kiosk.deviceId)).events).toBe(1)
    expect((await hub.storage.wardFrontier(WARD))[kiosk.deviceId]).toBe(1)
    await kiosk.sendAll()
    expect((await hub.storage.wardFrontier(WARD))[kiosk.deviceId]).toBe(2)
  })

  it('refuses a server that answers with another key, and says the server identity changed', async () => {
    const counter = await device()
    await counter.api.configureSync({ mode: 'device', target: { url: hub.url, enrollmentCode: hub.enrollmentCode(WARD) } })
    const config = await counter.api.getSyncStatus({})
    expect(config.enrolled).toBe(true)
    // Another relay now answers at the hub's address (a PC posing as the hub).
    impostor = (url, init) => fetch(new URL(url.pathname + url.search, otherHub.url), init)
    try {
      await expect(counter.pullAll()).rejects.toThrow()
      expect((await counter.api.getSyncStatus({})).link.lastError?.code).toBe('serverKeyChanged')
      // Enrolling again by typed code at the same address does not trust the new key either.
      await expect(counter.api.configureSync({ mode: 'device', target: { url: hub.url, enrollmentCode: hub.enrollmentCode(WARD) } })).rejects.toMatchObject({ code: 'forbidden' })
      expect((await counter.api.getSyncStatus({})).link.lastError?.code).toBe('serverKeyChanged')
    } finally {
      impostor = undefined
    }
  })

  it('refuses to enrol where the QR pins another key than the server shows', async () => {
    const kiosk = await device()
    await expect(kiosk.api.configureSync({ mode: 'device', target: { provisioning: provisioning(otherHub.url) } })).rejects.toMatchObject({ code: 'forbidden' })
    const status = await kiosk.api.getSyncStatus({})
    expect(status).toMatchObject({ enrolled: false, link: { lastError: { code: 'serverKeyChanged' } } })
  })

  it("puts the hub's key thumbprint in its provisioning QR", async () => {
    const hubPc = await TestDevice.create({ wardCode: WARD, runHub: true })
    devices.push(hubPc)
    const status = await hubPc.api.configureSync({ mode: 'hub', port: await freePort() })
    const text = status.hub!.provisioningText
    const health = await createSyncClient({ baseUrl: status.hub!.lanUrls[0]!, deviceId: 'probe-0001', privateKey: generateDeviceKey() }).health()
    expect(JSON.parse(text.slice(SYNC_PROVISIONING_PREFIX.length))).toMatchObject({ serverKey: health.key.kid })
  })
})

describe('the client reads an answer no larger than the call expects', () => {
  const identity = testServerIdentity()
  const clientAnswering = (body: () => BodyInit, headers: Record<string, string> = {}) =>
    createSyncClient({
      baseUrl: 'http://relay.test',
      deviceId: 'cap-check-0001',
      privateKey: generateDeviceKey(),
      serverKey: identity.publicKey,
      fetch: async () => new Response(body(), { status: 200, headers: { 'content-type': 'application/json', ...headers } }),
    })

  it('refuses an ack declared larger than an ack can be, before reading it', async () => {
    const error = await clientAnswering(() => 'x'.repeat(SYNC_LIMITS.maxAnswerBytes + 1)).push([new DeviceLog('cap-check-0001').issue('A001', 1)]).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(SyncClientError)
    expect(error).toMatchObject({ code: 'badResponse', message: expect.stringContaining(`${SYNC_LIMITS.maxAnswerBytes}-byte limit`) })
  })

  it('stops reading an endless pull answer past the pull limit', async () => {
    let sent = 0
    const endless = () =>
      new ReadableStream<Uint8Array>({
        pull(controller) {
          sent += 64 * 1024
          controller.enqueue(new Uint8Array(64 * 1024).fill(32))
        },
      })
    const error = await clientAnswering(endless).pull({ after: {} }).catch((caught: unknown) => caught)
    expect(error).toMatchObject({ code: 'badResponse', message: expect.stringContaining(`${SYNC_LIMITS.maxPullAnswerBytes}-byte limit`) })
    expect(sent).toBeLessThan(SYNC_LIMITS.maxPullAnswerBytes + 1024 * 1024)
  })
})
