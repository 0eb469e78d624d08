import { constants, createHash, generateKeyPairSync, privateEncrypt, randomBytes, sign, type KeyObject } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { parseDg15, verifyActiveAuthentication } from '../../../src/main/services/idcard/active-authentication'
import { DataGroupError } from '../../../src/main/services/idcard/datagroups/lds'
import { buildDg14, buildDg15 } from '../../../src/main/services/idcard/emulator/lds-builder'

const ECDSA_PLAIN_SHA256 = '0.4.0.127.0.7.1.1.4.1.3'
const ECDSA_WITH_SHA384 = '1.2.840.10045.4.3.3'
const challenge = Buffer.from('0102030405060708', 'hex')
const dg15Of = (key: KeyObject) => buildDg15(key.export({ type: 'spki', format: 'der' }))
const dg14With = (signatureAlgorithm: string) => buildDg14({ pace: [], activeAuthentication: { signatureAlgorithm } })
const flipped = (bytes: Buffer) => Buffer.concat([bytes.subarray(0, -1), Buffer.from([bytes.at(-1)! ^ 1])])

describe('Active Authentication with ECDSA', () => {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const signature = (hash: string) => sign(hash, challenge, { key: privateKey, dsaEncoding: 'ieee-p1363' })

  it('passes a plain r || s signature over the challenge with the hash DG14 names (TR-03111 or X9.62 OIDs)', () => {
    expect(verifyActiveAuthentication(dg15Of(publicKey), dg14With(ECDSA_PLAIN_SHA256), challenge, signature('sha256'))).toBe(true)
    expect(verifyActiveAuthentication(dg15Of(publicKey), dg14With(ECDSA_WITH_SHA384), challenge, signature('sha384'))).toBe(true)
  })

  it.each<[string, () => boolean]>([
    ['a damaged signature', () => verifyActiveAuthentication(dg15Of(publicKey), dg14With(ECDSA_PLAIN_SHA256), challenge, flipped(signature('sha256')))],
    ['another challenge', () => verifyActiveAuthentication(dg15Of(publicKey), dg14With(ECDSA_PLAIN_SHA256), flipped(challenge), signature('sha256'))],
    ['a signature of the wrong length', () => verifyActiveAuthentication(dg15Of(publicKey), dg14With(ECDSA_PLAIN_SHA256), challenge, Buffer.alloc(10))],
    ['another hash than DG14 names', () => verifyActiveAuthentication(dg15Of(publicKey), dg14With(ECDSA_WITH_SHA384), challenge, signature('sha256'))],
    ['no DG14 to name the hash', () => verifyActiveAuthentication(dg15Of(publicKey), undefined, challenge, signature('sha256'))],
    ['an unknown algorithm in DG14', () => verifyActiveAuthentication(dg15Of(publicKey), dg14With('1.2.3.4'), challenge, signature('sha256'))],
    ['a damaged DG14', () => verifyActiveAuthentication(dg15Of(publicKey), Buffer.from('6E03310100', 'hex'), challenge, signature('sha256'))],
    ['a DG15 without a key', () => verifyActiveAuthentication(buildDg15(Buffer.from('3000', 'hex')), dg14With(ECDSA_PLAIN_SHA256), challenge, signature('sha256'))],
  ])('fails %s', (_case, verdict) => {
    expect(verdict()).toBe(false)
  })
})

/** ISO/IEC 9796-2 scheme 1 with partial recovery, as an RSA chip signs: 6A || M1 || hash(M1 || challenge) || trailer. */
function iso9796Signature(privateKey: KeyObject, hash: 'sha1' | 'sha256', modulusBytes: number, tamper = false): Buffer {
  const trailer = hash === 'sha1' ? Buffer.from([0xbc]) : Buffer.from([0x34, 0xcc])
  const digestLength = createHash(hash).digest().length
  const m1 = randomBytes(modulusBytes - 1 - digestLength - trailer.length)
  const digest = createHash(hash).update(m1).update(tamper ? flipped(challenge) : challenge).digest()
  return privateEncrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, Buffer.concat([Buffer.from([0x6a]), m1, digest, trailer]))
}

describe('Active Authentication with RSA (ISO/IEC 9796-2 scheme 1)', () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 })

  it('passes with SHA-1 (trailer BC) and SHA-256 (trailer 34CC), DG14 not needed', () => {
    expect(verifyActiveAuthentication(dg15Of(publicKey), undefined, challenge, iso9796Signature(privateKey, 'sha1', 128))).toBe(true)
    expect(verifyActiveAuthentication(dg15Of(publicKey), undefined, challenge, iso9796Signature(privateKey, 'sha256', 128))).toBe(true)
  })

  it('fails a signature over another challenge, a damaged one, or one of the wrong size', () => {
    expect(verifyActiveAuthentication(dg15Of(publicKey), undefined, challenge, iso9796Signature(privateKey, 'sha1', 128, true))).toBe(false)
    expect(verifyActiveAuthentication(dg15Of(publicKey), undefined, challenge, flipped(iso9796Signature(privateKey, 'sha256', 128)))).toBe(false)
    expect(verifyActiveAuthentication(dg15Of(publicKey), undefined, challenge, Buffer.alloc(64, 1))).toBe(false)
  })
})

describe('DG15', () => {
  it('gives the public key, or a DataGroupError', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    expect(parseDg15(dg15Of(publicKey)).asymmetricKeyType).toBe('ec')
    expect(() => parseDg15(buildDg15(Buffer.from('0102', 'hex')))).toThrow(DataGroupError)
    expect(() => parseDg15(Buffer.from('6E00', 'hex'))).toThrow(DataGroupError)
  })
})
