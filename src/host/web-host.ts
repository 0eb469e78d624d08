import { randomBytes, timingSafeEqual } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { WebSocketServer, type WebSocket } from 'ws'
import { isOperationName, type OperationName } from '../shared/contract/contract'
import { dispatch, type ErrorCode, type Result } from '../shared/contract/dispatch'
import { SECURITY_HEADERS, securityHeadersFor } from '../shared/security/csp'
import { contentTypeOf, resolveStaticPath } from '../shared/security/static-files'
import type { Services } from '../main/services'

export interface WebHostOptions {
  readonly services: Services
  /** The built renderer (out/renderer). */
  readonly rendererDir: string
  /** 0 picks a free port. */
  readonly port?: number
  /** Fixed only in tests; otherwise a new random token at every start. */
  readonly token?: string
  readonly log: (line: string) => void
}

export interface WebHost {
  readonly port: number
  readonly origin: string
  readonly token: string
  /** The link that opens the app: it carries the token once, then a cookie does. */
  readonly openUrl: (route?: string) => string
  close(): Promise<void>
}

const TOKEN_COOKIE = 'motcua_token'
// Room for the largest printTicket raster (576 × 4000 dots, in base64).
const MAX_BODY_BYTES = 512 * 1024
const MB = 1024 * 1024
/** The operations that carry page images and PDFs (base64 in JSON): the only ones allowed larger bodies. */
const LARGE_BODY_LIMITS: Partial<Record<OperationName, number>> = {
  processCapturedPage: 46 * MB,
  rotateCapturedPage: 66 * MB,
  openSealedBlob: 66 * MB,
  // A dossier's sealed pages: about a hundred colour pages at 300 dpi.
  buildDossierPdf: 160 * MB,
  // MAX_PDF_BYTES (64 MiB) in base64 is 85.4 MiB.
  importPdfPages: 86 * MB,
}
const API_PREFIX = '/api/op/'
const EVENTS_PATH = '/api/events'

const STATUS_OF: Record<ErrorCode, number> = { unknownOperation: 404, invalidInput: 400, forbidden: 403, failed: 500, unavailable: 503, notConfigured: 409 }

/**
 * Browser mode: the whole app over http on 127.0.0.1, for development, end-to-end tests and
 * display boards. A door into main, so kept narrow: loopback only; Host and Origin checked on
 * every request (DNS rebinding, cross-site pages); the per-start token on every request; no CORS
 * headers; exactly the operations of the contract.
 */
export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const token = options.token ?? randomBytes(32).toString('base64url')
  const tokenBytes = Buffer.from(token)
  let allowedHosts: ReadonlySet<string> = new Set()
  let allowedOrigins: ReadonlySet<string> = new Set()

  const hasToken = (request: IncomingMessage): boolean => {
    const presented = bearerOf(request) ?? cookieOf(request, TOKEN_COOKIE)
    if (presented === undefined) return false
    const bytes = Buffer.from(presented)
    return bytes.length === tokenBytes.length && timingSafeEqual(bytes, tokenBytes)
  }

  /** Rejects what a foreign page or a rebound DNS name could send; undefined when the request may go on. */
  const guard = (request: IncomingMessage): { status: number; code: string; message: string } | undefined => {
    if (!allowedHosts.has(request.headers.host ?? '')) return { status: 421, code: 'badHost', message: 'Host not allowed' }
    const origin = request.headers.origin
    if (origin !== undefined && !allowedOrigins.has(origin)) return { status: 403, code: 'badOrigin', message: 'Origin not allowed' }
    return undefined
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      options.log(`Web host request failed: ${error instanceof Error ? error.message : String(error)}`)
      if (!response.headersSent) sendJson(response, 500, { ok: false, error: { code: 'failed', message: 'Request failed' } })
      else response.destroy()
    })
  })

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const rejection = guard(request)
    if (rejection) return sendJson(response, rejection.status, { ok: false, error: { code: 'forbidden', message: rejection.message } })
    const url = new URL(request.url ?? '/', 'http://placeholder')

    if (request.method === 'GET' && url.pathname === '/' && url.searchParams.has('token')) {
      const offered = Buffer.from(url.searchParams.get('token') ?? '')
      if (offered.length !== tokenBytes.length || !timingSafeEqual(offered, tokenBytes)) return sendUnauthorizedPage(response)
      response.writeHead(303, {
        ...SECURITY_HEADERS,
        Location: '/',
        'Set-Cookie': `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`,
        'Cache-Control': 'no-store',
      })
      return void response.end()
    }
    if (!hasToken(request)) {
      if (url.pathname.startsWith('/api/')) return sendJson(response, 401, { ok: false, error: { code: 'forbidden', message: 'Missing or wrong token' } })
      return sendUnauthorizedPage(response)
    }
    if (url.pathname.startsWith(API_PREFIX)) return handleOperation(request, response, url.pathname.slice(API_PREFIX.length))
    if (request.method !== 'GET' && request.method !== 'HEAD') return sendJson(response, 405, { ok: false, error: { code: 'forbidden', message: 'Method not allowed' } })
    return serveStatic(response, url.pathname, request.method === 'HEAD')
  }

  async function handleOperation(request: IncomingMessage, response: ServerResponse, name: string): Promise<void> {
    if (request.method !== 'POST') return sendJson(response, 405, { ok: false, error: { code: 'forbidden', message: 'Use POST' } })
    // A JSON content type cannot be sent cross-site without a CORS preflight, which we never answer.
    if (!(request.headers['content-type'] ?? '').startsWith('application/json')) {
      return sendJson(response, 415, { ok: false, error: { code: 'invalidInput', message: 'Content-Type must be application/json' } })
    }
    const limit = (isOperationName(name) && LARGE_BODY_LIMITS[name]) || MAX_BODY_BYTES
    const body = await readBody(request, limit)
    if (body === undefined) return sendJson(response, 413, { ok: false, error: { code: 'invalidInput', message: `Body larger than ${limit} bytes` } })
    let input: unknown
    try {
      input = body.length === 0 ? {} : JSON.parse(body.toString('utf8'))
    } catch {
      return sendJson(response, 400, { ok: false, error: { code: 'invalidInput', message: 'Body is not valid JSON' } })
    }
    const result = await dispatch(options.services.handlers, name, input, options.log)
    sendJson(response, result.ok ? 200 : STATUS_OF[result.error.code], result)
  }

  async function serveStatic(response: ServerResponse, pathname: string, headOnly: boolean): Promise<void> {
    const relative = resolveStaticPath(pathname)
    if (!relative) return sendJson(response, 404, { ok: false, error: { code: 'unknownOperation', message: 'Not found' } })
    let content: Buffer
    try {
      content = await readFile(join(options.rendererDir, relative))
    } catch {
      return sendJson(response, 404, { ok: false, error: { code: 'unknownOperation', message: 'Not found' } })
    }
    response.writeHead(200, {
      ...securityHeadersFor(relative),
      'Content-Type': contentTypeOf(relative),
      'Content-Length': content.length,
      'Cache-Control': relative.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    })
    response.end(headOnly ? undefined : content)
  }

  const sockets = new WebSocketServer({ noServer: true, maxPayload: 1024 })
  const clients = new Set<WebSocket>()
  server.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', 'http://placeholder')
    if (url.pathname !== EVENTS_PATH || guard(request) || !hasToken(request)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n')
      return
    }
    sockets.handleUpgrade(request, socket, head, (client) => {
      clients.add(client)
      // The channel only carries events to the page; anything the page sends is a protocol error.
      client.on('message', () => client.close(1003, 'unexpected message'))
      client.on('close', () => clients.delete(client))
      client.on('error', () => clients.delete(client))
    })
  })
  const unsubscribe = options.services.subscribe((event, payload) => {
    const message = JSON.stringify({ event, payload })
    for (const client of clients) client.send(message)
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  allowedHosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`])
  allowedOrigins = new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`])
  const origin = `http://127.0.0.1:${port}`

  return {
    port,
    origin,
    token,
    openUrl: (route = '') => `${origin}/?token=${encodeURIComponent(token)}${route ? `#/${route.replace(/^[#/]+/, '')}` : ''}`,
    async close() {
      unsubscribe()
      for (const client of clients) client.terminate()
      sockets.close()
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      // Cut what is still open (a screen's sync long-poll waits up to 20 s): close() alone waits for it.
      server.closeAllConnections()
      await closed
    },
  }
}

function sendJson(response: ServerResponse, status: number, body: Result | { ok: false; error: { code: string; message: string } }): void {
  const text = JSON.stringify(body)
  response.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  })
  response.end(text)
}

function sendUnauthorizedPage(response: ServerResponse): void {
  const page = `<!doctype html><html lang="vi"><meta charset="utf-8"><title>Một Cửa Kiosk</title>
<p>Cần mã truy cập. Hãy mở ứng dụng bằng đường dẫn mà máy chủ in ra khi khởi động (có <code>?token=</code>).</p>
<p lang="en">Access token required: open the link the host printed at start-up.</p></html>`
  response.writeHead(401, { ...SECURITY_HEADERS, 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' })
  response.end(page)
}

function bearerOf(request: IncomingMessage): string | undefined {
  const header = request.headers.authorization
  return header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : undefined
}

function cookieOf(request: IncomingMessage, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=')
    if (key === name) return value.join('=')
  }
  return undefined
}

async function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const declared = Number(request.headers['content-length'] ?? 0)
  if (declared > limit) {
    request.resume()
    return undefined
  }
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > limit) {
      request.resume()
      return undefined
    }
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}
