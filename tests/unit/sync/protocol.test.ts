import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fullJitterDelay, SYNC_BACKOFF } from '../../../src/shared/sync/backoff'
import {
  coversRequiredComponents,
  parseContentDigest,
  parseSignature,
  parseSignatureInput,
  serializeContentDigest,
  serializeSignature,
  serializeSignatureParams,
  signatureBase,
} from '../../../src/shared/sync/http-signature'
import { decodeVersionVector, encodeVersionVector, parseSyncProvisioning, SYNC_PROVISIONING_PREFIX } from '../../../src/shared/sync/protocol'

describe('version vectors in the query string', () => {
  it('round-trip, dropping zero entries', () => {
    expect(decodeVersionVector(encodeVersionVector({ 'kiosk-0001': 12, 'counter-0002': 0, 'counter-0003': 7 }))).toEqual({ 'kiosk-0001': 12, 'counter-0003': 7 })
  })

  it('round-trip for any vector', () => {
    const deviceId = fc.stringMatching(/^[a-z0-9][a-z0-9-]{7,20}$/)
    fc.assert(
      fc.property(fc.dictionary(deviceId, fc.integer({ min: 1, max: 2 ** 40 }), { maxKeys: 20 }), (vector) => {
        expect(decodeVersionVector(encodeVersionVector(vector))).toEqual(vector)
      }),
    )
  })

  it.each([
    ['not base64url', 'a+b/c='],
    ['not JSON', btoa('{').replace(/=+$/, '')],
    ['a negative sequence', btoa(JSON.stringify({ 'kiosk-0001': -1 })).replace(/=+$/, '')],
    ['a device id with capitals', btoa(JSON.stringify({ 'Kiosk-0001': 1 })).replace(/=+$/, '')],
    ['a fractional sequence', btoa(JSON.stringify({ 'kiosk-0001': 1.5 })).replace(/=+$/, '')],
    ['an array', btoa('[1,2]').replace(/=+$/, '')],
  ])('refuses %s', (_what, encoded) => {
    expect(decodeVersionVector(encoded)).toBeUndefined()
  })
})

describe('the provisioning QR', () => {
  const valid = { url: 'http://192.168.1.10:8787', role: 'hub', wardCode: '20194', enrollmentCode: 'ABCDEFGHIJKLMN23' }

  it('reads a hub provisioning text', () => {
    expect(parseSyncProvisioning(`${SYNC_PROVISIONING_PREFIX}${JSON.stringify(valid)}`)).toEqual(valid)
  })

  it.each([
    ['another prefix', `MCSYNC2:${JSON.stringify(valid)}`],
    ['broken JSON', `${SYNC_PROVISIONING_PREFIX}{"url":`],
    ['a file: URL', `${SYNC_PROVISIONING_PREFIX}${JSON.stringify({ ...valid, url: 'file:///etc/passwd' })}`],
    ['a javascript: URL', `${SYNC_PROVISIONING_PREFIX}${JSON.stringify({ ...valid, url: 'javascript:alert(1)' })}`],
    ['a short enrolment code', `${SYNC_PROVISIONING_PREFIX}${JSON.stringify({ ...valid, enrollmentCode: 'ABC' })}`],
    ['an extra field', `${SYNC_PROVISIONING_PREFIX}${JSON.stringify({ ...valid, admin: true })}`],
    ['an over-long text', `${SYNC_PROVISIONING_PREFIX}${JSON.stringify({ ...valid, url: `http://a.vn/${'x'.repeat(1200)}` })}`],
  ])('refuses %s', (_what, text) => {
    expect(parseSyncProvisioning(text)).toBeUndefined()
  })
})

describe('HTTP message signatures (RFC 9421)', () => {
  const parts = { method: 'post', authority: 'Hub.Local:8787', path: '/v1/events', query: '?', contentDigest: serializeContentDigest('X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=') }
  const params = { created: 1_763_900_000, keyid: 'counter-0002', components: ['@method', '@authority', '@path', '@query', 'content-digest'] }

  it('builds the signature base as §2.5 lays it out', () => {
    expect(signatureBase(parts, params)).toBe(
      [
        '"@method": POST',
        '"@authority": hub.local:8787',
        '"@path": /v1/events',
        '"@query": ?',
        '"content-digest": sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:',
        '"@signature-params": ("@method" "@authority" "@path" "@query" "content-digest");created=1763900000;keyid="counter-0002";alg="ed25519"',
      ].join('\n'),
    )
  })

  it('parses back the Signature-Input it writes', () => {
    expect(parseSignatureInput(`sig1=${serializeSignatureParams(params)}`)).toEqual(params)
  })

  it('has no base when a covered component is missing or carries a line break', () => {
    expect(signatureBase({ ...parts, contentDigest: undefined }, params)).toBeUndefined()
    expect(signatureBase({ ...parts, path: '/v1/events\n"@method": GET' }, params)).toBeUndefined()
  })

  it.each([
    ['another label', 'sig2=("@method");created=1;keyid="counter-0002";alg="ed25519"'],
    ['another algorithm', 'sig1=("@method");created=1;keyid="counter-0002";alg="hmac-sha256"'],
    ['a quoted key id with a quote', 'sig1=("@method");created=1;keyid="a"b";alg="ed25519"'],
    ['no created', 'sig1=("@method");keyid="counter-0002";alg="ed25519"'],
  ])('refuses a Signature-Input with %s', (_what, header) => {
    expect(parseSignatureInput(header)).toBeUndefined()
  })

  it('insists that a signature covers every required component, no fewer and no more', () => {
    expect(coversRequiredComponents(params, true)).toBe(true)
    expect(coversRequiredComponents({ ...params, components: ['@method', '@path'] }, true)).toBe(false)
    expect(coversRequiredComponents(params, false)).toBe(false)
    expect(coversRequiredComponents({ ...params, components: ['@method', '@authority', '@path', '@query'] }, false)).toBe(true)
  })

  it('reads only well-formed Signature and Content-Digest values', () => {
    const signature = Buffer.alloc(64, 7).toString('base64')
    expect(parseSignature(serializeSignature(signature))).toBe(signature)
    expect(parseSignature('sig1=:AAAA:')).toBeUndefined()
    expect(parseContentDigest('sha-512=:AAAA:')).toBeUndefined()
  })
})

describe('backoff with full jitter', () => {
  it('waits between zero and the exponential ceiling, never beyond the cap', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), fc.double({ min: 0, max: 0.999999, noNaN: true }), (attempt, random) => {
        const delay = fullJitterDelay(attempt, SYNC_BACKOFF, () => random)
        const ceiling = Math.min(SYNC_BACKOFF.capMs, SYNC_BACKOFF.baseMs * 2 ** (attempt - 1))
        expect(delay).toBeGreaterThanOrEqual(0)
        expect(delay).toBeLessThan(ceiling)
      }),
    )
  })

  it('spreads devices that failed together', () => {
    const delays = [0.1, 0.5, 0.9].map((random) => fullJitterDelay(5, SYNC_BACKOFF, () => random))
    expect(new Set(delays).size).toBe(3)
    expect(delays).toEqual([1600, 8000, 14400])
  })
})
