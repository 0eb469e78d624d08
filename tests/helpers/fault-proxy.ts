import { createConnection, createServer, type Server, type Socket } from 'node:net'

/**
 * An in-process TCP proxy between a sync client and a relay server, with faults a bad rural link
 * produces: dropped connections, delays, requests or answers cut mid-body, a stale answer replayed
 * for a new request, a request delivered twice, and a throttled bit rate (token bucket per
 * direction). It frames HTTP/1.1 messages (Content-Length or chunked) so faults hit one request
 * even on a kept-alive connection. Every random choice comes from one seeded generator, so a
 * failing schedule replays exactly.
 */

export type RequestFault =
  /** Close both sides as the request arrives: the server never sees it. */
  | { readonly kind: 'drop' }
  /** Forward only the first `bytes` of the request, then close. */
  | { readonly kind: 'cutRequest'; readonly bytes: number }
  /** Forward the request, then cut the answer after `bytes`: the server committed, the client never learns it. */
  | { readonly kind: 'cutResponse'; readonly bytes: number }
  /** Answer with an earlier answer's bytes instead of forwarding (a stale answer, as a broken middlebox gives). */
  | { readonly kind: 'replayResponse' }
  /** Send the request upstream twice (the second copy's answer is dropped). */
  | { readonly kind: 'duplicateRequest' }
  /** Hold the request this long before forwarding. */
  | { readonly kind: 'delay'; readonly ms: number }

export interface RandomFaults {
  /** Probability, per request, of each fault; cuts pick their byte position at random within the message. */
  readonly drop?: number
  readonly cutRequest?: number
  readonly cutResponse?: number
  readonly replayResponse?: number
  readonly duplicateRequest?: number
  readonly delay?: number
  readonly maxDelayMs?: number
}

export interface FaultProxyOptions {
  readonly targetPort: number
  readonly targetHost?: string
  readonly seed?: number
  readonly faults?: RandomFaults
  /** Link rate in bits per second for each direction; unlimited when absent. */
  readonly bitsPerSecond?: number
}

export interface FaultProxyStats {
  connections: number
  requests: number
  /** Bytes that crossed the link towards the server (what the throttle limits). */
  bytesUpstream: number
  bytesDownstream: number
  /** Request bytes that crossed the link before a cut: the server dropped them, the client sends them again. */
  bytesCutUpstream: number
  readonly faults: Record<RequestFault['kind'], number>
}

export interface FaultProxy {
  readonly url: string
  readonly port: number
  readonly stats: FaultProxyStats
  /** Faults for the next requests, in order, before the random ones apply again. */
  queue(...faults: RequestFault[]): void
  /** Forget queued faults not yet used (the link heals). */
  clearQueue(): void
  setFaults(faults: RandomFaults): void
  setRate(bitsPerSecond: number | undefined): void
  /** Refuse (close at once) every connection until called again with false: the link is down. */
  setDown(down: boolean): void
  /** Observe each request as it is forwarded (method, path, body bytes). */
  onRequest(listener: (request: ForwardedRequest) => void): void
  /** Observe each answer the server gave, and whether the client got all of it. */
  onResponse(listener: (request: ForwardedRequest, response: ServerAnswer) => void): void
  close(): Promise<void>
}

export interface ServerAnswer {
  readonly status: number
  readonly headers: ReadonlyMap<string, string>
  readonly delivered: boolean
}

export interface ForwardedRequest {
  readonly method: string
  readonly path: string
  readonly headers: ReadonlyMap<string, string>
  readonly body: Buffer
}

/** mulberry32: small, fast and good enough to drive a test's choices from a seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const random = seededRandom(options.seed ?? 1)
  const queued: RequestFault[] = []
  let faults: RandomFaults = options.faults ?? {}
  let down = false
  const upstreamBucket = new TokenBucket(options.bitsPerSecond)
  const downstreamBucket = new TokenBucket(options.bitsPerSecond)
  const stats: FaultProxyStats = { connections: 0, requests: 0, bytesUpstream: 0, bytesDownstream: 0, bytesCutUpstream: 0, faults: { drop: 0, cutRequest: 0, cutResponse: 0, replayResponse: 0, duplicateRequest: 0, delay: 0 } }
  const listeners: ((request: ForwardedRequest) => void)[] = []
  const responseListeners: ((request: ForwardedRequest, response: ServerAnswer) => void)[] = []
  const sockets = new Set<Socket>()
  let lastResponse: Buffer | undefined
  const target = { host: options.targetHost ?? '127.0.0.1', port: options.targetPort }

  const track = (socket: Socket): Socket => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
    socket.on('error', () => socket.destroy())
    return socket
  }

  function pickFault(message: HttpMessage): RequestFault | undefined {
    const next = queued.shift()
    if (next) return next
    const roll = (probability: number | undefined): boolean => probability !== undefined && probability > 0 && random() < probability
    if (roll(faults.drop)) return { kind: 'drop' }
    if (roll(faults.cutRequest)) return { kind: 'cutRequest', bytes: Math.floor(random() * message.raw.length) }
    if (roll(faults.cutResponse)) return { kind: 'cutResponse', bytes: Math.floor(random() * 4096) }
    if (roll(faults.replayResponse) && lastResponse) return { kind: 'replayResponse' }
    if (roll(faults.duplicateRequest)) return { kind: 'duplicateRequest' }
    if (roll(faults.delay)) return { kind: 'delay', ms: Math.floor(random() * (faults.maxDelayMs ?? 200)) }
    return undefined
  }

  const server: Server = createServer((client) => {
    track(client)
    stats.connections++
    if (down) {
      client.destroy()
      return
    }
    const upstream = track(createConnection(target))
    client.pause()
    upstream.once('connect', () => client.resume())
    upstream.once('close', () => client.destroy())
    client.once('close', () => upstream.destroy())

    const requests = new HttpFramer('request')
    // Forwarded requests awaiting their answer, in order: a HEAD answer has a Content-Length but no body.
    const pendingRequests: ForwardedRequest[] = []
    const responses = new HttpFramer('response', () => pendingRequests[0]?.method === 'HEAD')
    let responseCut: number | undefined
    // One request at a time per connection (HTTP/1.1 without pipelining): faults apply in order.
    let work = Promise.resolve()

    upstream.on('data', (chunk: Buffer) => {
      for (const message of responses.push(chunk)) {
        const request = pendingRequests.shift()
        if (message.status !== undefined && message.status < 500) lastResponse = message.raw
        const answered = (delivered: boolean): void => {
          if (request) for (const listener of responseListeners) listener(request, { status: message.status!, headers: message.headers, delivered })
        }
        work = work.then(async () => {
          if (responseCut !== undefined) {
            const cut = Math.min(responseCut, message.raw.length - 1)
            responseCut = undefined
            await send(client, message.raw.subarray(0, cut), downstreamBucket, (bytes) => (stats.bytesDownstream += bytes))
            client.destroy()
            upstream.destroy()
            answered(false)
            return
          }
          await send(client, message.raw, downstreamBucket, (bytes) => (stats.bytesDownstream += bytes))
          answered(!client.destroyed)
        })
      }
    })

    client.on('data', (chunk: Buffer) => {
      let messages: HttpMessage[]
      try {
        messages = requests.push(chunk)
      } catch {
        client.destroy()
        return
      }
      for (const message of messages) {
        stats.requests++
        const fault = pickFault(message)
        if (fault) stats.faults[fault.kind]++
        work = work.then(async () => {
          if (client.destroyed) return
          switch (fault?.kind) {
            case 'drop':
              client.destroy()
              upstream.destroy()
              return
            case 'cutRequest':
              await send(upstream, message.raw.subarray(0, fault.bytes), upstreamBucket, (bytes) => {
                stats.bytesUpstream += bytes
                stats.bytesCutUpstream += bytes
              })
              client.destroy()
              upstream.destroy()
              return
            case 'replayResponse':
              await send(client, lastResponse!, downstreamBucket, (bytes) => (stats.bytesDownstream += bytes))
              return
            case 'duplicateRequest':
              sendTwice(message.raw)
              break
            case 'delay':
              await new Promise((resolve) => setTimeout(resolve, fault.ms))
              break
            case 'cutResponse':
              responseCut = fault.bytes
              break
          }
          const forwarded = { method: message.method!, path: message.path!, headers: message.headers, body: message.body }
          for (const listener of listeners) listener(forwarded)
          pendingRequests.push(forwarded)
          await send(upstream, message.raw, upstreamBucket, (bytes) => (stats.bytesUpstream += bytes))
        })
      }
    })
  })

  /** The duplicate travels on its own connection, like a retransmission by a middlebox; its answer is discarded. */
  function sendTwice(raw: Buffer): void {
    const copy = track(createConnection(target))
    copy.once('connect', () => copy.write(raw))
    copy.on('data', () => undefined)
    copy.setTimeout(60_000, () => copy.destroy())
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stats,
    queue: (...next) => void queued.push(...next),
    clearQueue: () => void queued.splice(0),
    setFaults: (next) => void (faults = next),
    setRate: (bitsPerSecond) => {
      upstreamBucket.setRate(bitsPerSecond)
      downstreamBucket.setRate(bitsPerSecond)
    },
    setDown(next) {
      down = next
      if (down) for (const socket of sockets) socket.destroy()
    },
    onRequest: (listener) => void listeners.push(listener),
    onResponse: (listener) => void responseListeners.push(listener),
    async close() {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** Writes through the link's token bucket in small slices, so a throttled link looks like one. */
async function send(socket: Socket, bytes: Buffer, bucket: TokenBucket, count: (bytes: number) => void): Promise<void> {
  for (let offset = 0; offset < bytes.length && !socket.destroyed; ) {
    const slice = bytes.subarray(offset, offset + bucket.sliceBytes())
    await bucket.take(slice.length)
    if (socket.destroyed) return
    const drained = socket.write(slice)
    count(slice.length)
    offset += slice.length
    if (!drained) await new Promise((resolve) => socket.once('drain', resolve).once('close', resolve))
  }
}

/** A token bucket: `rate` bits per second, a burst of at most 1/20 s of traffic (so the rate holds over short spans). */
class TokenBucket {
  private bytesPerSecond: number | undefined
  private tokens = 0
  private lastRefill = performance.now()
  private chain = Promise.resolve()

  constructor(bitsPerSecond: number | undefined) {
    this.setRate(bitsPerSecond)
  }

  setRate(bitsPerSecond: number | undefined): void {
    this.bytesPerSecond = bitsPerSecond === undefined ? undefined : bitsPerSecond / 8
    this.tokens = 0
    this.lastRefill = performance.now()
  }

  sliceBytes(): number {
    return this.bytesPerSecond === undefined ? 64 * 1024 : Math.max(256, Math.floor(this.burst() / 2))
  }

  /** Waits until `bytes` tokens are there; callers queue in order, so the link is shared fairly. */
  take(bytes: number): Promise<void> {
    if (this.bytesPerSecond === undefined) return Promise.resolve()
    const turn = this.chain.then(async () => {
      for (;;) {
        this.refill()
        if (this.tokens >= bytes) {
          this.tokens -= bytes
          return
        }
        const rate = this.bytesPerSecond
        if (rate === undefined) return
        await new Promise((resolve) => setTimeout(resolve, Math.max(1, ((bytes - this.tokens) / rate) * 1000)))
      }
    })
    this.chain = turn
    return turn
  }

  private burst(): number {
    return (this.bytesPerSecond ?? 0) / 20
  }

  private refill(): void {
    const now = performance.now()
    if (this.bytesPerSecond !== undefined) this.tokens = Math.min(Math.max(this.burst(), 1), this.tokens + ((now - this.lastRefill) / 1000) * this.bytesPerSecond)
    this.lastRefill = now
  }
}

interface HttpMessage {
  readonly raw: Buffer
  readonly method?: string
  readonly path?: string
  readonly status?: number
  readonly headers: ReadonlyMap<string, string>
  readonly body: Buffer
}

/** Splits a byte stream into HTTP/1.1 messages: head, then a Content-Length or chunked body (or none). */
class HttpFramer {
  private buffer: Buffer = Buffer.alloc(0)

  constructor(
    private readonly kind: 'request' | 'response',
    private readonly answersHead: () => boolean = () => false,
  ) {}

  push(chunk: Buffer): HttpMessage[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk])
    const messages: HttpMessage[] = []
    for (;;) {
      const message = this.next()
      if (!message) return messages
      messages.push(message)
    }
  }

  private next(): HttpMessage | undefined {
    const headEnd = this.buffer.indexOf('\r\n\r\n')
    if (headEnd < 0) return undefined
    const [startLine = '', ...lines] = this.buffer.subarray(0, headEnd).toString('latin1').split('\r\n')
    const headers = new Map(lines.map((line) => [line.slice(0, line.indexOf(':')).trim().toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]))
    const bodyStart = headEnd + 4
    const [first, second] = startLine.split(' ')
    const status = this.kind === 'response' ? Number(second) : undefined
    const bodiless = status !== undefined && (status < 200 || status === 204 || status === 304 || this.answersHead())
    let end: number | undefined
    if (bodiless) end = bodyStart
    else if (headers.get('transfer-encoding')?.toLowerCase().includes('chunked')) end = chunkedEnd(this.buffer, bodyStart)
    else if (headers.has('content-length')) {
      const length = Number(headers.get('content-length'))
      if (!Number.isSafeInteger(length) || length < 0) throw new Error('bad Content-Length')
      end = this.buffer.length >= bodyStart + length ? bodyStart + length : undefined
    } else end = bodyStart
    if (end === undefined) return undefined
    const raw = this.buffer.subarray(0, end)
    this.buffer = this.buffer.subarray(end)
    if (status !== undefined && status < 200) return this.next()
    return { raw, headers, body: raw.subarray(bodyStart), ...(this.kind === 'request' ? { method: first, path: second } : { status }) }
  }
}

/** Where a chunked body ends (after the last chunk and trailers), or undefined while incomplete. */
function chunkedEnd(buffer: Buffer, start: number): number | undefined {
  let position = start
  for (;;) {
    const lineEnd = buffer.indexOf('\r\n', position)
    if (lineEnd < 0) return undefined
    const size = parseInt(buffer.subarray(position, lineEnd).toString('latin1').split(';')[0]!, 16)
    if (!Number.isFinite(size)) throw new Error('bad chunk size')
    if (size === 0) {
      const trailerEnd = buffer.indexOf('\r\n\r\n', lineEnd)
      return trailerEnd < 0 ? undefined : trailerEnd + 4
    }
    position = lineEnd + 2 + size + 2
    if (position > buffer.length) return undefined
  }
}
