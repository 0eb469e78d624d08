import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { contentDigestOf, parseRequestSignature, signRequest, verifyRequest } from '../../../src/relay/auth/request-signature'
import { generateDeviceKey, publicJwkOf, publicKeyFromJwk } from '../../../src/relay/client'
import { serializeContentDigest, signatureBase } from '../../../src/shared/sync/http-signature'
import { PROJECT_ROOT } from '../../helpers/browser-mode-host'

const NOW = Date.parse('2026-11-23T08:00:00Z')

function partsOf(url: URL, method: string, headers: Record<string, string>) {
  return { method, authority: url.host, path: url.pathname, query: url.search === '' ? '?' : url.search, ...(headers['content-digest'] !== undefined && { contentDigest: headers['content-digest'] }) }
}

describe('request signatures (RFC 9421, Ed25519)', () => {
  const key = generateDeviceKey()
  const publicKey = publicKeyFromJwk(publicJwkOf(key))
  const url = new URL('http://hub.local:8787/v1/events?after=e30&limit=5')
  const body = Buffer.from('{"events":[]}')

  it('signs what it verifies, body digest included', () => {
    const headers = signRequest({ method: 'POST', url, body, deviceId: 'kiosk-20194-01', privateKey: key, nowMs: NOW })
    expect(headers['content-digest']).toBe(contentDigestOf(body))
    const parsed = parseRequestSignature(headers, true, NOW)
    expect(parsed).toMatchObject({ ok: true, params: { keyid: 'kiosk-20194-01', created: NOW / 1000 }, bodySha256Base64: createHash('sha256').update(body).digest('base64') })
    if (!parsed.ok) throw new Error('unreachable')
    expect(verifyRequest(partsOf(url, 'POST', headers), parsed, publicKey)).toEqual({ ok: true })
  })

  it('fails for another method, authority, path, query or key', () => {
    const headers = signRequest({ method: 'GET', url, deviceId: 'kiosk-20194-01', privateKey: key, nowMs: NOW })
    const parsed = parseRequestSignature(headers, false, NOW)
    if (!parsed.ok) throw new Error('the signature should parse')
    const base = partsOf(url, 'GET', headers)
    for (const changed of [{ method: 'DELETE' }, { authority: 'evil.local:8787' }, { path: '/v1/blobs' }, { query: '?after=e30&limit=6' }]) {
      expect(verifyRequest({ ...base, ...changed }, parsed, publicKey).ok).toBe(false)
    }
    expect(verifyRequest(base, parsed, publicKeyFromJwk(publicJwkOf(generateDeviceKey()))).ok).toBe(false)
  })

  it('refuses missing headers, a wrong shape, stripped components and a stale clock', () => {
    const headers = signRequest({ method: 'GET', url, deviceId: 'kiosk-20194-01', privateKey: key, nowMs: NOW })
    expect(parseRequestSignature({}, false, NOW)).toMatchObject({ ok: false, code: 'unauthenticated' })
    expect(parseRequestSignature({ ...headers, signature: 'sig1=:abc:' }, false, NOW)).toMatchObject({ ok: false, code: 'unauthenticated' })
    expect(parseRequestSignature(headers, true, NOW)).toMatchObject({ ok: false, code: 'unauthenticated' })
    expect(parseRequestSignature({ ...headers, 'signature-input': headers['signature-input'].replace(' "@query"', '') }, false, NOW)).toMatchObject({ ok: false, code: 'unauthenticated' })
    expect(parseRequestSignature(headers, false, NOW + 16 * 60 * 1000)).toMatchObject({ ok: false, code: 'clockSkew' })
    expect(parseRequestSignature(headers, false, NOW - 16 * 60 * 1000)).toMatchObject({ ok: false, code: 'clockSkew' })
    expect(parseRequestSignature(headers, false, NOW + 14 * 60 * 1000)).toMatchObject({ ok: true })
  })

  it('builds the worked example of docs/sync-protocol.md', () => {
    const text = readFileSync(join(PROJECT_ROOT, 'docs/sync-protocol.md'), 'utf8')
    const example = /<!-- signature-base-example -->\n```\n([\s\S]*?)\n```/.exec(text)?.[1]
    const digest = serializeContentDigest(createHash('sha256').update('{"events":[]}').digest('base64'))
    const base = signatureBase(
      { method: 'POST', authority: 'hub.local:8787', path: '/v1/events', query: '?', contentDigest: digest },
      { created: 1763900000, keyid: 'kiosk-20194-01', components: ['@method', '@authority', '@path', '@query', 'content-digest'] },
    )
    expect(example).toBe(base)
  })

  it('round-trips the device public key as an RFC 8037 JWK', () => {
    const jwk = publicJwkOf(key)
    expect(jwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519' })
    expect(publicJwkOf(publicKeyFromJwk(jwk))).toEqual(jwk)
  })
})
