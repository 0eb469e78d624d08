import { mkdir } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import type { KeyObject } from 'node:crypto'
import { WardCodeSchema, type EventEnvelope } from '../../shared/domain/eventlog/envelope'
import {
  decodeVersionVector,
  EnrollRequestSchema,
  eventJsonBytes,
  PROTOCOL_VERSION,
  PushRequestSchema,
  Sha256HexSchema,
  SYNC_LIMITS,
  SYNC_PATHS,
  type HealthResponse,
  type PullResponse,
  type PushResponse,
  type ServerKey,
} from '../../shared/sync/protocol'
import type { BackoffPolicy } from '../../shared/sync/backoff'
import { publicKeyFromJwk } from '../auth/device-key'
import { contentDigestOf, parseRequestSignature, requestSignatureMember, signResponse, verifyRequest, type ParsedSignature } from '../auth/request-signature'
import { serializeContentDigest } from '../../shared/sync/http-signature'
import { TUS_CHECKSUM_ALGORITHMS, TUS_EXTENSIONS, TUS_VERSION } from '../wire'
import { BlobStore } from './blob-store'
import { loadEnrollmentCodes } from './enrollment'
import { ClientGone, declaredLength, decodeBody, parseJsonBody, readBody, RelayHttpError, requireJsonContentType, sendError, sendJson, signAnswersTo, writeHead } from './http'
import { loadServerIdentity } from './server-key'
import { openRelayStorage, type BlobRecord, type DeviceRecord, type RelayStorage } from './storage/relay-storage'
import { startUpstreamReplicator, type UpstreamReplicator, type UpstreamStatus } from './upstream-replicator'
import { WardSignals } from './ward-signals'

export type RelayRole = 'hub' | 'city'

export interface RelayServerOptions {
  readonly role: RelayRole
  /** Holds the PGlite database (unless databaseUrl), the blobs and the enrolment secret. */
  readonly dataDir: string
  /** PostgreSQL instead of PGlite, e.g. postgres://relay@db.example/relay. */
  readonly databaseUrl?: string | undefined
  readonly host?: string
  /** 0: any free port. */
  readonly port?: number
  readonly log: (line: string) => void
  /** Hub: the one ward it serves. */
  readonly wardCode?: string
  /** Hub: replicate the ward to the city with this identity (enrolled there beforehand), trusting answers signed by the city's pinned key only. */
  readonly upstream?: { readonly baseUrl: string; readonly deviceId: string; readonly privateKey: KeyObject; readonly serverKey: ServerKey; readonly fetch?: typeof fetch }
  /** Tests: the retry policy towards the city. */
  readonly upstreamBackoff?: BackoffPolicy
  /** The server clock, for signature freshness. */
  readonly now?: () => number
  /** Tests: how long a connection may stay silent mid-request. Default 60 s. */
  readonly socketIdleTimeoutMs?: number
}

export interface RelayServer {
  readonly url: string
  readonly port: number
  readonly role: RelayRole
  readonly storage: RelayStorage
  /** The key that signs this server's answers (also in /health). */
  readonly serverKey: ServerKey
  enrollmentCode(wardCode: string): string
  /** The hub's replication to the city; undefined without upstream. */
  upstreamStatus(): UpstreamStatus | undefined
  close(): Promise<void>
}

const MAX_ENROLL_BODY_BYTES = 16 * 1024
const CLOSE_GRACE_MS = 5000
/**
 * A connection silent this long is cut: a link that died mid-upload would otherwise hold the blob's
 * lock for ever. Longer than the longest quiet a request has by design (a pull's 25 s wait).
 */
const SOCKET_IDLE_TIMEOUT_MS = 60_000
/** A pull page stops near this much JSON even below its limit: 2000 events of 64 KiB would be 128 MiB. */
const MAX_PULL_JSON_BYTES = SYNC_LIMITS.maxBodyBytes
const DEFAULT_PULL_LIMIT = SYNC_LIMITS.maxEventsPerPull
const MAX_PAYLOAD_DEPTH = 32
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>

/** Every endpoint the server routes, with its methods: docs/sync-openapi.yaml must list exactly these (a test checks). */
export const RELAY_ENDPOINTS = [
  { path: SYNC_PATHS.health, methods: ['GET'] },
  { path: SYNC_PATHS.enroll, methods: ['POST'] },
  { path: SYNC_PATHS.events, methods: ['POST', 'GET'] },
  { path: SYNC_PATHS.blobs, methods: ['OPTIONS', 'POST'] },
  { path: `${SYNC_PATHS.blobs}/{sha256}`, methods: ['OPTIONS', 'HEAD', 'PATCH', 'GET'] },
] as const
type Endpoint = (typeof RELAY_ENDPOINTS)[number]
type EndpointKey = { [E in Endpoint as E['path']]: `${E['methods'][number]} ${E['path']}` }[Endpoint['path']]

/** '/v1/blobs/{sha256}' matches one path segment where the braces are. */
const templatePattern = (template: string): RegExp => new RegExp(`^${template.replace(/\{[a-z0-9]+\}/gi, '[^/]+')}$`)

export async function startRelayServer(options: RelayServerOptions): Promise<RelayServer> {
  if (options.role === 'hub' && (options.wardCode === undefined || !WardCodeSchema.safeParse(options.wardCode).success)) throw new Error('A hub serves one ward: give its 5-digit wardCode')
  if (options.upstream && options.role !== 'hub') throw new Error('Only a hub replicates upstream')
  const now = options.now ?? Date.now
  await mkdir(options.dataDir, { recursive: true })
  const codes = await loadEnrollmentCodes(options.dataDir)
  const identity = await loadServerIdentity(options.dataDir)
  const storage = await openRelayStorage({ pgliteDir: join(options.dataDir, 'relay-db'), databaseUrl: options.databaseUrl })
  const blobs = new BlobStore(join(options.dataDir, 'blobs'), storage)
  const signals = new WardSignals()
  const inFlight = new Set<Promise<void>>()

  /** Checks the request's signature; the device it names must be enrolled here. */
  async function authenticate(req: IncomingMessage, url: URL, hasBody: boolean): Promise<{ device: DeviceRecord; signature: ParsedSignature }> {
    const signature = checkedSignature(req, hasBody)
    const device = await storage.device(signature.params.keyid)
    if (!device) throw new RelayHttpError('unknownDevice', `Device ${signature.params.keyid} is not enrolled here`)
    verifyWith(req, signature, publicKeyFromJwk(device.jwk))
    return { device, signature }
  }

  function checkedSignature(req: IncomingMessage, hasBody: boolean): ParsedSignature {
    const parsed = parseRequestSignature(
      { 'signature-input': singleHeader(req, 'signature-input'), signature: singleHeader(req, 'signature'), 'content-digest': singleHeader(req, 'content-digest') },
      hasBody,
      now(),
    )
    if (!parsed.ok) throw new RelayHttpError(parsed.code, parsed.message)
    return parsed
  }

  function verifyWith(req: IncomingMessage, signature: ParsedSignature, key: KeyObject): void {
    const rawTarget = req.url ?? '/'
    const queryStart = rawTarget.indexOf('?')
    const parts = {
      method: req.method ?? '',
      authority: req.headers.host ?? '',
      path: queryStart < 0 ? rawTarget : rawTarget.slice(0, queryStart),
      query: queryStart < 0 ? '?' : rawTarget.slice(queryStart),
      ...(signature.bodySha256Base64 !== undefined && { contentDigest: singleHeader(req, 'content-digest')! }),
    }
    const verified = verifyRequest(parts, signature, key)
    if (!verified.ok) throw new RelayHttpError(verified.code, verified.message)
  }

  function checkBodyDigest(signature: ParsedSignature, raw: Buffer): void {
    if (contentDigestOf(raw) !== serializeContentDigest(signature.bodySha256Base64!)) throw new RelayHttpError('unauthenticated', 'Content-Digest does not match the body')
  }

  const health: Handler = async (req, res) => {
    const answer: HealthResponse = { status: 'ok', role: options.role, protocol: PROTOCOL_VERSION, time: new Date(now()).toISOString(), ...(options.wardCode !== undefined && { wardCode: options.wardCode }), key: identity.publicKey }
    await sendJson(req, res, 200, answer)
  }

  const enroll: Handler = async (req, res) => {
    requireJsonContentType(req)
    const signature = checkedSignature(req, true)
    const raw = await readBody(req, MAX_ENROLL_BODY_BYTES)
    checkBodyDigest(signature, raw)
    const parsed = EnrollRequestSchema.safeParse(parseJsonBody(await decodeBody(req, raw, MAX_ENROLL_BODY_BYTES)))
    if (!parsed.success) throw invalid(parsed.error)
    const request = parsed.data
    if (signature.params.keyid !== request.deviceId) throw new RelayHttpError('unauthenticated', 'The signature keyid must be the enrolling deviceId')
    // Signed with the key it registers: the device holds that key.
    verifyWith(req, signature, publicKeyFromJwk(request.publicKey))
    if (options.role === 'hub' && request.wardCode !== options.wardCode) throw new RelayHttpError('wrongWard', `This hub serves ward ${options.wardCode}`)
    if (!codes.matches(request.wardCode, request.enrollmentCode)) throw new RelayHttpError('enrollmentRefused', 'The enrolment code is not this server\'s code for that ward')
    const outcome = await storage.enrollDevice({ id: request.deviceId, ward: request.wardCode, kind: request.kind, jwk: request.publicKey })
    if (outcome === 'refused') throw new RelayHttpError('enrollmentRefused', 'This deviceId is enrolled with another key, ward or kind: the operator must remove it first')
    if (outcome === 'enrolled') options.log(`enrolled ${request.kind} ${request.deviceId} for ward ${request.wardCode}`)
    await sendJson(req, res, 200, { deviceId: request.deviceId, wardCode: request.wardCode, kind: request.kind })
  }

  const push: Handler = async (req, res, url) => {
    requireJsonContentType(req)
    const { device, signature } = await authenticate(req, url, true)
    const raw = await readBody(req, SYNC_LIMITS.maxBodyBytes)
    checkBodyDigest(signature, raw)
    const parsed = PushRequestSchema.safeParse(parseJsonBody(await decodeBody(req, raw, SYNC_LIMITS.maxDecodedBodyBytes)))
    if (!parsed.success) throw invalid(parsed.error)
    const { events } = parsed.data
    for (const event of events) {
      if (event.wardCode !== device.ward) throw new RelayHttpError('wrongWard', `Event ${event.deviceId}:${event.seq} belongs to ward ${event.wardCode}; this device pushes for ${device.ward}`)
      if (device.kind !== 'hub' && event.deviceId !== device.id) throw new RelayHttpError('notYourEvents', `Event ${event.deviceId}:${event.seq} is another device's: only a hub relays`)
      checkStorable(event)
    }
    const result = await storage.appendEvents(events)
    if (!result.ok) {
      switch (result.code) {
        case 'sequenceGap':
          throw new RelayHttpError('sequenceGap', `Events of ${result.deviceId} must continue at seq ${result.expected}`, { expected: { deviceId: result.deviceId, seq: result.expected } })
        case 'conflictingEvent':
          throw new RelayHttpError('conflictingEvent', `Event ${result.deviceId}:${result.seq} is already held with other content`)
        case 'wrongWard':
          throw new RelayHttpError('wrongWard', `Device ${result.deviceId}'s log belongs to another ward`)
        case 'clockBackwards':
          throw new RelayHttpError('malformedRequest', `Event ${result.deviceId}:${result.seq} has a clock (hlc) before the device's previous event`)
      }
    }
    for (const ward of result.acceptedWards) signals.notify(ward)
    replicator?.wake()
    const answer: PushResponse = { accepted: result.accepted, duplicates: result.duplicates, frontier: result.frontier }
    await sendJson(req, res, 200, answer)
  }

  const pull: Handler = async (req, res, url) => {
    const { device } = await authenticate(req, url, false)
    const params = url.searchParams
    for (const name of params.keys()) if (!['after', 'limit', 'wait'].includes(name)) throw new RelayHttpError('malformedRequest', `Unknown query parameter ${name.slice(0, 40)}`)
    const afterText = params.get('after') ?? ''
    const after = afterText === '' ? {} : decodeVersionVector(afterText)
    if (!after) throw new RelayHttpError('malformedRequest', 'after: a version vector as base64url JSON')
    const limit = integerParam(params.get('limit'), 1, SYNC_LIMITS.maxEventsPerPull, DEFAULT_PULL_LIMIT, 'limit')
    const waitSeconds = integerParam(params.get('wait'), 0, SYNC_LIMITS.maxPullWaitSeconds, 0, 'wait')
    const gone = new AbortController()
    res.once('close', () => gone.abort())
    // Register before reading: an event committed in between still wakes this pull.
    const woken = waitSeconds > 0 ? signals.waitFor(device.ward, waitSeconds * 1000, gone.signal) : undefined
    let answer: PullResponse = await storage.pullEvents(device.ward, after, limit, MAX_PULL_JSON_BYTES)
    if (answer.events.length === 0 && woken) {
      await woken
      if (gone.signal.aborted) return
      answer = await storage.pullEvents(device.ward, after, limit, MAX_PULL_JSON_BYTES)
    }
    gone.abort()
    await sendJson(req, res, 200, answer)
  }

  const tusOptions: Handler = async (_req, res) => {
    writeHead(res, 204, { 'tus-resumable': TUS_VERSION, 'tus-version': TUS_VERSION, 'tus-extension': TUS_EXTENSIONS, 'tus-checksum-algorithm': TUS_CHECKSUM_ALGORITHMS, 'tus-max-size': String(SYNC_LIMITS.maxBlobBytes) })
    res.end()
  }

  const createBlob: Handler = async (req, res, url) => {
    requireTus(req)
    const { device } = await authenticate(req, url, false)
    declaredLength(req, 0)
    const length = Number(singleHeader(req, 'upload-length') ?? NaN)
    if (!Number.isSafeInteger(length) || length < 0 || !/^\d+$/.test(singleHeader(req, 'upload-length') ?? '')) throw new RelayHttpError('malformedRequest', 'Upload-Length: the blob size in bytes')
    if (length > SYNC_LIMITS.maxBlobBytes) throw new RelayHttpError('payloadTooLarge', `A blob may be at most ${SYNC_LIMITS.maxBlobBytes} bytes`)
    const sha256 = sha256FromMetadata(singleHeader(req, 'upload-metadata'))
    const { created, record } = await blobs.create(sha256, length, device.ward)
    writeHead(res, created ? 201 : 200, { 'tus-resumable': TUS_VERSION, location: `${SYNC_PATHS.blobs}/${sha256}`, 'upload-offset': String(record.offset), 'upload-length': String(record.length) })
    res.end()
  }

  /** A ward sees only the uploads it created or its events refer to: another ward's blob is answered as absent. */
  async function wardBlob(sha256: string, ward: string): Promise<BlobRecord> {
    const record = (await storage.blobReadable(sha256, ward)) ? await storage.blob(sha256) : undefined
    if (!record) throw new RelayHttpError('notFound', 'No upload at this address for this ward: create it first (POST /v1/blobs)')
    return record
  }

  const blobHead: Handler = async (req, res, url) => {
    const { device } = await authenticate(req, url, false)
    const record = await wardBlob(blobAddress(url), device.ward)
    writeHead(res, 200, { 'tus-resumable': TUS_VERSION, 'upload-offset': String(record.offset), 'upload-length': String(record.length), 'cache-control': 'no-store' })
    res.end()
  }

  const blobPatch: Handler = async (req, res, url) => {
    requireTus(req)
    const sha256 = blobAddress(url)
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()
    if (type !== 'application/offset+octet-stream') throw new RelayHttpError('unsupportedMediaType', 'A chunk is sent as application/offset+octet-stream')
    if ((req.headers['content-encoding'] ?? 'identity') !== 'identity') throw new RelayHttpError('unsupportedMediaType', 'Chunks are sent uncompressed')
    const length = declaredLength(req, SYNC_LIMITS.maxChunkBytes)
    if (length === undefined) throw new RelayHttpError('malformedRequest', 'A chunk needs a Content-Length')
    const { device, signature } = await authenticate(req, url, true)
    await wardBlob(sha256, device.ward)
    const offsetHeader = singleHeader(req, 'upload-offset') ?? ''
    if (!/^\d{1,16}$/.test(offsetHeader)) throw new RelayHttpError('malformedRequest', 'Upload-Offset: the byte offset of the chunk')
    const checksum = /^sha256 ([A-Za-z0-9+/]{43}=)$/.exec(singleHeader(req, 'upload-checksum') ?? '')
    if (!checksum) throw new RelayHttpError('malformedRequest', 'Upload-Checksum: "sha256 " and the chunk\'s SHA-256 in base64')
    const offset = await blobs.appendChunk({ sha256, offset: Number(offsetHeader), length, body: req, checksumBase64: checksum[1]!, signedDigestBase64: signature.bodySha256Base64! })
    writeHead(res, 204, { 'tus-resumable': TUS_VERSION, 'upload-offset': String(offset) })
    res.end()
  }

  const blobGet: Handler = async (req, res, url) => {
    const { device } = await authenticate(req, url, false)
    const sha256 = blobAddress(url)
    const found = (await storage.blobReadable(sha256, device.ward)) ? await blobs.read(sha256) : undefined
    if (!found) throw new RelayHttpError('notFound', 'No complete blob at this address for this ward')
    // The content hashes to its address: that is its digest, with no need to read it first.
    writeHead(res, 200, { 'content-type': 'application/octet-stream', 'content-length': String(found.record.length), 'cache-control': 'private, max-age=31536000, immutable' }, serializeContentDigest(Buffer.from(sha256, 'hex').toString('base64')))
    await pipeline(found.stream, res).catch(() => undefined)
  }

  const handlers: Record<EndpointKey, Handler> = {
    'GET /health': health,
    'POST /v1/devices/enroll': enroll,
    'POST /v1/events': push,
    'GET /v1/events': pull,
    'OPTIONS /v1/blobs': tusOptions,
    'POST /v1/blobs': createBlob,
    'OPTIONS /v1/blobs/{sha256}': tusOptions,
    'HEAD /v1/blobs/{sha256}': blobHead,
    'PATCH /v1/blobs/{sha256}': blobPatch,
    'GET /v1/blobs/{sha256}': blobGet,
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Every answer to a signed request is signed, errors included: a forged sequenceGap or offset would misdirect the client as much as a forged ack.
    const requestSignature = requestSignatureMember(singleHeader(req, 'signature'))
    if (requestSignature !== undefined) signAnswersTo(res, (parts) => signResponse({ ...parts, requestSignature }, identity, now()))
    try {
      let url: URL
      try {
        url = new URL(req.url ?? '/', 'http://relay.invalid')
      } catch {
        throw new RelayHttpError('malformedRequest', 'The request target is not a valid URL')
      }
      const endpoint = RELAY_ENDPOINTS.find((candidate) => templatePattern(candidate.path).test(url.pathname))
      if (!endpoint) throw new RelayHttpError('notFound', 'No such endpoint')
      const methods: readonly string[] = endpoint.methods
      if (!methods.includes(req.method ?? '')) throw new RelayHttpError('methodNotAllowed', `Use ${methods.join(', ')}`, { headers: { allow: methods.join(', ') } })
      const handler = handlers[`${req.method} ${endpoint.path}` as EndpointKey]
      if (!['POST', 'PATCH'].includes(req.method!)) declaredLength(req, 0)
      await handler(req, res, url)
    } catch (error) {
      if (error instanceof ClientGone || res.destroyed) return
      if (error instanceof RelayHttpError) return sendError(req, res, error)
      options.log(`internal error on ${req.method} ${(req.url ?? '').slice(0, 200)}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
      if (res.headersSent) return void res.destroy()
      return sendError(req, res, new RelayHttpError('unavailable', 'The server could not handle this request now: try again later'))
    }
  }

  // No overall request limit (a chunk on a slow link takes minutes): the idle timeout cuts dead links instead.
  const server = createServer({ requestTimeout: 0, headersTimeout: 30_000, keepAliveTimeout: 30_000 }, (req, res) => {
    const work = handle(req, res).finally(() => inFlight.delete(work))
    inFlight.add(work)
  })
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-type: application/json\r\n\r\n{"error":{"code":"malformedRequest","message":"The request is not valid HTTP"}}')
    else socket.destroy()
  })
  // Without a 'timeout' listener, Node destroys the silent socket: the request's body stream fails and its work ends.
  server.setTimeout(options.socketIdleTimeoutMs ?? SOCKET_IDLE_TIMEOUT_MS)
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve())
    })
  } catch (error) {
    // The port is taken (or the host wrong): the database must not stay open, or the next start finds it locked.
    await storage.close()
    throw error
  }
  const port = (server.address() as AddressInfo).port
  const hostForUrl = options.host === undefined || options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host.includes(':') ? `[${options.host}]` : options.host
  const url = `http://${hostForUrl}:${port}`

  const replicator: UpstreamReplicator | undefined = options.upstream
    ? startUpstreamReplicator({
        wardCode: options.wardCode!,
        storage,
        blobs,
        signals,
        client: options.upstream,
        log: options.log,
        ...(options.upstreamBackoff && { backoff: options.upstreamBackoff }),
      })
    : undefined

  let closing: Promise<void> | undefined
  return {
    url,
    port,
    role: options.role,
    storage,
    serverKey: identity.publicKey,
    enrollmentCode: (wardCode) => codes.codeFor(WardCodeSchema.parse(wardCode)),
    upstreamStatus: () => replicator?.status(),
    close: () =>
      (closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()))
        signals.close()
        server.closeIdleConnections()
        await replicator?.stop()
        // Requests under way may finish; one stalled mid-body (a dead link) is cut after the grace period.
        let graceTimer: NodeJS.Timeout | undefined
        await Promise.race([Promise.allSettled([...inFlight]), new Promise((resolve) => (graceTimer = setTimeout(resolve, CLOSE_GRACE_MS)))])
        clearTimeout(graceTimer)
        server.closeAllConnections()
        await Promise.allSettled([...inFlight])
        await stopped
        await storage.close()
      })()),
  }
}

function singleHeader(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name]
  return Array.isArray(value) ? value.join(', ') : value
}

function requireTus(req: IncomingMessage): void {
  if (req.headers['tus-resumable'] !== TUS_VERSION) throw new RelayHttpError('malformedRequest', `Tus-Resumable: ${TUS_VERSION} is required`, { headers: { 'tus-version': TUS_VERSION } })
}

function blobAddress(url: URL): string {
  const parsed = Sha256HexSchema.safeParse(url.pathname.slice(SYNC_PATHS.blobs.length + 1))
  if (!parsed.success) throw new RelayHttpError('notFound', 'A blob address is its SHA-256 in lower-case hex')
  return parsed.data
}

/** Upload-Metadata: `sha256 BASE64(hex)`; other keys are allowed and ignored. */
function sha256FromMetadata(header: string | undefined): string {
  for (const pair of (header ?? '').split(',')) {
    const [key, value] = pair.trim().split(' ')
    if (key !== 'sha256' || value === undefined || !/^[A-Za-z0-9+/]+={0,2}$/.test(value)) continue
    const parsed = Sha256HexSchema.safeParse(Buffer.from(value, 'base64').toString('latin1'))
    if (parsed.success) return parsed.data
  }
  throw new RelayHttpError('malformedRequest', 'Upload-Metadata must carry "sha256 BASE64(hex digest)": the blob\'s address')
}

function integerParam(value: string | null, min: number, max: number, fallback: number, name: string): number {
  if (value === null) return fallback
  if (!/^\d{1,6}$/.test(value) || Number(value) < min || Number(value) > max) throw new RelayHttpError('malformedRequest', `${name}: an integer from ${min} to ${max}`)
  return Number(value)
}

function invalid(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): RelayHttpError {
  const detail = error.issues.slice(0, 5).map((issue) => `${issue.path.map(String).join('.') || '(body)'}: ${issue.message}`).join('; ')
  return new RelayHttpError('malformedRequest', `The body does not match the protocol: ${detail}`)
}

/**
 * What PostgreSQL's jsonb cannot hold (NUL characters, lone surrogates, very deep nesting) or is
 * over the per-event limit: refused as bad input rather than failing in the database.
 */
function checkStorable(event: EventEnvelope): void {
  // The walk first: JSON.stringify recurses and would overflow the stack on very deep nesting.
  const pending: { value: unknown; depth: number }[] = [{ value: event.payload, depth: 1 }]
  while (pending.length > 0) {
    const { value, depth } = pending.pop()!
    if (depth > MAX_PAYLOAD_DEPTH) throw new RelayHttpError('malformedRequest', `Event ${event.deviceId}:${event.seq}: payload nested deeper than ${MAX_PAYLOAD_DEPTH}`)
    const strings = typeof value === 'string' ? [value] : value !== null && typeof value === 'object' && !Array.isArray(value) ? Object.keys(value) : []
    for (const text of strings) {
      if (text.includes('\u0000') || LONE_SURROGATE.test(text)) throw new RelayHttpError('malformedRequest', `Event ${event.deviceId}:${event.seq}: payload text with a NUL or a lone surrogate`)
    }
    if (value !== null && typeof value === 'object') for (const item of Object.values(value)) pending.push({ value: item, depth: depth + 1 })
  }
  if (eventJsonBytes(event) > SYNC_LIMITS.maxEventBytes) throw new RelayHttpError('payloadTooLarge', `Event ${event.deviceId}:${event.seq} is over ${SYNC_LIMITS.maxEventBytes} bytes`)
}
