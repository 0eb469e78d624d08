import { createHash, sign, verify, type KeyObject } from 'node:crypto'
import {
  componentsFor,
  coversExactly,
  coversRequiredComponents,
  parseContentDigest,
  parseSignature,
  parseSignatureInput,
  responseComponentsFor,
  responseSignatureBase,
  serializeContentDigest,
  serializeSignature,
  serializeSignatureParams,
  signatureBase,
  SIGNATURE_LABEL,
  type SignatureParams,
  type SignedRequestParts,
  type SignedResponseParts,
} from '../../shared/sync/http-signature'
import { SYNC_LIMITS } from '../../shared/sync/protocol'

/**
 * RFC 9421 signing and checking in Node, over the signature bases that src/shared/sync/http-signature.ts
 * builds: the client signs every request but /health, the server checks every one; the server
 * signs its answer to every signed request, the client checks every one.
 */

export interface SignRequestInput {
  readonly method: string
  readonly url: URL
  /** The body exactly as sent (after gzip), when there is one. */
  readonly body?: Uint8Array
  readonly deviceId: string
  readonly privateKey: KeyObject
  readonly nowMs: number
}

/** Headers to add: Signature-Input, Signature and, with a body, Content-Digest. */
export type SignatureHeaders = Record<'signature-input' | 'signature', string> & { 'content-digest'?: string }

export function contentDigestOf(body: Uint8Array): string {
  return serializeContentDigest(createHash('sha256').update(body).digest('base64'))
}

function signatureHeaders(base: string | undefined, params: SignatureParams, privateKey: KeyObject): Record<'signature-input' | 'signature', string> {
  if (base === undefined) throw new Error('Message cannot be signed: a covered component holds a line break')
  return {
    'signature-input': `${SIGNATURE_LABEL}=${serializeSignatureParams(params)}`,
    signature: serializeSignature(sign(null, Buffer.from(base, 'utf8'), privateKey).toString('base64')),
  }
}

function verifies(base: string | undefined, signature: Buffer, publicKey: KeyObject): boolean {
  if (base === undefined) return false
  try {
    return verify(null, Buffer.from(base, 'utf8'), publicKey, signature)
  } catch {
    return false
  }
}

export function signRequest(input: SignRequestInput): SignatureHeaders {
  const contentDigest = input.body === undefined ? undefined : contentDigestOf(input.body)
  const parts: SignedRequestParts = {
    method: input.method,
    authority: input.url.host,
    path: input.url.pathname,
    query: input.url.search === '' ? '?' : input.url.search,
    ...(contentDigest !== undefined && { contentDigest }),
  }
  const params: SignatureParams = { created: Math.floor(input.nowMs / 1000), keyid: input.deviceId, components: componentsFor(parts) }
  return { ...signatureHeaders(signatureBase(parts, params), params, input.privateKey), ...(contentDigest !== undefined && { 'content-digest': contentDigest }) }
}

export type SignatureFailure = { readonly ok: false; readonly code: 'unauthenticated' | 'clockSkew'; readonly message: string }

export interface ParsedSignature {
  readonly ok: true
  readonly params: SignatureParams
  readonly signature: Buffer
  /** The request's Content-Digest, as base64 of the SHA-256 the body must have, when it has a body. */
  readonly bodySha256Base64?: string
}

export interface SignedRequestHeaders {
  readonly 'signature-input'?: string
  readonly signature?: string
  readonly 'content-digest'?: string
}

/**
 * First step on the server: read the headers, so it knows which device (keyid) to look up. A
 * request with a body must cover its Content-Digest; one without must not send one.
 */
export function parseRequestSignature(headers: SignedRequestHeaders, hasBody: boolean, nowMs: number): ParsedSignature | SignatureFailure {
  const fail = (message: string, code: SignatureFailure['code'] = 'unauthenticated'): SignatureFailure => ({ ok: false, code, message })
  if (headers['signature-input'] === undefined || headers.signature === undefined) return fail('Signature-Input and Signature headers are required')
  const params = parseSignatureInput(headers['signature-input'])
  if (!params) return fail('Signature-Input is not in the accepted form')
  const signature = parseSignature(headers.signature)
  if (signature === undefined) return fail('Signature is not in the accepted form')
  if (!coversRequiredComponents(params, hasBody)) return fail(`The signature must cover "@method" "@authority" "@path" "@query"${hasBody ? ' "content-digest"' : ''}, and nothing else`)
  if (Math.abs(params.created - nowMs / 1000) > SYNC_LIMITS.maxClockSkewSeconds) return fail('The signature was created too far from the server clock: check the device clock', 'clockSkew')
  let bodySha256Base64: string | undefined
  if (hasBody) {
    if (headers['content-digest'] === undefined) return fail('Content-Digest is required with a body')
    bodySha256Base64 = parseContentDigest(headers['content-digest'])
    if (bodySha256Base64 === undefined) return fail('Content-Digest must be one sha-256 value')
  }
  return { ok: true, params, signature: Buffer.from(signature, 'base64'), ...(bodySha256Base64 !== undefined && { bodySha256Base64 }) }
}

/** Second step: check the signature with the device's public key. */
export function verifyRequest(parts: SignedRequestParts, parsed: ParsedSignature, publicKey: KeyObject): SignatureFailure | { ok: true } {
  const base = signatureBase(parts, parsed.params)
  if (base === undefined) return { ok: false, code: 'unauthenticated', message: 'A covered component is missing from the request' }
  return verifies(base, parsed.signature, publicKey) ? { ok: true } : { ok: false, code: 'unauthenticated', message: 'The signature does not verify with the device key' }
}

/** The request's Signature member as an answer's signature covers it (`:BASE64:`), when the request carries one in our form. */
export function requestSignatureMember(signatureHeader: string | undefined): string | undefined {
  const signature = signatureHeader === undefined ? undefined : parseSignature(signatureHeader)
  return signature === undefined ? undefined : `:${signature}:`
}

/** The server's signature over its answer, with its key id (the key's thumbprint). */
export function signResponse(parts: SignedResponseParts, key: { readonly kid: string; readonly privateKey: KeyObject }, nowMs: number): Record<'signature-input' | 'signature', string> {
  const params: SignatureParams = { created: Math.floor(nowMs / 1000), keyid: key.kid, components: responseComponentsFor(parts) }
  return signatureHeaders(responseSignatureBase(parts, params), params, key.privateKey)
}

export type ResponseCheck = { readonly ok: true } | { readonly ok: false; readonly code: 'serverKeyChanged' | 'badResponse'; readonly message: string }

/**
 * The client's check of an answer: signed by the pinned key, over exactly what the answer carries,
 * for this request. `created` is not checked against the device clock: the answer is bound to the
 * request's signature, and a device whose clock is wrong must still read the server's clockSkew.
 */
export function verifyResponse(parts: SignedResponseParts, headers: { readonly 'signature-input'?: string | null; readonly signature?: string | null }, pinned: { readonly kid: string; readonly publicKey: KeyObject }): ResponseCheck {
  const fail = (message: string): ResponseCheck => ({ ok: false, code: 'badResponse', message })
  if (!headers['signature-input'] || !headers.signature) return fail('the answer is not signed')
  const params = parseSignatureInput(headers['signature-input'])
  const signature = parseSignature(headers.signature)
  if (!params || signature === undefined) return fail('the answer\'s signature is not in the accepted form')
  if (params.keyid !== pinned.kid) return { ok: false, code: 'serverKeyChanged', message: `the answer is signed by key ${params.keyid}, not by the server key ${pinned.kid} pinned at enrolment` }
  if (!coversExactly(params, responseComponentsFor(parts))) return fail('the answer\'s signature does not cover exactly its status, body digest, offset, error code and the request\'s signature')
  return verifies(responseSignatureBase(parts, params), Buffer.from(signature, 'base64'), pinned.publicKey) ? { ok: true } : fail('the answer\'s signature does not verify: altered, or the answer to another request')
}
