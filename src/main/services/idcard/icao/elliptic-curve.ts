import { IcaoError } from './errors'

/**
 * Prime-field elliptic curve arithmetic in bigint, for what node:crypto cannot do: PACE's generic mapping needs the
 * full point H = SK * PK (computeSecret gives only its x) and multiples of a generator G' that is not the curve's.
 * Jacobian coordinates keep it to one inversion per multiplication. Not constant-time: the keys it handles are
 * ephemeral, made for one PACE run and dropped.
 */

export type EllipticCurveErrorCode = 'invalidPoint'

export class EllipticCurveError extends IcaoError<EllipticCurveErrorCode> {}

export interface Point {
  readonly x: bigint
  readonly y: bigint
}

/** y² = x³ + ax + b over GF(p), a generator g of prime order n (cofactor 1 for the curves here). */
export interface Curve {
  /** The name node:crypto knows it by. */
  readonly nodeName: string
  readonly p: bigint
  readonly a: bigint
  readonly b: bigint
  readonly g: Point
  readonly n: bigint
  /** Bytes per coordinate. */
  readonly byteLength: number
}

const big = (hex: string): bigint => BigInt(`0x${hex}`)

/** RFC 5639 brainpoolP256r1: PACE standardized domain parameters 13. */
export const BRAINPOOL_P256R1: Curve = {
  nodeName: 'brainpoolP256r1',
  p: big('A9FB57DBA1EEA9BC3E660A909D838D726E3BF623D52620282013481D1F6E5377'),
  a: big('7D5A0975FC2C3057EEF67530417AFFE7FB8055C126DC5C6CE94A4B44F330B5D9'),
  b: big('26DC5C6CE94A4B44F330B5D9BBD77CBF958416295CF7E1CE6BCCDC18FF8C07B6'),
  g: {
    x: big('8BD2AEB9CB7E57CB2C4B482FFC81B7AFB9DE27E1E3BD23C23A4453BD9ACE3262'),
    y: big('547EF835C3DAC4FD97F8461A14611DC9C27745132DED8E545C1D54C72F046997'),
  },
  n: big('A9FB57DBA1EEA9BC3E660A909D838D718C397AA3B561A6F7901E0E82974856A7'),
  byteLength: 32,
}

/** FIPS 186-4 P-256 (secp256r1): PACE standardized domain parameters 12. */
export const NIST_P256: Curve = {
  nodeName: 'prime256v1',
  p: big('FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF'),
  a: big('FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFC'),
  b: big('5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B'),
  g: {
    x: big('6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296'),
    y: big('4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5'),
  },
  n: big('FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551'),
  byteLength: 32,
}

function mod(value: bigint, modulus: bigint): bigint {
  const rest = value % modulus
  return rest < 0n ? rest + modulus : rest
}

/** The inverse of a non-zero value modulo a prime, by the extended Euclidean algorithm. */
function inverse(value: bigint, modulus: bigint): bigint {
  let [oldR, r] = [mod(value, modulus), modulus]
  let [oldS, s] = [1n, 0n]
  while (r !== 0n) {
    const quotient = oldR / r
    ;[oldR, r] = [r, oldR - quotient * r]
    ;[oldS, s] = [s, oldS - quotient * s]
  }
  return mod(oldS, modulus)
}

export function isOnCurve(curve: Curve, { x, y }: Point): boolean {
  const { p, a, b } = curve
  if (x < 0n || x >= p || y < 0n || y >= p) return false
  return mod(y * y - (x * x * x + a * x + b), p) === 0n
}

/** (X, Y, Z) stands for (X/Z², Y/Z³); Z = 0 is the point at infinity. */
interface Jacobian {
  x: bigint
  y: bigint
  z: bigint
}

const INFINITY: Jacobian = { x: 1n, y: 1n, z: 0n }

function double(curve: Curve, { x, y, z }: Jacobian): Jacobian {
  const { p, a } = curve
  if (z === 0n || y === 0n) return INFINITY
  const ySquared = mod(y * y, p)
  const s = mod(4n * x * ySquared, p)
  const zSquared = mod(z * z, p)
  const m = mod(3n * x * x + a * zSquared * zSquared, p)
  const x3 = mod(m * m - 2n * s, p)
  return { x: x3, y: mod(m * (s - x3) - 8n * ySquared * ySquared, p), z: mod(2n * y * z, p) }
}

function add(curve: Curve, first: Jacobian, second: Jacobian): Jacobian {
  const { p } = curve
  if (first.z === 0n) return second
  if (second.z === 0n) return first
  const z1Squared = mod(first.z * first.z, p)
  const z2Squared = mod(second.z * second.z, p)
  const u1 = mod(first.x * z2Squared, p)
  const u2 = mod(second.x * z1Squared, p)
  const s1 = mod(first.y * z2Squared * second.z, p)
  const s2 = mod(second.y * z1Squared * first.z, p)
  if (u1 === u2) return s1 === s2 ? double(curve, first) : INFINITY
  const h = mod(u2 - u1, p)
  const r = mod(s2 - s1, p)
  const hSquared = mod(h * h, p)
  const hCubed = mod(hSquared * h, p)
  const u1hSquared = mod(u1 * hSquared, p)
  const x3 = mod(r * r - hCubed - 2n * u1hSquared, p)
  return { x: x3, y: mod(r * (u1hSquared - x3) - s1 * hCubed, p), z: mod(h * first.z * second.z, p) }
}

const toJacobian = ({ x, y }: Point): Jacobian => ({ x, y, z: 1n })

/** Back to affine coordinates; undefined for the point at infinity. */
function toAffine(curve: Curve, { x, y, z }: Jacobian): Point | undefined {
  if (z === 0n) return undefined
  const zInverse = inverse(z, curve.p)
  const zInverseSquared = mod(zInverse * zInverse, curve.p)
  return { x: mod(x * zInverseSquared, curve.p), y: mod(y * zInverseSquared * zInverse, curve.p) }
}

/** P + Q; undefined when they cancel out (the point at infinity). */
export function addPoints(curve: Curve, first: Point, second: Point): Point | undefined {
  return toAffine(curve, add(curve, toJacobian(first), toJacobian(second)))
}

/** k * P by double-and-add from the top bit; undefined for the point at infinity (k a multiple of P's order). */
export function multiplyPoint(curve: Curve, scalar: bigint, point: Point): Point | undefined {
  if (scalar < 0n) throw new RangeError('the scalar must not be negative')
  let result = INFINITY
  const base = toJacobian(point)
  for (let bit = BigInt(scalar.toString(2).length - 1); bit >= 0n; bit -= 1n) {
    result = double(curve, result)
    if ((scalar >> bit) & 1n) result = add(curve, result, base)
  }
  return toAffine(curve, result)
}

export function bigintFromBytes(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString('hex')}`)
}

export function bytesFromBigint(value: bigint, length: number): Buffer {
  const hex = value.toString(16).padStart(length * 2, '0')
  if (hex.length > length * 2) throw new RangeError(`${value} does not fit ${length} bytes`)
  return Buffer.from(hex, 'hex')
}

const UNCOMPRESSED = 0x04

/** SEC 1 uncompressed encoding: 04 || X || Y. */
export function encodePoint(curve: Curve, { x, y }: Point): Buffer {
  return Buffer.concat([Buffer.from([UNCOMPRESSED]), bytesFromBigint(x, curve.byteLength), bytesFromBigint(y, curve.byteLength)])
}

/** Reads an uncompressed point and checks that it lies on the curve (with cofactor 1, so in the group of G). */
export function decodePoint(curve: Curve, bytes: Uint8Array): Point {
  if (bytes.length !== 1 + 2 * curve.byteLength || bytes[0] !== UNCOMPRESSED) {
    throw new EllipticCurveError('invalidPoint', `a point on this curve is 04 and ${2 * curve.byteLength} bytes, not ${bytes.length} bytes starting ${bytes[0]}`)
  }
  const point = { x: bigintFromBytes(bytes.subarray(1, 1 + curve.byteLength)), y: bigintFromBytes(bytes.subarray(1 + curve.byteLength)) }
  if (!isOnCurve(curve, point)) throw new EllipticCurveError('invalidPoint', 'the point is not on the curve')
  return point
}
