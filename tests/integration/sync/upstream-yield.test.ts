import { createHash, randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DeviceLog, TEST_WARD } from '../../helpers/events'
import { startFaultProxy, type FaultProxy } from '../../helpers/fault-proxy'
import { enrolledDevice, startTestRelay } from '../relay/relay-fixture'

type Relay = Awaited<ReturnType<typeof startTestRelay>>

/** A large blob on a slow city link must not hold back the ward's new events for its whole upload. */
describe("the hub's upload of a large blob to the city", () => {
  let city: Relay
  let hub: Relay
  let link: FaultProxy

  beforeAll(async () => {
    city = await startTestRelay()
    // 800 kbit/s: the 1.5 MB blob takes about 15 s, in chunks of a few seconds each.
    link = await startFaultProxy({ targetPort: city.server.port, bitsPerSecond: 800_000 })
    const hubAtCity = await enrolledDevice(city.server, { kind: 'hub' })
    hub = await startTestRelay({
      role: 'hub',
      wardCode: TEST_WARD,
      upstream: { baseUrl: link.url, deviceId: hubAtCity.deviceId, privateKey: hubAtCity.key, serverKey: city.server.serverKey },
      upstreamBackoff: { baseMs: 50, capMs: 300 },
    })
  }, 60_000)

  afterAll(async () => {
    await hub?.dispose()
    await link?.close()
    await city?.dispose()
  })

  it('lets an event written mid-upload reach the city before the blob completes, then finishes the blob from its offset', async () => {
    const kiosk = await enrolledDevice(hub.server)
    const log = new DeviceLog(kiosk.deviceId)
    const bytes = randomBytes(1_500_000)
    const sha = createHash('sha256').update(bytes).digest('hex')
    const firstChunk = new Promise<void>((resolve) => link.onRequest((request) => request.method === 'PATCH' && resolve()))
    await kiosk.client.uploadBlob(sha, async (offset, length) => bytes.subarray(offset, offset + length), bytes.length, { chunkBytes: 1_000_000 })
    await kiosk.client.push([log.event('dossier.pagesCaptured', { pageSha256s: [sha] }, 1)])
    await firstChunk

    await kiosk.client.push([log.issue('A001', 2)])
    await expect.poll(async () => (await city.server.storage.wardFrontier(TEST_WARD))[kiosk.deviceId], { timeout: 12_000, interval: 100 }).toBe(2)
    const atCity = await city.server.storage.blob(sha)
    expect(atCity?.offset ?? 0).toBeLessThan(bytes.length)

    link.setRate(undefined)
    await expect.poll(() => hub.server.upstreamStatus()?.pendingBlobs, { timeout: 20_000, interval: 100 }).toBe(0)
    expect((await city.server.storage.blob(sha))?.offset).toBe(bytes.length)
  }, 60_000)
})
