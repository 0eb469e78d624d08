import { createECDH } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  BRAINPOOL_P256R1,
  EllipticCurveError,
  NIST_P256,
  addPoints,
  bigintFromBytes,
  bytesFromBigint,
  decodePoint,
  encodePoint,
  isOnCurve,
  multiplyPoint,
  type Curve,
} from '../../../src/main/services/idcard/icao/elliptic-curve'

const RUNS = 25
const scalar = (curve: Curve) => fc.bigInt({ min: 1n, max: curve.n - 1n })

describe.each([
  ['brainpoolP256r1', BRAINPOOL_P256R1],
  ['P-256', NIST_P256],
])('%s arithmetic', (_name, curve) => {
  it('has its generator on the curve, of order n', () => {
    expect(isOnCurve(curve, curve.g)).toBe(true)
    expect(multiplyPoint(curve, curve.n, curve.g)).toBeUndefined()
    expect(multiplyPoint(curve, curve.n + 1n, curve.g)).toEqual(curve.g)
  })

  it('multiplies G as node:crypto does', () => {
    fc.assert(
      fc.property(scalar(curve), (k) => {
        const ecdh = createECDH(curve.nodeName)
        ecdh.setPrivateKey(bytesFromBigint(k, curve.byteLength))
        expect(encodePoint(curve, multiplyPoint(curve, k, curve.g)!).equals(ecdh.getPublicKey())).toBe(true)
      }),
      { numRuns: RUNS },
    )
  })

  it('adds: aP + bP = (a + b)P, P + P = 2P, P + (-P) is infinity', () => {
    fc.assert(
      fc.property(scalar(curve), scalar(curve), (a, b) => {
        const sum = addPoints(curve, multiplyPoint(curve, a, curve.g)!, multiplyPoint(curve, b, curve.g)!)
        expect(sum).toEqual(multiplyPoint(curve, (a + b) % curve.n, curve.g))
      }),
      { numRuns: RUNS },
    )
    expect(addPoints(curve, curve.g, curve.g)).toEqual(multiplyPoint(curve, 2n, curve.g))
    expect(addPoints(curve, curve.g, { x: curve.g.x, y: curve.p - curve.g.y })).toBeUndefined()
  })

  it('encodes and decodes uncompressed points', () => {
    const point = multiplyPoint(curve, 12345n, curve.g)!
    expect(decodePoint(curve, encodePoint(curve, point))).toEqual(point)
  })

  it.each<[string, (encoded: Buffer) => Buffer]>([
    ['a point off the curve', (encoded) => Buffer.concat([encoded.subarray(0, -1), Buffer.from([encoded.at(-1)! ^ 1])])],
    ['a compressed point', (encoded) => Buffer.concat([Buffer.from([0x02]), encoded.subarray(1, 33)])],
    ['a truncated point', (encoded) => encoded.subarray(0, 40)],
    ['a coordinate beyond p', () => Buffer.concat([Buffer.from([0x04]), bytesFromBigint(curve.p + 1n, 32), bytesFromBigint(1n, 32)])],
  ])('refuses %s', (_kind, mangle) => {
    expect(() => decodePoint(curve, mangle(encodePoint(curve, curve.g)))).toThrow(EllipticCurveError)
  })
})

describe('byte conversions', () => {
  it('round-trips big-endian integers and refuses values too large', () => {
    expect(bigintFromBytes(bytesFromBigint(0x0102n, 4))).toBe(0x0102n)
    expect(bytesFromBigint(1n, 2).toString('hex')).toBe('0001')
    expect(() => bytesFromBigint(0x10000n, 2)).toThrow(RangeError)
  })
})
