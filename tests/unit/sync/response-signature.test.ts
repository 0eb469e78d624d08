import { describe, expect, it } from 'vitest'
import { contentDigestOf, signRequest, signResponse, requestSignatureMember, verifyResponse } from '../../../src/relay/auth/request-signature'
import { generateDeviceKey, publicKeyFromJwk } from '../../../src/relay/client'
import { testServerIdentity } from '../../integration/relay/signed-request'

const NOW = Date.parse('2026-11-23T08:00:00Z')

describe("the server's answer signatures (RFC 9421, req-bound)", () => {
  const server = testServerIdentity()
  const pinned = { kid: server.kid, publicKey: publicKeyFromJwk({ kty: 'OKP', crv: 'Ed25519', x: server.publicKey.x }) }
  const device = generateDeviceKey()
  const requestSignature = (query: string): string =>
    requestSignatureMember(signRequest({ method: 'GET', url: new URL(`http://hub.local:8787/v1/blobs/ab${query}`), deviceId: 'kiosk-20194-01', privateKey: device, nowMs: NOW }).signature)!
  const parts = { status: 200, bodyDigest: contentDigestOf(Buffer.from('{}')), uploadOffset: '100', requestSignature: requestSignature('') }
  const headers = signResponse(parts, server, NOW)

  it('verifies what it signed', () => {
    expect(verifyResponse(parts, headers, pinned)).toEqual({ ok: true })
  })

  it('fails for another status, body, offset, error code, or request', () => {
    for (const changed of [{ status: 201 }, { bodyDigest: contentDigestOf(Buffer.from('{"x":1}')) }, { uploadOffset: '200' }, { requestSignature: requestSignature('?a=1') }]) {
      expect(verifyResponse({ ...parts, ...changed }, headers, pinned)).toMatchObject({ ok: false, code: 'badResponse' })
    }
    // A header the signature does not cover (added in transit), or one it covers that was removed.
    expect(verifyResponse({ ...parts, errorCode: 'sequenceGap' }, headers, pinned)).toMatchObject({ ok: false, code: 'badResponse' })
    const { uploadOffset: _removed, ...withoutOffset } = parts
    expect(verifyResponse(withoutOffset, headers, pinned)).toMatchObject({ ok: false, code: 'badResponse' })
  })

  it('refuses an unsigned answer as badResponse and another key as serverKeyChanged', () => {
    expect(verifyResponse(parts, {}, pinned)).toMatchObject({ ok: false, code: 'badResponse' })
    const impostor = testServerIdentity()
    expect(verifyResponse(parts, signResponse(parts, impostor, NOW), pinned)).toMatchObject({ ok: false, code: 'serverKeyChanged' })
    // The pinned key id with another key's signature is a forgery, not a key change.
    expect(verifyResponse(parts, signResponse(parts, { ...impostor, kid: server.kid }, NOW), pinned)).toMatchObject({ ok: false, code: 'badResponse' })
  })
})
