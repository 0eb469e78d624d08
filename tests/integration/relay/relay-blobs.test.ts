import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { request, type ClientRequest } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signRequest } from '../../../src/relay/auth/request-signature'
import { createSyncClient, SyncClientError } from '../../../src/relay/client'
import { blobPath, SYNC_PATHS } from '../../../src/shared/sync/protocol'
import { DeviceLog } from '../../helpers/events'
import { enrolledDevice, startTestRelay, type TestDevice } from './relay-fixture'
import { downloadBlob, rawRequest } from './signed-request'

const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')
const sourceOf = (bytes: Buffer) => async (offset: number, length: number) => bytes.subarray(offset, offset + length)

async function failure(promise: Promise<unknown>): Promise<SyncClientError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught)
  if (!(error instanceof SyncClientError)) throw new Error(`expected a SyncClientError, got ${String(error)}`)
  return error
}

/** A PATCH whose body the test writes by hand, to cut or stall it. */
function startChunk(baseUrl: string, device: TestDevice, sha: string, offset: number, chunk: Buffer): ClientRequest {
  const url = new URL(blobPath(sha), baseUrl)
  const req = request(url, {
    method: 'PATCH',
    headers: {
      'tus-resumable': '1.0.0',
      'content-type': 'application/offset+octet-stream',
      'upload-offset': String(offset),
      'upload-checksum': `sha256 ${createHash('sha256').update(chunk).digest('base64')}`,
      'content-length': String(chunk.length),
      ...signRequest({ method: 'PATCH', url, body: chunk, deviceId: device.deviceId, privateKey: device.key, nowMs: Date.now() }),
    },
  })
  req.on('error', () => undefined)
  return req
}

describe('resumable blobs (tus 1.0.0 + creation + checksum)', () => {
  let dataDir: string
  let relay: Awaited<ReturnType<typeof startTestRelay>>
  let device: TestDevice

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'motcua-relay-blobs-'))
    relay = await startTestRelay({ dataDir })
    device = await enrolledDevice(relay.server)
  }, 60_000)

  afterAll(async () => {
    await relay?.dispose()
    await rm(dataDir, { recursive: true, force: true })
  })

  it('advertises tus on OPTIONS', async () => {
    const answer = await rawRequest(relay.server.url, { method: 'OPTIONS', path: SYNC_PATHS.blobs })
    expect(answer.status).toBe(204)
    expect(answer.headers).toMatchObject({ 'tus-version': '1.0.0', 'tus-extension': 'creation,checksum', 'tus-checksum-algorithm': 'sha256' })
  })

  it('creates, uploads in chunks and serves the blob back', async () => {
    const bytes = randomBytes(300_000)
    const sha = sha256Hex(bytes)
    expect(await device.client.blobOffset(sha)).toBeUndefined()
    const progress: number[] = []
    expect(await device.client.uploadBlob(sha, sourceOf(bytes), bytes.length, { chunkBytes: 100_000, onProgress: (offset) => progress.push(offset) })).toEqual({ sentBytes: 300_000, complete: true })
    expect(progress).toEqual([100_000, 200_000, 300_000])
    expect((await downloadBlob(relay.server.url, device, sha)).body.equals(bytes)).toBe(true)
  })

  it('stores a blob once: creating it again answers that it is complete', async () => {
    const bytes = randomBytes(10_000)
    const sha = sha256Hex(bytes)
    await device.client.uploadBlob(sha, sourceOf(bytes), bytes.length)
    const create = await rawRequest(relay.server.url, {
      method: 'POST',
      path: SYNC_PATHS.blobs,
      headers: { 'tus-resumable': '1.0.0', 'upload-length': String(bytes.length), 'upload-metadata': `sha256 ${Buffer.from(sha).toString('base64')}` },
      signAs: { deviceId: device.deviceId, key: device.key },
    })
    expect([create.status, create.headers['upload-offset']]).toEqual([200, String(bytes.length)])
    expect(await device.client.uploadBlob(sha, sourceOf(bytes), bytes.length)).toEqual({ sentBytes: 0, complete: true })
    const files = await readdir(join(dataDir, 'blobs', sha.slice(0, 2)))
    expect(files.filter((name) => name.startsWith(sha))).toEqual([sha])
  })

  it('resumes after a cut from the offset the server acknowledged', async () => {
    const bytes = randomBytes(250_000)
    const sha = sha256Hex(bytes)
    let calls = 0
    const cutting = createSyncClient({
      baseUrl: relay.server.url,
      deviceId: device.deviceId,
      privateKey: device.key,
      serverKey: relay.server.serverKey,
      // The third PATCH never reaches the server: the link dropped.
      fetch: async (url, init) => {
        if (init?.method === 'PATCH' && ++calls === 3) throw new TypeError('fetch failed')
        return fetch(url, init)
      },
    })
    expect((await failure(cutting.uploadBlob(sha, sourceOf(bytes), bytes.length, { chunkBytes: 50_000 }))).code).toBe('network')
    expect(await device.client.blobOffset(sha)).toBe(100_000)
    expect(await device.client.uploadBlob(sha, sourceOf(bytes), bytes.length, { chunkBytes: 50_000 })).toEqual({ sentBytes: 150_000, complete: true })
    expect((await downloadBlob(relay.server.url, device, sha)).body.equals(bytes)).toBe(true)
  })

  it('discards a chunk cut mid-body, keeping the offset where it was', async () => {
    const bytes = randomBytes(64_000)
    const sha = sha256Hex(bytes)
    await device.client.createBlob(sha, bytes.length)
    await device.client.uploadBlobChunk(sha, 0, bytes.subarray(0, 16_000))
    const cut = startChunk(relay.server.url, device, sha, 16_000, bytes.subarray(16_000, 48_000))
    await new Promise<void>((resolve) => cut.write(bytes.subarray(16_000, 26_000), () => resolve()))
    cut.destroy()
    expect(await device.client.blobOffset(sha)).toBe(16_000)
    expect(await device.client.uploadBlob(sha, sourceOf(bytes), bytes.length)).toEqual({ sentBytes: 48_000, complete: true })
    expect((await downloadBlob(relay.server.url, device, sha)).body.equals(bytes)).toBe(true)
  })

  it('answers 460 for a chunk whose checksum does not match, and 409 for a wrong offset', async () => {
    const bytes = randomBytes(20_000)
    const sha = sha256Hex(bytes)
    await device.client.createBlob(sha, bytes.length)
    const chunk = bytes.subarray(0, 10_000)
    const patch = (offset: number, checksumOf: Uint8Array) =>
      rawRequest(relay.server.url, {
        method: 'PATCH',
        path: blobPath(sha),
        body: chunk,
        headers: { 'tus-resumable': '1.0.0', 'content-type': 'application/offset+octet-stream', 'upload-offset': String(offset), 'upload-checksum': `sha256 ${createHash('sha256').update(checksumOf).digest('base64')}` },
        signAs: { deviceId: device.deviceId, key: device.key },
      })
    const mismatch = await patch(0, Buffer.from('something else'))
    expect([mismatch.status, (mismatch.json() as { error: { code: string } }).error.code]).toEqual([460, 'checksumMismatch'])
    expect(await device.client.blobOffset(sha)).toBe(0)
    const wrongOffset = await patch(5000, chunk)
    expect([wrongOffset.status, (wrongOffset.json() as { error: { code: string } }).error.code, wrongOffset.headers['upload-offset']]).toEqual([409, 'offsetMismatch', '0'])
    expect((await failure(device.client.uploadBlobChunk(sha, 5000, chunk))).code).toBe('offsetMismatch')
  })

  it('answers 413 for a blob or a chunk over its limit', async () => {
    const tooBig = await rawRequest(relay.server.url, {
      method: 'POST',
      path: SYNC_PATHS.blobs,
      headers: { 'tus-resumable': '1.0.0', 'upload-length': String(512 * 1024 * 1024 + 1), 'upload-metadata': `sha256 ${Buffer.from('cd'.repeat(32)).toString('base64')}` },
      signAs: { deviceId: device.deviceId, key: device.key },
    })
    expect([tooBig.status, (tooBig.json() as { error: { code: string } }).error.code]).toEqual([413, 'payloadTooLarge'])
    const chunk = await rawRequest(relay.server.url, {
      method: 'PATCH',
      path: blobPath('cd'.repeat(32)),
      headers: { 'tus-resumable': '1.0.0', 'content-type': 'application/offset+octet-stream', 'upload-offset': '0', 'content-length': String(8 * 1024 * 1024 + 1) },
      signAs: { deviceId: device.deviceId, key: device.key },
      signBody: Buffer.alloc(0),
    })
    expect([chunk.status, (chunk.json() as { error: { code: string } }).error.code]).toEqual([413, 'payloadTooLarge'])
  })

  it('discards an upload whose whole content does not hash to its address', async () => {
    const bytes = randomBytes(5000)
    const claimed = sha256Hex(randomBytes(5000))
    const error = await failure(device.client.uploadBlob(claimed, sourceOf(bytes), bytes.length))
    expect([error.code, error.details.status]).toEqual(['digestMismatch', 409])
    expect(await device.client.blobOffset(claimed)).toBeUndefined()
  })

  it('serves a blob only to wards that uploaded or reference it', async () => {
    const bytes = randomBytes(2000)
    const sha = sha256Hex(bytes)
    await device.client.uploadBlob(sha, sourceOf(bytes), bytes.length)
    const otherWard = await enrolledDevice(relay.server, { wardCode: '20250' })
    expect((await downloadBlob(relay.server.url, otherWard, sha)).status).toBe(404)
    const log = new DeviceLog(otherWard.deviceId)
    await otherWard.client.push([{ ...log.event('dossier.pagesCaptured', { pageSha256s: [sha] }, 1), wardCode: '20250' }])
    expect((await downloadBlob(relay.server.url, otherWard, sha)).body.equals(bytes)).toBe(true)
  })

  it('keeps a partial upload across a server restart', async () => {
    const bytes = randomBytes(120_000)
    const sha = sha256Hex(bytes)
    await device.client.createBlob(sha, bytes.length)
    await device.client.uploadBlobChunk(sha, 0, bytes.subarray(0, 70_000))
    // A chunk stalled mid-body (a dead link) must not hold the server open, nor count.
    const stalled = startChunk(relay.server.url, device, sha, 70_000, bytes.subarray(70_000, 120_000))
    stalled.write(bytes.subarray(70_000, 80_000))
    await relay.server.close()
    stalled.destroy()
    relay = await startTestRelay({ dataDir })
    const again = createSyncClient({ baseUrl: relay.server.url, deviceId: device.deviceId, privateKey: device.key, serverKey: relay.server.serverKey })
    expect(await again.blobOffset(sha)).toBe(70_000)
    expect(await again.uploadBlob(sha, sourceOf(bytes), bytes.length)).toEqual({ sentBytes: 50_000, complete: true })
    expect((await downloadBlob(relay.server.url, device, sha)).body.equals(bytes)).toBe(true)
    device = { ...device, client: again }
  })
})
