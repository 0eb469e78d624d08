import { createHash, randomBytes } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { request } from 'node:http'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { gzipSync } from 'node:zlib'
import { signRequest } from '../../../src/relay/auth/request-signature'
import { createSyncClient, generateDeviceKey, SyncClientError } from '../../../src/relay/client'
import { blobPath, SYNC_PATHS } from '../../../src/shared/sync/protocol'
import { ERROR_CODE_HEADER } from '../../../src/relay/wire'
import { DeviceLog } from '../../helpers/events'
import { enrolledDevice, startTestRelay, type TestDevice } from '../relay/relay-fixture'
import { downloadBlob, rawRequest, signingFetch, testServerIdentity, type FakeAnswer } from '../relay/signed-request'

const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')
const sourceOf = (bytes: Buffer) => async (offset: number, length: number) => bytes.subarray(offset, offset + length)
const IDLE_TIMEOUT_MS = 400
const OTHER_WARD = '20245'

async function failure(promise: Promise<unknown>): Promise<SyncClientError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught)
  if (!(error instanceof SyncClientError)) throw new Error(`expected a SyncClientError, got ${String(error)}`)
  return error
}

describe('relay hardening: stalled links, lost parts, squatters, other wards, deep JSON', () => {
  let relay: Awaited<ReturnType<typeof startTestRelay>>
  let device: TestDevice
  let neighbour: TestDevice

  beforeAll(async () => {
    relay = await startTestRelay({ socketIdleTimeoutMs: IDLE_TIMEOUT_MS })
    device = await enrolledDevice(relay.server)
    neighbour = await enrolledDevice(relay.server, { wardCode: OTHER_WARD })
  }, 60_000)

  afterAll(async () => {
    await relay?.dispose()
  })

  it('cuts a PATCH whose link went silent mid-body, so a retry gets the blob', async () => {
    const bytes = randomBytes(64 * 1024)
    const sha = sha256Hex(bytes)
    await device.client.createBlob(sha, bytes.length)
    const url = new URL(blobPath(sha), relay.server.url)
    const stalled = request(url, {
      method: 'PATCH',
      headers: {
        'tus-resumable': '1.0.0',
        'content-type': 'application/offset+octet-stream',
        'upload-offset': '0',
        'upload-checksum': `sha256 ${createHash('sha256').update(bytes).digest('base64')}`,
        'content-length': String(bytes.length),
        ...signRequest({ method: 'PATCH', url, body: bytes, deviceId: device.deviceId, privateKey: device.key, nowMs: Date.now() }),
      },
    })
    const cut = new Promise<void>((resolve) => stalled.on('error', () => resolve()).on('close', () => resolve()))
    stalled.write(bytes.subarray(0, 1000))
    await cut
    // The cut chunk was forgotten and its lock released: the whole chunk goes through again.
    await expect(device.client.uploadBlobChunk(sha, 0, bytes)).resolves.toBe(bytes.length)
    expect((await downloadBlob(relay.server.url, device, sha)).body.equals(bytes)).toBe(true)
  }, 20_000)

  it('starts over when the partial upload file was lost mid-upload, and the upload completes', async () => {
    const bytes = randomBytes(3000)
    const sha = sha256Hex(bytes)
    const partFile = join(relay.dataDir, 'blobs', sha.slice(0, 2), `${sha}.part`)
    let deleted = false
    const source = async (offset: number, length: number): Promise<Buffer> => {
      if (offset > 0 && !deleted) {
        deleted = true
        await rm(partFile)
      }
      return bytes.subarray(offset, offset + length)
    }
    await device.client.uploadBlob(sha, source, bytes.length, { chunkBytes: 1000 })
    expect(deleted).toBe(true)
    expect((await downloadBlob(relay.server.url, device, sha)).body.equals(bytes)).toBe(true)
  })

  it('gives up after a few offset corrections in one call instead of looping', async () => {
    let patches = 0
    const identity = testServerIdentity()
    const alwaysElsewhere = signingFetch(identity, async (_url, init): Promise<FakeAnswer> => {
      if (init?.method === 'PATCH') patches++
      if (init?.method === 'POST') return { status: 201, headers: { 'upload-offset': '0' } }
      if (init?.method === 'HEAD') return { status: 200, headers: { 'upload-offset': '0' } }
      return { status: 409, body: JSON.stringify({ error: { code: 'offsetMismatch', message: 'moved' } }), headers: { [ERROR_CODE_HEADER]: 'offsetMismatch' } }
    })
    const client = createSyncClient({ baseUrl: String(relay.server.url), deviceId: 'device-x', privateKey: generateDeviceKey(), serverKey: identity.publicKey, fetch: alwaysElsewhere })
    const error = await failure(client.uploadBlob('a'.repeat(64), sourceOf(randomBytes(10)), 10))
    expect(error.code).toBe('offsetMismatch')
    expect(patches).toBeGreaterThan(1)
    expect(patches).toBeLessThan(10)
  })

  it("answers another ward's upload as absent on HEAD and PATCH", async () => {
    const bytes = randomBytes(2000)
    const sha = sha256Hex(bytes)
    await device.client.createBlob(sha, bytes.length)
    await expect(neighbour.client.blobOffset(sha)).resolves.toBeUndefined()
    const patch = await rawRequest(relay.server.url, {
      method: 'PATCH',
      path: blobPath(sha),
      body: bytes,
      headers: { 'tus-resumable': '1.0.0', 'content-type': 'application/offset+octet-stream', 'upload-offset': '0', 'upload-checksum': `sha256 ${createHash('sha256').update(bytes).digest('base64')}` },
      signAs: { deviceId: neighbour.deviceId, key: neighbour.key },
    })
    expect(patch.status).toBe(404)
    expect(patch.json()).toMatchObject({ error: { code: 'notFound' } })
    // Nothing of the neighbour's chunk was taken.
    await expect(device.client.blobOffset(sha)).resolves.toBe(0)
  })

  it('does not let a creation with the wrong length keep the real upload out', async () => {
    const bytes = randomBytes(1500)
    const sha = sha256Hex(bytes)
    await neighbour.client.createBlob(sha, bytes.length + 7)
    await device.client.uploadBlob(sha, sourceOf(bytes), bytes.length, { chunkBytes: 500 })
    expect((await downloadBlob(relay.server.url, device, sha)).body.equals(bytes)).toBe(true)
    // Once whole, the length is settled: a wrong one is refused, not a reset.
    expect((await failure(neighbour.client.createBlob(sha, bytes.length + 7))).code).toBe('malformedRequest')
  })

  it('refuses a payload nested far too deep with a 400 JSON error, not a 503', async () => {
    const log = new DeviceLog(device.deviceId)
    const depth = 200_000
    const event = JSON.stringify(log.event('queue.test', { marker: 1 }, Date.now())).replace('{"marker":1}', `{"deep":${'['.repeat(depth)}${']'.repeat(depth)}}`)
    const body = gzipSync(Buffer.from(`{"events":[${event}]}`))
    const answer = await rawRequest(relay.server.url, {
      method: 'POST',
      path: SYNC_PATHS.events,
      body,
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      signAs: { deviceId: device.deviceId, key: device.key },
    })
    expect(answer.status).toBe(400)
    expect(answer.json()).toMatchObject({ error: { code: 'malformedRequest', message: expect.stringContaining('nested deeper') } })
  })
})
