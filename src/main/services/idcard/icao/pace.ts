import { createECDH, createHash, timingSafeEqual } from 'node:crypto'
import { objectIdentifier, toDer } from '../../signing/der'
import type { CommandApdu, ResponseApdu } from './apdu'
import { KDF_COUNTER, type RandomSource } from './bac'
import { aesCbcDecrypt, aesCbcEncrypt, aesCmac, type CipherKeys } from './block-cipher'
import {
  BRAINPOOL_P256R1,
  EllipticCurveError,
  NIST_P256,
  addPoints,
  bigintFromBytes,
  bytesFromBigint,
  decodePoint,
  encodePoint,
  multiplyPoint,
  type Curve,
  type Point,
} from './elliptic-curve'
import { IcaoError } from './errors'
import { bacMrzInformation, type BacMrzFields } from './mrz'
import { SW, formatStatusWord } from './status-words'
import { TlvError, decodeTlv, encodeTlv } from './tlv'

/**
 * PACE (Password Authenticated Connection Establishment, ICAO 9303 Part 11, 4.4) with ECDH generic mapping and AES:
 * the primitives both sides use, and the terminal's run of MSE:Set AT and the four GENERAL AUTHENTICATE steps.
 */

export type PaceErrorCode = 'notAccepted' | 'refused' | 'wrongPassword' | 'malformed' | 'invalidPoint' | 'tokenMismatch'

export class PaceError extends IcaoError<PaceErrorCode> {}

/** id-PACE-ECDH-GM-AES-CBC-CMAC-128/192/256 and their AES key lengths. */
export const PACE_ECDH_GM_AES: Readonly<Record<string, number>> = {
  '0.4.0.127.0.7.2.2.4.2.2': 16,
  '0.4.0.127.0.7.2.2.4.2.3': 24,
  '0.4.0.127.0.7.2.2.4.2.4': 32,
}

/** Standardized domain parameters (Part 11, 9.5.1) this reader can use. */
export const PACE_CURVES: Readonly<Record<number, Curve>> = { 12: NIST_P256, 13: BRAINPOOL_P256R1 }

export interface PaceParameters {
  protocol: string
  parameterId: number
  curve: Curve
  keyLength: number
}

/** What a PACEInfo offers, if this reader can run it. */
export function paceParameters(info: { protocol: string; parameterId?: number }): PaceParameters | undefined {
  const keyLength = PACE_ECDH_GM_AES[info.protocol]
  const curve = info.parameterId === undefined ? undefined : PACE_CURVES[info.parameterId]
  if (keyLength === undefined || curve === undefined || info.parameterId === undefined) return undefined
  return { protocol: info.protocol, parameterId: info.parameterId, curve, keyLength }
}

/** The password: the MRZ's key fields, or the card access number printed on the card. */
export type PacePassword = { mrz: BacMrzFields } | { can: string }

/** MSE:Set AT's password reference (Part 11, 4.4.4.1). */
export const PASSWORD_REFERENCE = { mrz: 0x01, can: 0x02 } as const

export function passwordReference(password: PacePassword): number {
  return 'can' in password ? PASSWORD_REFERENCE.can : PASSWORD_REFERENCE.mrz
}

/** K = f(π): SHA-1 over the MRZ information (all 20 bytes, unlike BAC's seed), or the CAN's digits as bytes. */
export function passwordKeySeed(password: PacePassword): Buffer {
  if ('can' in password) return Buffer.from(password.can, 'latin1')
  return createHash('sha1').update(bacMrzInformation(password.mrz), 'latin1').digest()
}

/** The AES KDF (Part 11, 9.7.1): SHA-1 for 128-bit keys, SHA-256 for 192 and 256, over seed || counter. */
export function deriveAesKey(seed: Uint8Array, counter: number, keyLength: number): Buffer {
  const counterBytes = Buffer.alloc(4)
  counterBytes.writeUInt32BE(counter)
  return createHash(keyLength === 16 ? 'sha1' : 'sha256')
    .update(seed)
    .update(counterBytes)
    .digest()
    .subarray(0, keyLength)
}

/** K_π, which encrypts the nonce. */
export function passwordKey(password: PacePassword, keyLength: number): Buffer {
  return deriveAesKey(passwordKeySeed(password), KDF_COUNTER.password, keyLength)
}

export function sessionKeysFrom(sharedSecret: Uint8Array, keyLength: number): CipherKeys {
  return { encryption: deriveAesKey(sharedSecret, KDF_COUNTER.encryption, keyLength), mac: deriveAesKey(sharedSecret, KDF_COUNTER.mac, keyLength) }
}

/** z = E(K_π, s) and back, AES-CBC with a zero IV. */
export const encryptNonce = (kPi: Uint8Array, nonce: Uint8Array): Buffer => aesCbcEncrypt(kPi, nonce)
export const decryptNonce = (kPi: Uint8Array, encrypted: Uint8Array): Buffer => aesCbcDecrypt(kPi, encrypted)

export interface EphemeralKey {
  privateKey: bigint
  publicKey: Point
}

/** A private key uniformly in [1, n-1]: random bytes of the order's length, drawn again when out of range. */
function randomPrivateKey(curve: Curve, random: RandomSource): bigint {
  for (;;) {
    const candidate = bigintFromBytes(random(curve.byteLength))
    if (candidate >= 1n && candidate < curve.n) return candidate
  }
}

/** The public key SK * generator: by node:crypto for the curve's own G, by our arithmetic for a mapped G'. */
export function generateEphemeralKey(curve: Curve, generator: Point, random: RandomSource): EphemeralKey {
  const privateKey = randomPrivateKey(curve, random)
  if (generator === curve.g) {
    const ecdh = createECDH(curve.nodeName)
    ecdh.setPrivateKey(bytesFromBigint(privateKey, curve.byteLength))
    return { privateKey, publicKey: decodePoint(curve, ecdh.getPublicKey()) }
  }
  return { privateKey, publicKey: requirePoint(multiplyPoint(curve, privateKey, generator), 'the public key') }
}

function requirePoint(point: Point | undefined, what: string): Point {
  if (!point) throw new PaceError('invalidPoint', `${what} is the point at infinity`)
  return point
}

/** H = SK_map * PK_map of the other side: the whole point, which generic mapping adds to s * G. */
export function mappingPoint(curve: Curve, privateKey: bigint, otherPublicKey: Point): Point {
  return requirePoint(multiplyPoint(curve, privateKey, otherPublicKey), 'H')
}

/** Generic mapping (Part 11, 4.4.3.3.1): G' = s * G + H. */
export function mapGenerator(curve: Curve, nonce: Uint8Array, h: Point): Point {
  const nonceTimesG = requirePoint(multiplyPoint(curve, bigintFromBytes(nonce), curve.g), 's * G')
  return requirePoint(addPoints(curve, nonceTimesG, h), "G'")
}

/** The shared secret: the x-coordinate of SK * PK of the other side, by node:crypto (the generator plays no part). */
export function sharedSecret(curve: Curve, privateKey: bigint, otherPublicKey: Point): Buffer {
  const ecdh = createECDH(curve.nodeName)
  ecdh.setPrivateKey(bytesFromBigint(privateKey, curve.byteLength))
  return ecdh.computeSecret(encodePoint(curve, otherPublicKey))
}

const PUBLIC_KEY_TEMPLATE = 0x7f49
const ECDH_PUBLIC_POINT = 0x86
const TOKEN_LENGTH = 8

/** The contents of an OBJECT IDENTIFIER's DER encoding, what MSE:Set AT's tag 80 carries. */
export function oidBytes(oid: string): Buffer {
  return decodeTlv(toDer(objectIdentifier(oid))).value
}

/**
 * Authentication token (Part 11, 4.4.3.4): CMAC, truncated to 8 bytes, over the other side's ephemeral public key
 * in a public key data object 7F49 { 06 protocol, 86 point }.
 */
export function authenticationToken(macKey: Uint8Array, protocol: string, encodedPublicKey: Uint8Array): Buffer {
  const dataObject = encodeTlv(PUBLIC_KEY_TEMPLATE, Buffer.concat([toDer(objectIdentifier(protocol)), encodeTlv(ECDH_PUBLIC_POINT, encodedPublicKey)]))
  return aesCmac(macKey, dataObject).subarray(0, TOKEN_LENGTH)
}

export function tokensMatch(expected: Uint8Array, received: Uint8Array): boolean {
  return expected.length === received.length && timingSafeEqual(expected, received)
}

/** GENERAL AUTHENTICATE's data objects (Part 11, 4.4.4.2), the dynamic authentication data 7C wrapping each. */
export const AUTHENTICATION_DATA = {
  template: 0x7c,
  encryptedNonce: 0x80,
  terminalMappingKey: 0x81,
  chipMappingKey: 0x82,
  terminalAgreementKey: 0x83,
  chipAgreementKey: 0x84,
  terminalToken: 0x85,
  chipToken: 0x86,
} as const

export const PACE_INS = { manageSecurityEnvironment: 0x22, generalAuthenticate: 0x86 } as const
// CLA bit 5: command chaining, set on every GENERAL AUTHENTICATE but the last.
export const CHAINING_CLA = 0x10
/** MSE:Set AT for mutual authentication, and its data objects. */
export const MSE_SET_AT = { p1: 0xc1, p2: 0xa4 } as const
export const MSE_TAGS = { protocol: 0x80, passwordReference: 0x83, parameterId: 0x84 } as const
const SHORT_NE = 256

/** Reads `tag` from a 7C template; PaceError('malformed') for anything else. */
export function authenticationDataObject(data: Uint8Array, tag: number, from: string): Buffer {
  try {
    const template = decodeTlv(data, { maxDepth: 2 })
    const value = template.tag === AUTHENTICATION_DATA.template && template.constructed ? template.children.find((child) => child.tag === tag)?.value : undefined
    if (value) return value
  } catch (error) {
    if (!(error instanceof TlvError)) throw error
  }
  throw new PaceError('malformed', `${from} carries no data object ${tag.toString(16)} in a 7C template`)
}

export function authenticationDataTemplate(tag: number, value: Uint8Array): Buffer {
  return encodeTlv(AUTHENTICATION_DATA.template, encodeTlv(tag, value))
}

/** The first step's request for the encrypted nonce: an empty template. */
export const NONCE_REQUEST = Buffer.from([AUTHENTICATION_DATA.template, 0x00])

export function decodePublicKey(curve: Curve, bytes: Uint8Array, what: string): Point {
  try {
    return decodePoint(curve, bytes)
  } catch (error) {
    if (!(error instanceof EllipticCurveError)) throw error
    throw new PaceError('invalidPoint', `${what}: ${error.message}`, { cause: error })
  }
}

export interface PaceSession {
  keys: CipherKeys
  /** AES secure messaging starts from a zero 16-byte SSC. */
  ssc: Buffer
}

export const PACE_SSC_LENGTH = 16

/** Sends one plain command and gives back the card's answer. */
export type ApduExchange = (command: CommandApdu) => Promise<ResponseApdu>

// A wrong password shows only at the last step, when the card cannot verify our token: 6300, 63Cx (tries left), 6982.
function isWrongPassword(sw: number): boolean {
  return sw === SW.authenticationFailed || (sw & 0xfff0) === 0x63c0 || sw === SW.securityStatusNotSatisfied
}

/**
 * The terminal's side of PACE: MSE:Set AT, then GENERAL AUTHENTICATE for the nonce, the mapping, the key agreement
 * and the tokens. Resolves with the session keys; PaceError says why not ('wrongPassword' only when the card
 * refused our token, so other failures can fall back to BAC).
 */
export async function establishPace(exchange: ApduExchange, parameters: PaceParameters, password: PacePassword, random: RandomSource): Promise<PaceSession> {
  const { curve, protocol, keyLength } = parameters
  const mse = await exchange({
    cla: 0x00,
    ins: PACE_INS.manageSecurityEnvironment,
    ...MSE_SET_AT,
    data: Buffer.concat([
      encodeTlv(MSE_TAGS.protocol, oidBytes(protocol)),
      encodeTlv(MSE_TAGS.passwordReference, Buffer.from([passwordReference(password)])),
      encodeTlv(MSE_TAGS.parameterId, Buffer.from([parameters.parameterId])),
    ]),
  })
  if (mse.sw !== SW.success) throw new PaceError('notAccepted', `MSE:Set AT answered ${formatStatusWord(mse.sw)}`)

  const step = async (request: Buffer, responseTag: number, name: string, last = false): Promise<Buffer> => {
    const { data, sw } = await exchange({ cla: last ? 0x00 : CHAINING_CLA, ins: PACE_INS.generalAuthenticate, p1: 0x00, p2: 0x00, data: request, ne: SHORT_NE })
    if (last && isWrongPassword(sw)) throw new PaceError('wrongPassword', `the card refused the authentication token (${formatStatusWord(sw)})`)
    if (sw !== SW.success) throw new PaceError('refused', `GENERAL AUTHENTICATE (${name}) answered ${formatStatusWord(sw)}`)
    return authenticationDataObject(data, responseTag, `GENERAL AUTHENTICATE (${name})`)
  }

  const encryptedNonce = await step(NONCE_REQUEST, AUTHENTICATION_DATA.encryptedNonce, 'encrypted nonce')
  if (encryptedNonce.length === 0 || encryptedNonce.length % 16 !== 0) throw new PaceError('malformed', `the encrypted nonce is ${encryptedNonce.length} bytes`)
  const nonce = decryptNonce(passwordKey(password, keyLength), encryptedNonce)

  const mapping = generateEphemeralKey(curve, curve.g, random)
  const mappingRequest = authenticationDataTemplate(AUTHENTICATION_DATA.terminalMappingKey, encodePoint(curve, mapping.publicKey))
  const chipMapping = await step(mappingRequest, AUTHENTICATION_DATA.chipMappingKey, 'map nonce')
  const generator = mapGenerator(curve, nonce, mappingPoint(curve, mapping.privateKey, decodePublicKey(curve, chipMapping, "the chip's mapping key")))

  const agreement = generateEphemeralKey(curve, generator, random)
  const terminalKey = encodePoint(curve, agreement.publicKey)
  const chipKey = await step(authenticationDataTemplate(AUTHENTICATION_DATA.terminalAgreementKey, terminalKey), AUTHENTICATION_DATA.chipAgreementKey, 'key agreement')
  const chipPoint = decodePublicKey(curve, chipKey, "the chip's ephemeral key")
  // Part 11, 4.4.3.3: a chip that echoes our key would make the key agreement trivial.
  if (chipKey.equals(terminalKey)) throw new PaceError('invalidPoint', "the chip's ephemeral key equals the terminal's")
  const keys = sessionKeysFrom(sharedSecret(curve, agreement.privateKey, chipPoint), keyLength)

  const tokenRequest = authenticationDataTemplate(AUTHENTICATION_DATA.terminalToken, authenticationToken(keys.mac, protocol, chipKey))
  const chipToken = await step(tokenRequest, AUTHENTICATION_DATA.chipToken, 'mutual authentication', true)
  if (!tokensMatch(authenticationToken(keys.mac, protocol, terminalKey), chipToken)) throw new PaceError('tokenMismatch', "the chip's authentication token does not verify")
  return { keys, ssc: Buffer.alloc(PACE_SSC_LENGTH) }
}
