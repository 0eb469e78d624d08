import type { IncomingMessage, ServerResponse } from 'node:http'
import { promisify } from 'node:util'
import { gunzip, gzip } from 'node:zlib'
import { BODY_DIGEST_HEADER, type SignedResponseParts } from '../../shared/sync/http-signature'
import { type SyncErrorBody, type SyncErrorCode } from '../../shared/sync/protocol'
import { contentDigestOf } from '../auth/request-signature'
import { ERROR_CODE_HEADER, HTTP_CHECKSUM_MISMATCH } from '../wire'

const gzipAsync = promisify(gzip)
const gunzipAsync = promisify(gunzip)

/** Answers smaller than this go uncompressed: gzip would not pay for itself. */
const GZIP_MIN_BYTES = 1024

export const STATUS_OF: Readonly<Record<SyncErrorCode, number>> = {
  malformedRequest: 400,
  payloadTooLarge: 413,
  unsupportedMediaType: 415,
  unauthenticated: 401,
  clockSkew: 401,
  unknownDevice: 401,
  enrollmentRefused: 403,
  wrongWard: 403,
  notYourEvents: 403,
  sequenceGap: 409,
  conflictingEvent: 409,
  checksumMismatch: HTTP_CHECKSUM_MISMATCH,
  offsetMismatch: 409,
  digestMismatch: 409,
  notFound: 404,
  methodNotAllowed: 405,
  unavailable: 503,
}

/** An answer the request earned: thrown by a handler, sent as the protocol's JSON error. */
export class RelayHttpError extends Error {
  constructor(
    readonly code: SyncErrorCode,
    message: string,
    readonly extra: { expected?: { deviceId: string; seq: number }; headers?: Record<string, string> } = {},
  ) {
    super(message)
  }
}

/** The client went away mid-request: nothing to answer. */
export class ClientGone extends Error {}

/** Signs an answer's head; set by the server for each request that carries a signature. */
export type ResponseSigner = (parts: Omit<SignedResponseParts, 'requestSignature'>) => Record<string, string>
const signers = new WeakMap<ServerResponse, ResponseSigner>()

export function signAnswersTo(res: ServerResponse, signer: ResponseSigner): void {
  signers.set(res, signer)
}

export const EMPTY_BODY_DIGEST = contentDigestOf(new Uint8Array())

/**
 * Every answer's head goes through here: to a signed request, it adds Sync-Body-Digest (of the body
 * before any gzip) and the server's signature over status, digest, Upload-Offset and error code.
 */
export function writeHead(res: ServerResponse, status: number, headers: Record<string, string>, bodyDigest: string = EMPTY_BODY_DIGEST): void {
  const signer = signers.get(res)
  if (!signer) return void res.writeHead(status, headers)
  const uploadOffset = headers['upload-offset']
  const errorCode = headers[ERROR_CODE_HEADER]
  const signature = signer({ status, bodyDigest, ...(uploadOffset !== undefined && { uploadOffset }), ...(errorCode !== undefined && { errorCode }) })
  res.writeHead(status, { ...headers, [BODY_DIGEST_HEADER]: bodyDigest, ...signature })
}

export async function sendJson(req: IncomingMessage, res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): Promise<void> {
  const json = Buffer.from(JSON.stringify(value), 'utf8')
  let body = json
  const encodingHeaders: Record<string, string> = {}
  if (body.length >= GZIP_MIN_BYTES && acceptsGzip(req)) {
    body = await gzipAsync(body)
    encodingHeaders['content-encoding'] = 'gzip'
  }
  if (res.headersSent || res.destroyed) return
  const head = req.method === 'HEAD'
  writeHead(res, status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(body.length), 'cache-control': 'no-store', vary: 'accept-encoding', ...encodingHeaders, ...headers }, head ? EMPTY_BODY_DIGEST : contentDigestOf(json))
  res.end(head ? undefined : body)
}

export async function sendError(req: IncomingMessage, res: ServerResponse, error: RelayHttpError): Promise<void> {
  const body: SyncErrorBody = { error: { code: error.code, message: error.message.slice(0, 2000), ...(error.extra.expected && { expected: error.extra.expected }) } }
  const headers: Record<string, string> = { [ERROR_CODE_HEADER]: error.code, ...error.extra.headers }
  if (!req.complete) {
    // The body was refused unread: answer, then drop the connection rather than read what is left.
    headers.connection = 'close'
    res.once('finish', () => setTimeout(() => req.socket.destroy(), 1000).unref())
  }
  await sendJson(req, res, STATUS_OF[error.code], body, headers)
}

function acceptsGzip(req: IncomingMessage): boolean {
  return /(^|,)\s*gzip\s*(;\s*q=(?!0(\.0*)?\s*(,|$))[\d.]+)?\s*(,|$)/i.test(req.headers['accept-encoding'] ?? '')
}

/** The declared Content-Length, checked against a limit before a byte of the body is read. */
export function declaredLength(req: IncomingMessage, maxBytes: number): number | undefined {
  const header = req.headers['content-length']
  if (header === undefined) return undefined
  if (!/^\d{1,16}$/.test(header)) throw new RelayHttpError('malformedRequest', 'Content-Length is not a number')
  const length = Number(header)
  if (length > maxBytes) throw new RelayHttpError('payloadTooLarge', `The body is ${length} bytes; the limit is ${maxBytes}`)
  return length
}

/** Reads the body as sent, refusing it (413) as soon as it grows past the limit. */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  declaredLength(req, maxBytes)
  const chunks: Buffer[] = []
  let size = 0
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length
      if (size > maxBytes) throw new RelayHttpError('payloadTooLarge', `The body is over the limit of ${maxBytes} bytes`)
      chunks.push(chunk)
    }
  } catch (error) {
    if (error instanceof RelayHttpError) throw error
    throw new ClientGone('The request body was cut off', { cause: error })
  }
  if (!req.complete) throw new ClientGone('The request body was cut off')
  return Buffer.concat(chunks)
}

/** Undoes Content-Encoding (identity or gzip), with a cap on the decoded size against gzip bombs. */
export async function decodeBody(req: IncomingMessage, raw: Buffer, maxDecodedBytes: number): Promise<Buffer> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase()
  if (encoding === 'identity') return raw
  if (encoding !== 'gzip') throw new RelayHttpError('unsupportedMediaType', `Content-Encoding ${encoding.slice(0, 40)} is not supported: send gzip or nothing`)
  try {
    return await gunzipAsync(raw, { maxOutputLength: maxDecodedBytes })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new RelayHttpError('payloadTooLarge', `The body decompresses to more than ${maxDecodedBytes} bytes`)
    throw new RelayHttpError('malformedRequest', 'The body is not valid gzip')
  }
}

export function parseJsonBody(body: Buffer): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body))
  } catch {
    throw new RelayHttpError('malformedRequest', 'The body is not UTF-8 JSON')
  }
}

export function requireJsonContentType(req: IncomingMessage): void {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()
  if (type !== 'application/json') throw new RelayHttpError('unsupportedMediaType', 'Send the body as application/json')
}
