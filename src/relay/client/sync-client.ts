import { createHash, type KeyObject } from 'node:crypto'
import { promisify } from 'node:util'
import { gzip } from 'node:zlib'
import type { z } from 'zod'
import { CodedError } from '../../shared/coded-error'
import type { EventEnvelope, VersionVector } from '../../shared/domain/eventlog/envelope'
import {
  blobPath,
  encodeVersionVector,
  EnrollResponseSchema,
  HealthResponseSchema,
  PullResponseSchema,
  PushResponseSchema,
  SYNC_ERROR_CODES,
  SYNC_LIMITS,
  SYNC_PATHS,
  SyncErrorBodySchema,
  type DeviceKindSchema,
  type Ed25519PublicJwk,
  type HealthResponse,
  type PullResponse,
  type PushResponse,
  type ServerKey,
  type SyncErrorCode,
} from '../../shared/sync/protocol'
import { jwkThumbprint, publicJwkOf, publicKeyFromJwk } from '../auth/device-key'
import { contentDigestOf, requestSignatureMember, signRequest, verifyResponse } from '../auth/request-signature'
import { ERROR_CODE_HEADER, TUS_VERSION } from '../wire'

const gzipAsync = promisify(gzip)

/**
 * What went wrong, for the engine to decide: retry later (network, timeout, unavailable, badResponse),
 * or tell the technician (serverKeyChanged: the answer is signed by another key than the one pinned).
 */
export type SyncClientErrorCode = SyncErrorCode | 'network' | 'timeout' | 'badResponse' | 'serverKeyChanged'

export interface SyncClientErrorDetails {
  /** The HTTP status, when the server answered. */
  readonly status?: number
  /** clockSkew: the server's clock (ms since the epoch, from its Date header), to show the technician. */
  readonly serverTimeMs?: number
  /** sequenceGap: the seq the server expects next for that device. */
  readonly expected?: { readonly deviceId: string; readonly seq: number }
}

export class SyncClientError extends CodedError<SyncClientErrorCode> {
  constructor(
    code: SyncClientErrorCode,
    message: string,
    readonly details: SyncClientErrorDetails = {},
    options?: ErrorOptions,
  ) {
    super(code, message, options)
  }
}

export interface SyncClientOptions {
  /** The server's origin, e.g. http://192.168.1.10:8787 (a path prefix is kept). */
  readonly baseUrl: string
  readonly deviceId: string
  /** The device's Ed25519 private key: signs every request but /health. */
  readonly privateKey: KeyObject
  /** The server's key pinned at enrolment: every answer to a signed request must be signed by it. Needed for every call but health(). */
  readonly serverKey?: ServerKey
  readonly fetch?: typeof fetch
  /** Clock for the signature's `created`, in ms. */
  readonly now?: () => number
  /** Per request; a long-poll pull adds its wait. Default 30 s. */
  readonly timeoutMs?: number
}

export interface EnrollInput {
  readonly wardCode: string
  readonly kind: z.infer<typeof DeviceKindSchema>
  readonly enrollmentCode: string
  /** Defaults to the public half of the client's key. */
  readonly publicKey?: Ed25519PublicJwk
}

export interface PullInput {
  readonly after: VersionVector
  readonly limit?: number
  /** Long-poll: how long the server may hold the request when it has nothing new (≤ 25 s). */
  readonly waitSeconds?: number
  readonly signal?: AbortSignal
}

export interface UploadBlobOptions {
  /** Bytes per PATCH; smaller on a slow link, so a cut costs little. Default 1 MiB. */
  readonly chunkBytes?: number
  /** After each acknowledged chunk: the server's offset and the blob's length. */
  readonly onProgress?: (offset: number, length: number) => void
  readonly signal?: AbortSignal
  /** Asked between chunks: true stops the upload there (complete: false), to be resumed from the server's offset by a later call. */
  readonly yieldNow?: () => boolean
}

export interface UploadBlobResult {
  /** Bytes this call sent in PATCH bodies that the server acknowledged (0 when it already held the blob). */
  readonly sentBytes: number
  /** false when yieldNow stopped the upload before its end. */
  readonly complete: boolean
}

/** Reads `length` bytes of the blob from `offset`, so a resumed upload reads only what the server lacks. */
export type BlobSource = (offset: number, length: number) => Promise<Uint8Array>

export interface SyncClient {
  readonly baseUrl: string
  readonly deviceId: string
  health(options?: { signal?: AbortSignal }): Promise<HealthResponse>
  enroll(input: EnrollInput): Promise<z.infer<typeof EnrollResponseSchema>>
  push(events: readonly EventEnvelope[], options?: { signal?: AbortSignal }): Promise<PushResponse>
  pull(input: PullInput): Promise<PullResponse>
  /** The server's offset for this blob, or undefined when it has never heard of it. */
  blobOffset(sha256: string, options?: { signal?: AbortSignal }): Promise<number | undefined>
  /** Creates the upload (tus creation); returns the server's offset: 0 when new, `length` when it already holds the blob. */
  createBlob(sha256: string, length: number, options?: { signal?: AbortSignal }): Promise<number>
  /** Appends one chunk at `offset`; returns the server's new offset. */
  uploadBlobChunk(sha256: string, offset: number, chunk: Uint8Array, options?: { signal?: AbortSignal }): Promise<number>
  /** Uploads a whole blob, resuming from whatever the server already holds. */
  uploadBlob(sha256: string, source: BlobSource, length: number, options?: UploadBlobOptions): Promise<UploadBlobResult>
}

interface RequestOptions {
  readonly body?: Uint8Array
  readonly headers?: Record<string, string>
  readonly signed?: boolean
  readonly signal?: AbortSignal | undefined
  readonly timeoutMs?: number | undefined
  /** The most the answer's body may hold once decoded; reading stops past it. Default SYNC_LIMITS.maxAnswerBytes. */
  readonly maxAnswerBytes?: number
}

interface RawResponse {
  readonly status: number
  readonly headers: Headers
  readonly body: Uint8Array
}

const DEFAULT_TIMEOUT_MS = 30_000
const DEFAULT_CHUNK_BYTES = 1024 * 1024
/** Offset corrections one upload call accepts; past that the caller's backoff takes over rather than a tight loop. */
const MAX_OFFSET_RESYNCS = 3

export function createSyncClient(options: SyncClientOptions): SyncClient {
  const base = options.baseUrl.replace(/\/+$/, '')
  const fetchImpl = options.fetch ?? fetch
  const now = options.now ?? Date.now
  const defaultTimeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS

  const pinned = options.serverKey && { kid: options.serverKey.kid, publicKey: publicKeyFromJwk({ kty: options.serverKey.kty, crv: options.serverKey.crv, x: options.serverKey.x }) }

  async function request(method: string, pathAndQuery: string, requestOptions: RequestOptions = {}): Promise<RawResponse> {
    const url = new URL(base + pathAndQuery)
    const headers: Record<string, string> = { 'accept-encoding': 'gzip', ...requestOptions.headers }
    const signed = requestOptions.signed !== false
    if (signed) {
      if (!pinned) throw new Error('The server key must be pinned (serverKey) before a signed request')
      Object.assign(headers, signRequest({ method, url, deviceId: options.deviceId, privateKey: options.privateKey, nowMs: now(), ...(requestOptions.body !== undefined && { body: requestOptions.body }) }))
    }
    const timeout = AbortSignal.timeout(requestOptions.timeoutMs ?? defaultTimeoutMs)
    const signal = requestOptions.signal ? AbortSignal.any([requestOptions.signal, timeout]) : timeout
    let response: RawResponse
    try {
      // Node's fetch takes any Uint8Array; the DOM typing wants one over a plain ArrayBuffer.
      const body = requestOptions.body as Uint8Array<ArrayBuffer> | undefined
      const answer = await fetchImpl(url, { method, headers, signal, ...(body !== undefined && { body }) })
      response = { status: answer.status, headers: answer.headers, body: await readCapped(answer, requestOptions.maxAnswerBytes ?? SYNC_LIMITS.maxAnswerBytes, `${method} ${url.pathname}`) }
    } catch (error) {
      if (error instanceof SyncClientError) throw error
      // The caller's own abort is not a sync failure: its reason goes back as it is.
      if (requestOptions.signal?.aborted) throw requestOptions.signal.reason
      if (timeout.aborted) throw new SyncClientError('timeout', `${method} ${url.pathname}: no answer within the time limit`, {}, { cause: error })
      throw new SyncClientError('network', `${method} ${url.pathname}: ${error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error)}`, {}, { cause: error })
    }
    if (signed) {
      // Nothing of an answer is used (ack, page, offset, error code) before it proves to come from the pinned server, for this request.
      const uploadOffset = response.headers.get('upload-offset')
      const errorCode = response.headers.get(ERROR_CODE_HEADER)
      const check = verifyResponse(
        {
          status: response.status,
          bodyDigest: contentDigestOf(response.body),
          ...(uploadOffset !== null && { uploadOffset }),
          ...(errorCode !== null && { errorCode }),
          requestSignature: requestSignatureMember(headers.signature)!,
        },
        { 'signature-input': response.headers.get('signature-input'), signature: response.headers.get('signature') },
        pinned!,
      )
      if (!check.ok) throw new SyncClientError(check.code, `${method} ${url.pathname}: ${check.message}`, { status: response.status })
    }
    return response
  }

  /** A non-2xx answer becomes the server's error code; an answer that is not ours becomes badResponse. */
  function errorFrom(method: string, path: string, response: RawResponse): SyncClientError {
    const where = `${method} ${path}: HTTP ${response.status}`
    const serverDate = Date.parse(response.headers.get('date') ?? '')
    const details = { status: response.status, ...(Number.isFinite(serverDate) && { serverTimeMs: serverDate }) }
    if (response.body.length === 0) {
      // HEAD answers carry no body: the code travels in a header.
      const code = response.headers.get(ERROR_CODE_HEADER)
      if (code !== null && (SYNC_ERROR_CODES as readonly string[]).includes(code)) return new SyncClientError(code as SyncErrorCode, where, details)
      return new SyncClientError('badResponse', `${where} with no error body`, details)
    }
    const parsed = parseJson(response.body, SyncErrorBodySchema)
    if (!parsed.success) return new SyncClientError('badResponse', `${where} with an error body that is not the protocol's`, details)
    const { code, message, expected } = parsed.data.error
    return new SyncClientError(code, `${where}: ${code}: ${message}`, { ...details, ...(expected && { expected }) })
  }

  async function call<S extends z.ZodType>(method: string, path: string, schema: S, requestOptions: RequestOptions = {}): Promise<z.infer<S>> {
    const response = await request(method, path, requestOptions)
    if (response.status < 200 || response.status > 299) throw errorFrom(method, path, response)
    const parsed = parseJson(response.body, schema)
    if (!parsed.success) throw new SyncClientError('badResponse', `${method} ${path}: the answer does not match the protocol: ${parsed.reason}`, { status: response.status })
    return parsed.data
  }

  async function jsonBody(value: unknown, compress: boolean): Promise<{ body: Uint8Array; headers: Record<string, string> }> {
    const json = Buffer.from(JSON.stringify(value), 'utf8')
    if (!compress) return { body: json, headers: { 'content-type': 'application/json' } }
    return { body: await gzipAsync(json), headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } }
  }

  function offsetHeader(method: string, path: string, response: RawResponse): number {
    const offset = Number(response.headers.get('upload-offset') ?? NaN)
    if (!Number.isSafeInteger(offset) || offset < 0) throw new SyncClientError('badResponse', `${method} ${path}: no valid Upload-Offset`, { status: response.status })
    return offset
  }

  const client: SyncClient = {
    baseUrl: base,
    deviceId: options.deviceId,

    async health(callOptions) {
      const health = await call('GET', SYNC_PATHS.health, HealthResponseSchema, { signed: false, signal: callOptions?.signal })
      const { kid, ...jwk } = health.key
      if (jwkThumbprint(jwk) !== kid) throw new SyncClientError('badResponse', `GET ${SYNC_PATHS.health}: the server key's kid is not its thumbprint`, { status: 200 })
      return health
    },

    async enroll(input) {
      const { body, headers } = await jsonBody(
        { deviceId: options.deviceId, wardCode: input.wardCode, kind: input.kind, publicKey: input.publicKey ?? publicJwkOf(options.privateKey), enrollmentCode: input.enrollmentCode },
        false,
      )
      return call('POST', SYNC_PATHS.enroll, EnrollResponseSchema, { body, headers })
    },

    async push(events, callOptions) {
      const { body, headers } = await jsonBody({ events }, true)
      return call('POST', SYNC_PATHS.events, PushResponseSchema, { body, headers, signal: callOptions?.signal })
    },

    async pull(input) {
      const waitSeconds = Math.min(input.waitSeconds ?? 0, SYNC_LIMITS.maxPullWaitSeconds)
      const query = new URLSearchParams({ after: encodeVersionVector(input.after), limit: String(input.limit ?? SYNC_LIMITS.maxEventsPerPull), wait: String(waitSeconds) })
      const path = `${SYNC_PATHS.events}?${query}`
      const answer = await call('GET', path, PullResponseSchema, { signal: input.signal, timeoutMs: defaultTimeoutMs + waitSeconds * 1000, maxAnswerBytes: SYNC_LIMITS.maxPullAnswerBytes })
      const problem = continuityProblem(input.after, answer.events)
      if (problem !== undefined) throw new SyncClientError('badResponse', `GET ${SYNC_PATHS.events}: ${problem}`, { status: 200 })
      return answer
    },

    async blobOffset(sha256, callOptions) {
      const path = blobPath(sha256)
      const response = await request('HEAD', path, { headers: { 'tus-resumable': TUS_VERSION }, signal: callOptions?.signal })
      if (response.status === 404) return undefined
      if (response.status !== 200) throw errorFrom('HEAD', path, response)
      return offsetHeader('HEAD', path, response)
    },

    async createBlob(sha256, length, callOptions) {
      const headers = { 'tus-resumable': TUS_VERSION, 'upload-length': String(length), 'upload-metadata': `sha256 ${Buffer.from(sha256, 'ascii').toString('base64')}` }
      const response = await request('POST', SYNC_PATHS.blobs, { headers, signal: callOptions?.signal })
      if (response.status === 201) return response.headers.has('upload-offset') ? offsetHeader('POST', SYNC_PATHS.blobs, response) : 0
      if (response.status === 200) return offsetHeader('POST', SYNC_PATHS.blobs, response)
      throw errorFrom('POST', SYNC_PATHS.blobs, response)
    },

    async uploadBlobChunk(sha256, offset, chunk, callOptions) {
      const path = blobPath(sha256)
      const headers = {
        'tus-resumable': TUS_VERSION,
        'content-type': 'application/offset+octet-stream',
        'upload-offset': String(offset),
        'upload-checksum': `sha256 ${createHash('sha256').update(chunk).digest('base64')}`,
      }
      // A chunk may take long on a slow link: allow the time it needs at 64 kbit/s on top of the usual limit.
      const response = await request('PATCH', path, { body: chunk, headers, signal: callOptions?.signal, timeoutMs: defaultTimeoutMs + Math.ceil(chunk.length / 8) })
      if (response.status !== 204) throw errorFrom('PATCH', path, response)
      const next = offsetHeader('PATCH', path, response)
      if (next !== offset + chunk.length) throw new SyncClientError('badResponse', `PATCH ${path}: offset ${next} after ${chunk.length} bytes at ${offset}`, { status: 204 })
      return next
    },

    async uploadBlob(sha256, source, length, uploadOptions = {}) {
      const chunkBytes = Math.max(1, Math.min(uploadOptions.chunkBytes ?? DEFAULT_CHUNK_BYTES, SYNC_LIMITS.maxChunkBytes))
      const signalOption = { signal: uploadOptions.signal }
      let offset = await client.createBlob(sha256, length, signalOption)
      let sentBytes = 0
      let resyncs = 0
      while (offset < length) {
        uploadOptions.signal?.throwIfAborted()
        if (uploadOptions.yieldNow?.()) return { sentBytes, complete: false }
        const size = Math.min(chunkBytes, length - offset)
        const chunk = await source(offset, size)
        if (chunk.length !== size) throw new RangeError(`Blob source gave ${chunk.length} bytes at ${offset}, expected ${size}`)
        try {
          offset = await client.uploadBlobChunk(sha256, offset, chunk, signalOption)
          sentBytes += size
        } catch (error) {
          // Another sender (or our own cut request) moved the offset: continue from the server's.
          if (!(error instanceof SyncClientError && error.code === 'offsetMismatch') || ++resyncs > MAX_OFFSET_RESYNCS) throw error
          const serverOffset = await client.blobOffset(sha256, signalOption)
          if (serverOffset === undefined) throw error
          offset = serverOffset
        }
        uploadOptions.onProgress?.(offset, length)
      }
      return { sentBytes, complete: true }
    },
  }
  return client
}

/** The answer's body, read as it streams in and given up as soon as it grows past what this call may get. */
async function readCapped(response: Response, maxBytes: number, where: string): Promise<Uint8Array> {
  const tooLarge = (): SyncClientError => new SyncClientError('badResponse', `${where}: the answer is over the ${maxBytes}-byte limit for this call`, { status: response.status })
  const declared = Number(response.headers.get('content-length') ?? NaN)
  // Content-Length counts the gzip bytes, a lower bound of the decoded size.
  if (declared > maxBytes) {
    await response.body?.cancel()
    throw tooLarge()
  }
  if (!response.body) return new Uint8Array()
  const chunks: Uint8Array[] = []
  let size = 0
  const reader = response.body.getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.length
    if (size > maxBytes) {
      await reader.cancel()
      throw tooLarge()
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks)
}

function parseJson<S extends z.ZodType>(body: Uint8Array, schema: S): { success: true; data: z.infer<S> } | { success: false; reason: string } {
  let value: unknown
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body))
  } catch {
    return { success: false, reason: 'not JSON' }
  }
  const parsed = schema.safeParse(value)
  return parsed.success ? { success: true, data: parsed.data } : { success: false, reason: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ').slice(0, 500) }
}

/** A pull answer must continue each device's log right after `after`, with no gap: a server that skips is not trusted. */
function continuityProblem(after: VersionVector, events: readonly EventEnvelope[]): string | undefined {
  const next = new Map<string, number>()
  for (const event of events) {
    const expected = next.get(event.deviceId) ?? (after[event.deviceId] ?? 0) + 1
    if (event.seq !== expected) return `event ${event.deviceId}:${event.seq} where ${expected} was due`
    next.set(event.deviceId, expected + 1)
  }
  return undefined
}
