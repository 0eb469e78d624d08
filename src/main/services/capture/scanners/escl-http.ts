import { request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import { request as httpsRequest } from 'node:https'
import type { DocumentScanErrorCode } from '../../../../shared/contract/document-scanner-schemas'
import { DocumentScanError } from './scanner-errors'

export interface HttpReply {
  readonly status: number
  readonly headers: IncomingHttpHeaders
  readonly body: Buffer
}

export interface HttpExchange {
  readonly method: 'GET' | 'POST' | 'DELETE'
  readonly body?: string
  /** Longest silence (connecting, waiting for the answer, between two chunks of it) before giving up. */
  readonly idleTimeoutMs: number
  readonly maxBytes: number
  /** The code when the answer is longer than maxBytes. */
  readonly tooLargeCode: DocumentScanErrorCode
  readonly signal: AbortSignal
}

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE'])

/**
 * One HTTP request to a scanner, its whole answer read into memory (bounded). No connection is kept: a
 * scanner serves one client at a time and some close idle connections badly. HTTPS scanners carry
 * self-signed certificates with no name to check, so TLS here keeps eavesdroppers out, not impostors.
 */
export function httpExchange(url: URL, exchange: HttpExchange): Promise<HttpReply> {
  const where = `${exchange.method} ${url.href}`
  return new Promise((resolve, reject) => {
    if (exchange.signal.aborted) return reject(new DocumentScanError('cancelled', `${where}: cancelled`))
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest
    const body = exchange.body === undefined ? undefined : Buffer.from(exchange.body, 'utf8')
    const request = send(url, {
      method: exchange.method,
      agent: false,
      rejectUnauthorized: false,
      headers: { Accept: '*/*', ...(body && { 'Content-Type': 'text/xml; charset=utf-8', 'Content-Length': body.byteLength }) },
    })
    let settled = false
    const fail = (error: DocumentScanError): void => {
      if (settled) return
      settled = true
      exchange.signal.removeEventListener('abort', onAbort)
      request.destroy()
      reject(error)
    }
    const onAbort = (): void => fail(new DocumentScanError('cancelled', `${where}: cancelled`))
    exchange.signal.addEventListener('abort', onAbort, { once: true })
    request.setTimeout(exchange.idleTimeoutMs, () => fail(new DocumentScanError('timeout', `${where}: no answer for ${exchange.idleTimeoutMs} ms`)))
    request.once('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? ''
      fail(new DocumentScanError(UNREACHABLE_CODES.has(code) ? 'unreachable' : 'badResponse', `${where}: ${code || error.message}`, { cause: error }))
    })
    request.once('response', (response) => {
      const chunks: Buffer[] = []
      let length = 0
      const declared = Number(response.headers['content-length'])
      if (Number.isFinite(declared) && declared > exchange.maxBytes) return fail(new DocumentScanError(exchange.tooLargeCode, `${where}: answer of ${declared} bytes, more than ${exchange.maxBytes}`))
      response.on('data', (chunk: Buffer) => {
        length += chunk.byteLength
        if (length > exchange.maxBytes) return fail(new DocumentScanError(exchange.tooLargeCode, `${where}: answer longer than ${exchange.maxBytes} bytes`))
        chunks.push(chunk)
      })
      response.once('close', () => {
        if (!response.complete) fail(new DocumentScanError('unreachable', `${where}: connection lost in the middle of the answer`))
      })
      response.once('error', (error) => fail(new DocumentScanError('unreachable', `${where}: ${error.message}`, { cause: error })))
      response.once('end', () => {
        if (settled) return
        settled = true
        exchange.signal.removeEventListener('abort', onAbort)
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) })
      })
    })
    request.end(body)
  })
}
