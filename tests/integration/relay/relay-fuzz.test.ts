import { gzipSync } from 'node:zlib'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { blobPath, SYNC_PATHS, SyncErrorBodySchema } from '../../../src/shared/sync/protocol'
import { TEST_WARD } from '../../helpers/events'
import { enrolledDevice, startTestRelay, type TestDevice } from './relay-fixture'
import { rawRequest, type RawRequest } from './signed-request'

/**
 * Random and malformed requests at a live server: whatever arrives, the answer is below 500, and an
 * error answer is the protocol's JSON error. More runs in the bench (FUZZ_RUNS).
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 150)
const SHA = 'ab'.repeat(32)

const headerValue = fc.stringMatching(/^[\x20-\x7e]{0,60}$/).map((value) => value.trim())
const paths = fc.oneof(
  fc.constantFrom(SYNC_PATHS.health, SYNC_PATHS.enroll, SYNC_PATHS.events, SYNC_PATHS.blobs, blobPath(SHA), `${SYNC_PATHS.blobs}/${'A'.repeat(64)}`, '/', '/v1', '/v1/events/'),
  fc.tuple(fc.constantFrom(SYNC_PATHS.events, SYNC_PATHS.blobs, '/v1/x'), fc.stringMatching(/^[A-Za-z0-9%=&?/._~+-]{0,80}$/)).map(([path, tail]) => path + (tail.startsWith('?') || tail.startsWith('/') ? tail : `?${tail}`)),
)
const methods = fc.constantFrom('GET', 'POST', 'PATCH', 'HEAD', 'OPTIONS', 'PUT', 'DELETE')
const headerNames = fc.constantFrom('content-type', 'content-encoding', 'upload-offset', 'upload-length', 'upload-metadata', 'upload-checksum', 'tus-resumable', 'signature-input', 'signature', 'content-digest', 'accept-encoding')

const eventLike = fc.record({
  deviceId: fc.oneof(fc.constantFrom('fuzz-device-0001', 'fuzz-device-0002'), fc.string({ maxLength: 70 })),
  seq: fc.oneof(fc.integer({ min: -2, max: 6 }), fc.double(), fc.constant(Number.MAX_SAFE_INTEGER)),
  hlc: fc.oneof(fc.stringMatching(/^[0-9a-f]{16}$/), fc.string({ maxLength: 20 })),
  wardCode: fc.constantFrom(TEST_WARD, '99999', 'x'),
  type: fc.constantFrom('queue.ticketIssued', 'dossier.pagesCaptured', 'bad'),
  v: fc.integer({ min: -1, max: 1001 }),
  payload: fc.oneof(fc.dictionary(fc.string({ unit: 'binary', maxLength: 10 }), fc.jsonValue({ maxDepth: 4 })), fc.jsonValue({ maxDepth: 3 }), fc.object({ maxDepth: 3 })),
})

const bodies = fc.oneof(
  fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
  fc.array(eventLike, { maxLength: 4 }).map((events) => Buffer.from(JSON.stringify({ events }))),
  fc.jsonValue({ maxDepth: 4 }).map((value) => Buffer.from(JSON.stringify(value) ?? 'null')),
  fc.record({ deviceId: fc.string({ maxLength: 20 }), wardCode: fc.string({ maxLength: 6 }), kind: fc.string({ maxLength: 5 }), enrollmentCode: fc.string({ maxLength: 20 }) }).map((value) => Buffer.from(JSON.stringify(value))),
)

describe('the relay under random requests', () => {
  let relay: Awaited<ReturnType<typeof startTestRelay>>
  let hub: TestDevice

  beforeAll(async () => {
    relay = await startTestRelay()
    hub = await enrolledDevice(relay.server, { kind: 'hub' })
    await hub.client.createBlob(SHA, 1000)
  }, 60_000)

  afterAll(async () => {
    await relay?.dispose()
  })

  it('never answers 5xx, and every error is the protocol JSON error', async () => {
    await fc.assert(
      fc.asyncProperty(
        methods,
        paths,
        fc.option(bodies, { nil: undefined }),
        fc.dictionary(headerNames, headerValue, { maxKeys: 4 }),
        fc.boolean(),
        fc.boolean(),
        fc.constantFrom(undefined, 'application/json', 'application/offset+octet-stream'),
        async (method, path, body, headers, signed, gzipped, contentType) => {
          const sendsBody = body !== undefined && !['GET', 'HEAD'].includes(method)
          const payload = sendsBody && gzipped ? gzipSync(body) : body
          const request: RawRequest = {
            method,
            path,
            headers: { ...headers, ...(contentType && { 'content-type': contentType }), ...(sendsBody && gzipped && { 'content-encoding': 'gzip' }) },
            ...(sendsBody && { body: payload }),
            ...(signed && { signAs: { deviceId: hub.deviceId, key: hub.key } }),
          }
          const answer = await rawRequest(relay.server.url, request)
          expect(answer.status, `${method} ${path}`).toBeLessThan(500)
          if (answer.status >= 400 && method !== 'HEAD') expect(SyncErrorBodySchema.safeParse(answer.json()).success).toBe(true)
        },
      ),
      { numRuns: RUNS },
    )
    expect(relay.logs.filter((line) => line.startsWith('internal error'))).toEqual([])
  })

  it('never answers 5xx to signed pushes of random events from a hub', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(eventLike, { minLength: 1, maxLength: 5 }), async (events) => {
        const body = Buffer.from(JSON.stringify({ events }))
        const answer = await rawRequest(relay.server.url, { method: 'POST', path: SYNC_PATHS.events, body, headers: { 'content-type': 'application/json' }, signAs: { deviceId: hub.deviceId, key: hub.key } })
        expect(answer.status).toBeLessThan(500)
        expect(answer.status === 200 || SyncErrorBodySchema.safeParse(answer.json()).success).toBe(true)
      }),
      { numRuns: RUNS },
    )
    expect(relay.logs.filter((line) => line.startsWith('internal error'))).toEqual([])
  })
})
