import { createHash } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSyncClient, generateDeviceKey, publicJwkOf, SyncClientError, type SyncClient } from '../../../src/relay/client'
import type { RelayServer } from '../../../src/relay/server'
import type { EventEnvelope } from '../../../src/shared/domain/eventlog/envelope'
import { encodeVersionVector, SYNC_LIMITS, SYNC_PATHS } from '../../../src/shared/sync/protocol'
import { DeviceLog, TEST_WARD } from '../../helpers/events'
import { enrolledDevice, startTestRelay, type TestDevice } from './relay-fixture'
import { rawRequest, signingFetch, testServerIdentity } from './signed-request'

const OTHER_WARD = '20243'

async function failure(promise: Promise<unknown>): Promise<SyncClientError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  )
  if (!(error instanceof SyncClientError)) throw new Error(`expected a SyncClientError, got ${String(error)}`)
  return error
}

let relay: Awaited<ReturnType<typeof startTestRelay>>
let server: RelayServer

beforeAll(async () => {
  relay = await startTestRelay()
  server = relay.server
}, 60_000)

afterAll(async () => {
  await relay?.dispose()
})

describe('enrolment', () => {
  it('answers /health without a signature', async () => {
    const client = createSyncClient({ baseUrl: server.url, deviceId: 'health-check-1', privateKey: generateDeviceKey() })
    expect(await client.health()).toMatchObject({ status: 'ok', role: 'city', protocol: 1 })
  })

  it('enrols with the ward code, again with the same key, and refuses another key or a wrong code', async () => {
    const device = await enrolledDevice(server)
    expect(await device.client.enroll({ wardCode: TEST_WARD, kind: 'device', enrollmentCode: server.enrollmentCode(TEST_WARD) })).toEqual({ deviceId: device.deviceId, wardCode: TEST_WARD, kind: 'device' })
    const impostor = createSyncClient({ baseUrl: server.url, deviceId: device.deviceId, privateKey: generateDeviceKey(), serverKey: server.serverKey })
    expect((await failure(impostor.enroll({ wardCode: TEST_WARD, kind: 'device', enrollmentCode: server.enrollmentCode(TEST_WARD) }))).code).toBe('enrollmentRefused')
    const stranger = createSyncClient({ baseUrl: server.url, deviceId: 'stranger-device-1', privateKey: generateDeviceKey(), serverKey: server.serverKey })
    const refused = await failure(stranger.enroll({ wardCode: TEST_WARD, kind: 'device', enrollmentCode: server.enrollmentCode(OTHER_WARD) }))
    expect(refused).toMatchObject({ code: 'enrollmentRefused', details: { status: 403 } })
  })

  it('refuses enrolment signed with a key other than the one registered', async () => {
    const client = createSyncClient({ baseUrl: server.url, deviceId: 'key-swap-device-1', privateKey: generateDeviceKey(), serverKey: server.serverKey })
    const otherKey = publicJwkOf(generateDeviceKey())
    expect((await failure(client.enroll({ wardCode: TEST_WARD, kind: 'device', enrollmentCode: server.enrollmentCode(TEST_WARD), publicKey: otherKey }))).code).toBe('unauthenticated')
  })

  it('refuses a device that never enrolled', async () => {
    const client = createSyncClient({ baseUrl: server.url, deviceId: 'never-enrolled-1', privateKey: generateDeviceKey(), serverKey: server.serverKey })
    expect((await failure(client.pull({ after: {} }))).code).toBe('unknownDevice')
  })
})

describe('events', () => {
  let kiosk: TestDevice
  let counter: TestDevice
  let hub: TestDevice
  let otherWard: TestDevice
  let kioskLog: DeviceLog
  let counterLog: DeviceLog
  let otherWardLog: DeviceLog

  beforeAll(async () => {
    ;[kiosk, counter, hub, otherWard] = await Promise.all([enrolledDevice(server), enrolledDevice(server), enrolledDevice(server, { kind: 'hub' }), enrolledDevice(server, { wardCode: OTHER_WARD })])
    kioskLog = new DeviceLog(kiosk.deviceId)
    counterLog = new DeviceLog(counter.deviceId)
    otherWardLog = new DeviceLog(otherWard.deviceId)
  })

  it('acknowledges a push after commit, counts a repeated push as duplicates', async () => {
    const events = [kioskLog.issue('A001', 1000), kioskLog.issue('A002', 2000)]
    expect(await kiosk.client.push(events)).toEqual({ accepted: 2, duplicates: 0, frontier: { [kiosk.deviceId]: 2 } })
    expect(await kiosk.client.push(events)).toEqual({ accepted: 0, duplicates: 2, frontier: { [kiosk.deviceId]: 2 } })
  })

  it('refuses a gap with the seq it expects, and another content under a held seq', async () => {
    kioskLog.issue('A003', 3000)
    const gap = await failure(kiosk.client.push([kioskLog.issue('A004', 4000)]))
    expect(gap).toMatchObject({ code: 'sequenceGap', details: { status: 409, expected: { deviceId: kiosk.deviceId, seq: 3 } } })
    const held = (await kiosk.client.pull({ after: {} })).events.find((event) => event.deviceId === kiosk.deviceId && event.seq === 1)!
    expect((await failure(kiosk.client.push([{ ...held, payload: { ...held.payload, label: 'Z999' } }]))).code).toBe('conflictingEvent')
  })

  it("refuses another device's events from a device, and events of another ward", async () => {
    expect((await failure(counter.client.push([new DeviceLog(kiosk.deviceId).issue('X001', 1)]))).code).toBe('notYourEvents')
    const foreign = { ...counterLog.issue('B001', 5000), wardCode: OTHER_WARD }
    expect((await failure(counter.client.push([foreign]))).code).toBe('wrongWard')
  })

  it("lets a hub relay its ward's devices' events", async () => {
    const relayed = new DeviceLog('lan-only-kiosk-1').issue('C001', 6000)
    expect(await hub.client.push([relayed])).toMatchObject({ accepted: 1 })
  })

  it('pulls the ward in (hlc, deviceId, seq) order, in pages, and nothing of another ward', async () => {
    const counterEvents = [counterLog.issue('B002', 1500), counterLog.issue('B003', 2500), counterLog.issue('B004', 3500)]
    await counter.client.push(counterEvents.map((event, index) => ({ ...event, seq: index + 1 })))
    await otherWard.client.push([{ ...otherWardLog.issue('D001', 100), wardCode: OTHER_WARD }])
    const all: EventEnvelope[] = []
    let after = {}
    for (;;) {
      const page = await counter.client.pull({ after, limit: 2 })
      expect(page.events.length).toBeLessThanOrEqual(2)
      all.push(...page.events)
      after = page.frontier
      if (!page.more) break
    }
    expect(all.map((event) => event.hlc)).toEqual([...all.map((event) => event.hlc)].sort())
    expect(all.every((event) => event.wardCode === TEST_WARD)).toBe(true)
    expect(after).toMatchObject({ [kiosk.deviceId]: 2, [counter.deviceId]: 3, 'lan-only-kiosk-1': 1 })
    expect((await otherWard.client.pull({ after: {} })).events.map((event) => event.wardCode)).toEqual([OTHER_WARD])
  })

  it('wakes a waiting pull when an event for its ward commits', async () => {
    const after = (await counter.client.pull({ after: {} })).frontier
    const waiting = counter.client.pull({ after, waitSeconds: 20 })
    await otherWard.client.push([{ ...otherWardLog.issue('D002', 200), wardCode: OTHER_WARD }])
    const fresh = kioskLog.issue('A005', 7000)
    await kiosk.client.push([{ ...fresh, seq: 3 }])
    const answer = await waiting
    expect(answer.events.map((event) => `${event.deviceId}:${event.seq}`)).toEqual([`${kiosk.deviceId}:3`])
  })

  it('refuses a pull whose query is not the protocol', async () => {
    for (const query of ['after=%%%', 'after=&limit=0', 'after=&limit=99999', 'after=&wait=26', 'after=&other=1', `after=${encodeVersionVector({ 'Bad Id': 1 } as never)}`]) {
      const answer = await rawRequest(server.url, { method: 'GET', path: `${SYNC_PATHS.events}?${query}`, signAs: { deviceId: kiosk.deviceId, key: kiosk.key } })
      expect([query, answer.status, (answer.json() as { error: { code: string } }).error.code]).toEqual([query, 400, 'malformedRequest'])
    }
  })
})

describe('signatures', () => {
  let device: TestDevice
  const pullPath = `${SYNC_PATHS.events}?after=&limit=10&wait=0`
  const errorCode = (answer: { json: () => unknown }) => (answer.json() as { error: { code: string } }).error.code

  beforeAll(async () => {
    device = await enrolledDevice(server)
  })

  it('accepts a correctly signed request', async () => {
    expect((await rawRequest(server.url, { method: 'GET', path: pullPath, signAs: { deviceId: device.deviceId, key: device.key } })).status).toBe(200)
  })

  it('refuses a request with no signature', async () => {
    const answer = await rawRequest(server.url, { method: 'GET', path: pullPath })
    expect([answer.status, errorCode(answer)]).toEqual([401, 'unauthenticated'])
  })

  it('refuses a signature with its bytes changed', async () => {
    const answer = await rawRequest(server.url, {
      method: 'GET',
      path: pullPath,
      signAs: { deviceId: device.deviceId, key: device.key },
      tamper: (headers) => {
        const value = headers.signature!
        headers.signature = value.slice(0, 6) + (value[6] === 'A' ? 'B' : 'A') + value.slice(7)
      },
    })
    expect([answer.status, errorCode(answer)]).toEqual([401, 'unauthenticated'])
  })

  it('refuses a signature made with another key', async () => {
    const answer = await rawRequest(server.url, { method: 'GET', path: pullPath, signAs: { deviceId: device.deviceId, key: generateDeviceKey() } })
    expect([answer.status, errorCode(answer)]).toEqual([401, 'unauthenticated'])
  })

  it('refuses a request whose query was changed after signing', async () => {
    const client = createSyncClient({ baseUrl: server.url, deviceId: device.deviceId, privateKey: device.key, serverKey: server.serverKey, fetch: (url, init) => fetch(String(url).replace('limit=10', 'limit=9'), init) })
    expect((await failure(client.pull({ after: {}, limit: 10 }))).code).toBe('unauthenticated')
  })

  it('answers a stale or future `created` with clockSkew and the server time', async () => {
    const fastClock = createSyncClient({ baseUrl: server.url, deviceId: device.deviceId, privateKey: device.key, serverKey: server.serverKey, now: () => Date.now() + 20 * 60 * 1000 })
    const skew = await failure(fastClock.pull({ after: {} }))
    expect(skew.code).toBe('clockSkew')
    expect(skew.details.status).toBe(401)
    expect(Math.abs(skew.details.serverTimeMs! - Date.now())).toBeLessThan(5 * 60 * 1000)
    const slowClock = createSyncClient({ baseUrl: server.url, deviceId: device.deviceId, privateKey: device.key, serverKey: server.serverKey, now: () => Date.now() - 16 * 60 * 1000 })
    expect((await failure(slowClock.pull({ after: {} }))).code).toBe('clockSkew')
  })

  it('refuses a body that is not the one whose digest was signed', async () => {
    const log = new DeviceLog(device.deviceId)
    const body = Buffer.from(JSON.stringify({ events: [log.issue('E001', 1)] }))
    const other = Buffer.from(JSON.stringify({ events: [{ ...JSON.parse(body.toString()).events[0], payload: { forged: true } }] }))
    const answer = await rawRequest(server.url, { method: 'POST', path: SYNC_PATHS.events, body: other, signBody: body, headers: { 'content-type': 'application/json' }, signAs: { deviceId: device.deviceId, key: device.key } })
    expect([answer.status, errorCode(answer)]).toEqual([401, 'unauthenticated'])
    const digestSwapped = await rawRequest(server.url, {
      method: 'POST',
      path: SYNC_PATHS.events,
      body: other,
      signBody: body,
      headers: { 'content-type': 'application/json' },
      signAs: { deviceId: device.deviceId, key: device.key },
      tamper: (headers) => Object.assign(headers, { 'content-digest': `sha-256=:${createHash('sha256').update(other).digest('base64')}:` }),
    })
    expect([digestSwapped.status, errorCode(digestSwapped)]).toEqual([401, 'unauthenticated'])
  })

  it('refuses a signature that covers fewer components than required', async () => {
    for (const covered of ['("@method")', '("@method" "@authority" "@path")', '()']) {
      const answer = await rawRequest(server.url, {
        method: 'GET',
        path: pullPath,
        signAs: { deviceId: device.deviceId, key: device.key },
        tamper: (headers) => Object.assign(headers, { 'signature-input': headers['signature-input']!.replace(/^sig1=\([^)]*\)/, `sig1=${covered}`) }),
      })
      expect([covered, answer.status, errorCode(answer)]).toEqual([covered, 401, 'unauthenticated'])
    }
    const log = new DeviceLog(device.deviceId)
    const body = Buffer.from(JSON.stringify({ events: [log.issue('E001', 1)] }))
    const withoutDigest = await rawRequest(server.url, {
      method: 'POST',
      path: SYNC_PATHS.events,
      body,
      headers: { 'content-type': 'application/json' },
      signAs: { deviceId: device.deviceId, key: device.key },
      tamper: (headers) => Object.assign(headers, { 'signature-input': headers['signature-input']!.replace(' "content-digest"', '') }),
    })
    expect([withoutDigest.status, errorCode(withoutDigest)]).toEqual([401, 'unauthenticated'])
  })
})

describe('malformed and oversized requests', () => {
  let device: TestDevice
  const post = (body: Uint8Array, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
    rawRequest(server.url, { method: 'POST', path: SYNC_PATHS.events, body, headers, signAs: { deviceId: device.deviceId, key: device.key } })
  const codeOf = (answer: { status: number; json: () => unknown }) => [answer.status, (answer.json() as { error: { code: string } }).error.code]

  beforeAll(async () => {
    device = await enrolledDevice(server)
  })

  it('answers 400 for a body that is not JSON or not the schema', async () => {
    expect(codeOf(await post(Buffer.from('{"events": [')))).toEqual([400, 'malformedRequest'])
    expect(codeOf(await post(Buffer.from('{"events": []}')))).toEqual([400, 'malformedRequest'])
    expect(codeOf(await post(Buffer.from(JSON.stringify({ events: [{ deviceId: device.deviceId, seq: 1 }] }))))).toEqual([400, 'malformedRequest'])
    expect(codeOf(await post(Buffer.from([0xff, 0xfe, 0x00])))).toEqual([400, 'malformedRequest'])
  })

  it('answers 400 for payload text PostgreSQL cannot hold', async () => {
    const log = new DeviceLog(device.deviceId)
    const withNul = { ...log.issue('F001', 1), payload: { text: 'a\u0000b' } }
    expect(codeOf(await post(Buffer.from(JSON.stringify({ events: [withNul] }))))).toEqual([400, 'malformedRequest'])
    const loneSurrogate = { ...withNul, payload: { text: '\ud800' } }
    expect(codeOf(await post(Buffer.from(JSON.stringify({ events: [loneSurrogate] }))))).toEqual([400, 'malformedRequest'])
    let deep: unknown = 1
    for (let level = 0; level < 100; level++) deep = [deep]
    expect(codeOf(await post(Buffer.from(JSON.stringify({ events: [{ ...withNul, payload: { deep } }] }))))).toEqual([400, 'malformedRequest'])
  })

  it('answers 415 for another content type or encoding', async () => {
    expect(codeOf(await post(Buffer.from('{}'), { 'content-type': 'text/plain' }))).toEqual([415, 'unsupportedMediaType'])
    expect(codeOf(await post(Buffer.from('{}'), { 'content-type': 'application/json', 'content-encoding': 'br' }))).toEqual([415, 'unsupportedMediaType'])
  })

  it('answers 413 for a body declared too large, before reading it', async () => {
    const answer = await rawRequest(server.url, {
      method: 'POST',
      path: SYNC_PATHS.events,
      headers: { 'content-type': 'application/json', 'content-length': String(SYNC_LIMITS.maxBodyBytes + 1) },
      signAs: { deviceId: device.deviceId, key: device.key },
      signBody: Buffer.alloc(0),
    })
    expect(codeOf(answer)).toEqual([413, 'payloadTooLarge'])
  })

  it('answers 413 for a body that grows too large while streaming', async () => {
    const body = Buffer.alloc(SYNC_LIMITS.maxBodyBytes + 1024, 0x20)
    const answer = await rawRequest(server.url, {
      method: 'POST',
      path: SYNC_PATHS.events,
      body,
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      signAs: { deviceId: device.deviceId, key: device.key },
      tamper: (headers) => void delete headers['content-length'],
    })
    expect(codeOf(answer)).toEqual([413, 'payloadTooLarge'])
  })

  it('answers 413 for a gzip bomb and 400 for broken gzip', async () => {
    const bomb = gzipSync(Buffer.alloc(SYNC_LIMITS.maxDecodedBodyBytes + 1024, 0x20))
    expect(bomb.length).toBeLessThan(SYNC_LIMITS.maxBodyBytes)
    expect(codeOf(await post(bomb, { 'content-type': 'application/json', 'content-encoding': 'gzip' }))).toEqual([413, 'payloadTooLarge'])
    expect(codeOf(await post(Buffer.from('not gzip at all'), { 'content-type': 'application/json', 'content-encoding': 'gzip' }))).toEqual([400, 'malformedRequest'])
  })

  it('answers 404 for an unknown path and 405 for a wrong method, as JSON', async () => {
    expect(codeOf(await rawRequest(server.url, { method: 'GET', path: '/v1/nothing' }))).toEqual([404, 'notFound'])
    const wrongMethod = await rawRequest(server.url, { method: 'DELETE', path: SYNC_PATHS.events })
    expect(codeOf(wrongMethod)).toEqual([405, 'methodNotAllowed'])
    expect(wrongMethod.headers.allow).toBe('POST, GET')
  })

  it('compresses a large answer when asked', async () => {
    const log = new DeviceLog(device.deviceId)
    await device.client.push(Array.from({ length: 40 }, (_, n) => log.issue(`G${String(n).padStart(3, '0')}`, n + 1)))
    const answer = await rawRequest(server.url, { method: 'GET', path: `${SYNC_PATHS.events}?after=`, headers: { 'accept-encoding': 'gzip' }, signAs: { deviceId: device.deviceId, key: device.key } })
    expect(answer.headers['content-encoding']).toBe('gzip')
  })
})

describe('the client never trusts an answer that is not the protocol', () => {
  const key = generateDeviceKey()
  const identity = testServerIdentity()
  // Signed by the pinned key: what is refused here is the content, not the signature.
  const answering = (body: string, status = 200, headers: Record<string, string> = { 'content-type': 'application/json' }): SyncClient =>
    createSyncClient({ baseUrl: 'http://relay.test', deviceId: 'client-check-1', privateKey: key, serverKey: identity.publicKey, fetch: signingFetch(identity, async () => ({ status, body, headers })) })

  it('calls a reply that fails its schema badResponse', async () => {
    expect((await failure(answering('{"status":"ok"}').health())).code).toBe('badResponse')
    const { kid: _kid, ...otherKey } = testServerIdentity().publicKey
    const lyingKid = JSON.stringify({ status: 'ok', role: 'city', protocol: 1, time: new Date().toISOString(), key: { ...otherKey, kid: identity.kid } })
    expect((await failure(answering(lyingKid).health())).code).toBe('badResponse')
    expect((await failure(answering('<html>').push([new DeviceLog('client-check-1').issue('A001', 1)]))).code).toBe('badResponse')
    expect((await failure(answering('{"oops":1}', 500).pull({ after: {} }))).code).toBe('badResponse')
  })

  it('refuses a pull answer that skips a seq', async () => {
    const log = new DeviceLog('client-check-1')
    const [, second] = [log.issue('A001', 1), log.issue('A002', 2)]
    const skipping = answering(JSON.stringify({ events: [second], frontier: { 'client-check-1': 2 }, more: false }))
    expect((await failure(skipping.pull({ after: {} }))).code).toBe('badResponse')
  })

  it('calls an unreachable server network and a silent one timeout', async () => {
    const unreachable = createSyncClient({ baseUrl: 'http://127.0.0.1:9', deviceId: 'client-check-1', privateKey: key })
    expect((await failure(unreachable.health())).code).toBe('network')
    const silent = createSyncClient({ baseUrl: 'http://relay.test', deviceId: 'client-check-1', privateKey: key, timeoutMs: 50, fetch: (_url, init) => new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason))) })
    expect((await failure(silent.health())).code).toBe('timeout')
  })
})
