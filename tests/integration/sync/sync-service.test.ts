import 'fake-indexeddb/auto'
import { randomBytes } from 'node:crypto'
import { statSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SYNC_PROVISIONING_PREFIX } from '../../../src/shared/sync/protocol'
import { readOutboxSummary, readPushedSeq, SYNC_META } from '../../../src/renderer/src/sync/outbox'
import { startTestRelay, TestDevice } from '../../helpers/sync-devices'

type Relay = Awaited<ReturnType<typeof startTestRelay>>
let hub: Relay
const devices: TestDevice[] = []

const device = async (): Promise<TestDevice> => {
  const created = await TestDevice.create()
  devices.push(created)
  return created
}
const provisioning = (overrides: Record<string, unknown> = {}): string =>
  SYNC_PROVISIONING_PREFIX + JSON.stringify({ url: hub.url, role: 'hub', wardCode: '20242', enrollmentCode: hub.enrollmentCode('20242'), ...overrides })

beforeAll(async () => {
  hub = await startTestRelay({ role: 'hub', wardCode: '20242' })
})
afterAll(async () => {
  for (const each of devices) await each.close()
  await hub.close()
})

describe("main's sync service: enrolment", () => {
  it('enrols from the scanned MCSYNC1 text: ward topology, key file readable by its owner only', async () => {
    const kiosk = await device()
    const status = await kiosk.api.configureSync({ mode: 'device', target: { provisioning: provisioning() } })
    expect(status).toMatchObject({ role: 'device', topology: 'ward', upstreamUrl: hub.url, upstreamRole: 'hub', enrolled: true })
    expect(status.link.lastSuccessAt).toBeDefined()
    expect(statSync(join(kiosk.dataDir, 'sync-device-key.json')).mode & 0o777).toBe(0o600)
    // Enrolling again with the same key is idempotent.
    await expect(kiosk.api.configureSync({ mode: 'device', target: { url: hub.url, enrollmentCode: hub.enrollmentCode('20242') } })).resolves.toMatchObject({ enrolled: true })
  })

  it('keeps the same key across a restart (the server knows the device by it)', async () => {
    const counter = await device()
    await counter.api.configureSync({ mode: 'device', target: { provisioning: provisioning() } })
    await counter.restart()
    await counter.write('queue.test', {})
    await expect(counter.engine.pushOnce()).resolves.toBe(true)
  })

  it('refuses text that is not a provisioning code, with no change to the configuration', async () => {
    const kiosk = await device()
    await expect(kiosk.api.configureSync({ mode: 'device', target: { provisioning: 'https://example.org' } })).rejects.toMatchObject({ code: 'invalidInput' })
    await expect(kiosk.api.configureSync({ mode: 'device', target: { provisioning: `${SYNC_PROVISIONING_PREFIX}{not json` } })).rejects.toMatchObject({ code: 'invalidInput' })
    expect(await kiosk.api.getSyncStatus({})).toMatchObject({ role: 'none', topology: 'standalone', enrolled: false })
  })

  it("refuses a code for another ward than the device's", async () => {
    const kiosk = await device()
    await expect(kiosk.api.configureSync({ mode: 'device', target: { provisioning: provisioning({ wardCode: '20194' }) } })).rejects.toMatchObject({ code: 'invalidInput', message: expect.stringContaining('20194') })
  })

  it('refuses a wrong enrolment code (forbidden) and says why in the status', async () => {
    const kiosk = await device()
    await expect(kiosk.api.configureSync({ mode: 'device', target: { url: hub.url, enrollmentCode: 'AAAAAAAAAAAAAAAA' } })).rejects.toMatchObject({ code: 'forbidden' })
    expect((await kiosk.api.getSyncStatus({})).link.lastError).toMatchObject({ code: 'enrollmentRefused' })
  })

  it('reports an unreachable server as unavailable, with a network error in the status', async () => {
    const kiosk = await device()
    await expect(kiosk.api.configureSync({ mode: 'device', target: { url: 'http://127.0.0.1:9', enrollmentCode: hub.enrollmentCode('20242') } })).rejects.toMatchObject({ code: 'unavailable' })
    expect((await kiosk.api.getSyncStatus({})).link.lastError).toMatchObject({ code: 'network' })
  })

  it('refuses a ward hub as the city before enrolling there as a hub', async () => {
    const hubPc = await TestDevice.create({ runHub: true })
    devices.push(hubPc)
    await expect(hubPc.api.configureSync({ mode: 'hub', port: 18788, city: { url: hub.url, enrollmentCode: hub.enrollmentCode('20242') } })).rejects.toMatchObject({ code: 'invalidInput' })
    await expect(hub.storage.device(hubPc.deviceId)).resolves.toBeUndefined()
    expect(await hubPc.api.getSyncStatus({})).toMatchObject({ role: 'none', enrolled: false })
  })

  it('refuses to run the hub where main does not host one (the command line)', async () => {
    const cli = await device()
    await expect(cli.api.configureSync({ mode: 'hub', port: 18787 })).rejects.toMatchObject({ code: 'unavailable' })
    expect(await cli.api.getSyncStatus({})).toMatchObject({ role: 'none', enrolled: false })
  })

  it('refuses to push or pull before enrolment (notConfigured)', async () => {
    const kiosk = await device()
    await kiosk.write('queue.test', {})
    await expect(kiosk.engine.pushOnce()).rejects.toMatchObject({ code: 'notConfigured' })
    await expect(kiosk.api.syncPullEvents({ after: {}, limit: 10, waitSeconds: 0 })).rejects.toMatchObject({ code: 'notConfigured' })
  })

  it('refuses malformed input at the contract: a pull limit out of range, a blob slice that is not base64', async () => {
    const kiosk = await device()
    await expect(kiosk.api.syncPullEvents({ after: {}, limit: 0, waitSeconds: 0 })).rejects.toMatchObject({ code: 'invalidInput' })
    await expect(kiosk.api.syncPullEvents({ after: {}, limit: 10, waitSeconds: 99 })).rejects.toMatchObject({ code: 'invalidInput' })
    await expect(kiosk.api.syncStageBlob({ sha256: 'a'.repeat(64), kid: 'k', iv: 'AAAAAAAAAAAAAAAA', sealedLength: 100, offset: 0, sliceBase64: '***' })).rejects.toMatchObject({ code: 'invalidInput' })
  })
})

describe('the engine through main: events and blobs', () => {
  it("moves one device's events to another exactly once, in order, and empties the outbox", async () => {
    const kiosk = await device()
    const counter = await device()
    for (const each of [kiosk, counter]) await each.api.configureSync({ mode: 'device', target: { provisioning: provisioning() } })
    const issued = []
    for (let index = 0; index < 120; index++) issued.push(await kiosk.write('queue.test', { index }))
    await kiosk.sendAll()
    expect(await readOutboxSummary(kiosk.db, kiosk.deviceId)).toMatchObject({ events: 0, blobs: 0 })
    await counter.pullAll()
    await counter.pullAll()
    const received = await counter.db.events.where('[deviceId+seq]').between([kiosk.deviceId, 0], [kiosk.deviceId, Infinity]).toArray()
    expect(received.map((event) => event.seq)).toEqual(issued.map((event) => event.seq))
  })

  it('continues from where the server says its copy ends when the device thought otherwise (sequenceGap)', async () => {
    const kiosk = await device()
    await kiosk.api.configureSync({ mode: 'device', target: { provisioning: provisioning() } })
    for (let index = 0; index < 5; index++) await kiosk.write('queue.test', { index })
    // As if the acknowledgement of seqs 1-3 had been recorded without the server having them.
    await kiosk.db.meta.put({ key: SYNC_META.pushedSeq, value: 3 })
    await kiosk.sendAll()
    expect(await readPushedSeq(kiosk.db)).toBe(5)
    const counter = await device()
    await counter.api.configureSync({ mode: 'device', target: { provisioning: provisioning() } })
    await counter.pullAll()
    expect(await counter.db.events.where('[deviceId+seq]').between([kiosk.deviceId, 0], [kiosk.deviceId, Infinity]).count()).toBe(5)
  })

  it('restores a wiped device from the hub: its own events come back and its next event continues the sequence', async () => {
    const kiosk = await device()
    await kiosk.api.configureSync({ mode: 'device', target: { provisioning: provisioning() } })
    for (let index = 0; index < 3; index++) await kiosk.write('queue.test', { index })
    await kiosk.sendAll()
    // IndexedDB lost (browser data cleared); the data folder and its key remain.
    kiosk.db.close()
    await kiosk.db.delete()
    await kiosk.restart()
    await kiosk.pullAll()
    expect(await kiosk.db.events.where('[deviceId+seq]').between([kiosk.deviceId, 0], [kiosk.deviceId, Infinity]).count()).toBe(3)
    expect((await kiosk.write('queue.test', { index: 3 })).seq).toBe(4)
    await kiosk.sendAll()
    expect(await readPushedSeq(kiosk.db)).toBe(4)
  })

  it('uploads the files an event refers to after the event, resuming a half-staged blob after a crash', async () => {
    const counter = await device()
    await counter.api.configureSync({ mode: 'device', target: { provisioning: provisioning() } })
    const pdf = randomBytes(700_000)
    const page = randomBytes(1000)
    const [pdfSha] = await counter.digitize([pdf, page])
    await counter.engine.pushOnce()
    // Two steps of the big blob (smallest first: the page goes before), then a crash.
    expect(await counter.engine.blobStepOnce()).toBe(true)
    while ((await counter.api.syncBlobOffset({ sha256: pdfSha!, length: pdf.length })).staged === 0) await counter.engine.blobStepOnce()
    await counter.restart()
    await counter.sendAll()
    expect(await readOutboxSummary(counter.db, counter.deviceId)).toMatchObject({ events: 0, blobs: 0 })
    const kiosk = await device()
    await kiosk.api.configureSync({ mode: 'device', target: { provisioning: provisioning() } })
    expect(await kiosk.api.syncBlobOffset({ sha256: pdfSha!, length: pdf.length })).toMatchObject({ uploaded: pdf.length, complete: true })
  })

  it('refuses a staged blob that does not open to its address, and stages nothing of it', async () => {
    const counter = await device()
    await counter.api.configureSync({ mode: 'device', target: { provisioning: provisioning() } })
    const sealed = await counter.dataKey.sealBytes(Buffer.from('the real page'))
    const sealedLength = Buffer.from(sealed.ct, 'base64').length
    await expect(counter.api.syncStageBlob({ sha256: 'b'.repeat(64), kid: sealed.kid, iv: sealed.iv, sealedLength, offset: 0, sliceBase64: sealed.ct })).rejects.toMatchObject({ code: 'invalidInput', message: expect.stringContaining('other content') })
    const tampered = Buffer.from(sealed.ct, 'base64')
    tampered[0]! ^= 1
    await expect(counter.api.syncStageBlob({ sha256: 'c'.repeat(64), kid: sealed.kid, iv: sealed.iv, sealedLength, offset: 0, sliceBase64: tampered.toString('base64') })).rejects.toMatchObject({ code: 'invalidInput', message: expect.stringContaining('does not open') })
    expect(await counter.api.syncBlobOffset({ sha256: 'c'.repeat(64), length: 13 })).toMatchObject({ staged: 0, ready: false })
  })
})
