import { request as httpRequest } from 'node:http'
import type { KeyObject } from 'node:crypto'
import { signRequest } from '../../../src/relay/auth/request-signature'

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
