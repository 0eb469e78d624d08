import { request as httpRequest } from 'node:http'
import type { KeyObject } from 'node:crypto'
import { jwkThumbprint } from '../../../src/relay/auth/device-key'
import { contentDigestOf, requestSignatureMember, signRequest, signResponse } from '../../../src/relay/auth/request-signature'
import { generateDeviceKey, publicJwkOf } from '../../../src/relay/client'
import type { ServerIdentity } from '../../../src/relay/server/server-key'
import { ERROR_CODE_HEADER } from '../../../src/relay/wire'

export interface RawAnswer {
  readonly status: number
  readonly headers: Record<string, string | string[] | undefined>
  readonly body: Buffer
  readonly json: () => unknown
}

export interface RawRequest {
  readonly method: string
  readonly path: string
  readonly body?: Uint8Array
  readonly headers?: Record<string, string>
  /** Sign as this device (the default signs nothing). */
  readonly signAs?: { readonly deviceId: string; readonly key: KeyObject; readonly nowMs?: number }
  /** Sign these bytes instead of the body sent, to test the digest check. */
  readonly signBody?: Uint8Array
  /** Change the signed headers before sending. */
  readonly tamper?: (headers: Record<string, string>) => void
}

/** One request with full control over headers and body (fetch would fix some of them up), for the tests that send what a client never would. */
export function rawRequest(baseUrl: string, input: RawRequest): Promise<RawAnswer> {
  const url = new URL(input.path, baseUrl)
  const headers: Record<string, string> = { ...input.headers }
  if (input.signAs) {
    const signedBody = input.signBody ?? input.body
    Object.assign(headers, signRequest({ method: input.method, url, deviceId: input.signAs.deviceId, privateKey: input.signAs.key, nowMs: input.signAs.nowMs ?? Date.now(), ...(signedBody !== undefined && { body: signedBody }) }))
  }
  input.tamper?.(headers)
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: input.method, headers: { ...(input.body !== undefined && headers['transfer-encoding'] === undefined && { 'content-length': String(input.body.length) }), ...headers } }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => {
        const body = Buffer.concat(chunks)
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body.toString('utf8')) })
      })
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(input.body)
  })
}

/**
 * A blob's bytes through GET /v1/blobs/{sha256}, signed as the device: the app never downloads blobs
 * yet, so the client has no call for it, and the tests read what the server serves this way.
 */
export async function downloadBlob(baseUrl: string, device: { readonly deviceId: string; readonly key: KeyObject }, sha256: string): Promise<RawAnswer> {
  return rawRequest(baseUrl, { method: 'GET', path: `/v1/blobs/${sha256}`, signAs: device })
}

/** A relay key of its own, for a fake server (an impostor, or a server that answers what a test needs). */
export function testServerIdentity(): ServerIdentity {
  const privateKey = generateDeviceKey()
  const jwk = publicJwkOf(privateKey)
  const kid = jwkThumbprint(jwk)
  return { kid, privateKey, publicKey: { ...jwk, kid } }
}

export interface FakeAnswer {
  readonly status: number
  readonly body?: string | Uint8Array
  readonly headers?: Record<string, string>
}

/** A fetch that answers like a relay holding `identity`: each answer `answer` gives is signed for the request it answers, as the relay signs. */
export function signingFetch(identity: ServerIdentity, answer: (url: URL, init: RequestInit | undefined) => Promise<FakeAnswer>): typeof fetch {
  return async (input, init) => {
    const { status, body = '', headers = {} } = await answer(new URL(String(input)), init)
    const bytes = typeof body === 'string' ? Buffer.from(body) : body
    const requestSignature = requestSignatureMember((init?.headers as Record<string, string> | undefined)?.signature)
    const signature =
      requestSignature === undefined
        ? {}
        : signResponse(
            { status, bodyDigest: contentDigestOf(bytes), requestSignature, ...(headers['upload-offset'] !== undefined && { uploadOffset: headers['upload-offset'] }), ...(headers[ERROR_CODE_HEADER] !== undefined && { errorCode: headers[ERROR_CODE_HEADER] }) },
            identity,
            Date.now(),
          )
    return new Response(status === 204 ? null : (bytes as Uint8Array<ArrayBuffer>), { status, headers: { ...headers, ...signature } })
  }
}
