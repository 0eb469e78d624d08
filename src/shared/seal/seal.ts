import { epochDayOf, isIsoDate, isoDateOf } from '../domain/calendar/days'
import { AppointmentCodeSchema, SlotTimeSchema } from '../domain/appointments/events'
import { DeviceIdSchema } from '../domain/eventlog/envelope'
import type { ParseResult } from '../domain/scan/scan-input'
import { vietnamClock, vietnamDay, vietnamDayStartMs } from '../domain/time'
import { Base45Error, decodeBase45, encodeBase45 } from './base45'
import { CborError, CborTag, decodeCbor, encodeCbor, type CborMap, type CborValue } from './cbor'
import { CodedError } from '../coded-error'

/**
 * The QR seal: a receipt or appointment slip's record, signed so anyone holding the ward's seal
 * certificate can check it offline. Layout, after the EU Digital COVID Certificate:
 *
 *   "MC1:" + Base45( COSE_Sign1 )        COSE_Sign1 = tag 18 [protected, {}, payload, signature]
 *
 * - protected header {1 (alg): -7 (ES256), 4 (kid): 8 bytes}; the signature is ES256 over the
 *   Sig_structure ["Signature1", protected, h'', payload] (RFC 9052 section 4.4), written as r||s
 *   (RFC 9053 section 2.1), not DER.
 * - payload: a CBOR map with small integer keys (PAYLOAD_KEY), times as integers.
 * - No zlib step, unlike the DCC: its JSON payload compresses, ours is already dense CBOR, and nearly
 *   half its bytes (signature, hash, kid) are random. Deflating a realistic receipt seal makes it longer
 *   (the 195 bytes of the demo receipt deflate to 206; tests/unit/seal/seal.test.ts checks it).
 * - The prefix names the format and its version, so a scanner tells a seal from a card QR or a
 *   procedure link without decoding, and the Base45 text never begins with a space that scanner
 *   framing would trim. ':' is in the QR alphanumeric set, so the whole text stays in that mode.
 *
 * Decoding is strict (deterministic CBOR, exact header and key sets) so one record has one encoding.
 * The worst case the field limits allow fits a QR of version 11 at level M (366 alphanumeric
 * characters): 69 modules with the quiet zone, 5 dots (0.63 mm) each on a 384-dot 58 mm printer.
 * A realistic receipt seal is about 297 characters, which version 10-M (311) would already hold.
 */

export const SEAL_PREFIX = 'MC1:'

/** Bytes of SHA-256(code "|" ID number) kept: 128 bits leave no practical collisions. */
const APPLICANT_HASH_BYTES = 16
export const SEAL_KEY_ID_BYTES = 8
const P1363_SIGNATURE_BYTES = 64
const COSE_SIGN1_TAG = 18
const COSE_HEADER = { algorithm: 1, keyId: 4 } as const
const ES256 = -7
const RECORD_VERSION = 1
/**
 * Limits that keep the worst case inside QR version 11-M: dossier codes such as 000.00.12.H17-260314-0001
 * are about 25 characters, procedure codes such as 1.001193 eight, queue service ids at most 40, and
 * device ids are UUIDs (36); the device id schema's 64 would not fit alongside the rest.
 */
const CODE_PATTERN = /^[\x21-\x7e]{1,32}$/
const SERVICE_CODE_PATTERN = /^[\x21-\x7e]{1,40}$/
const MAX_DEVICE_ID_LENGTH = 40
const HASH_HEX_PATTERN = new RegExp(`^[0-9a-f]{${APPLICANT_HASH_BYTES * 2}}$`)
const MS_PER_DAY = 86_400_000
/** The last second of 9999 in Vietnam: times stay between 1970 and here so dates keep four-digit years. */
const LATEST_MS = Date.UTC(9999, 11, 31, 16, 59, 59)

const PAYLOAD_KEY = {
  version: 1,
  kind: 2,
  /** The dossier code of a receipt, the appointment code of a slip. */
  code: 3,
  /** The procedure code of a receipt, the queue service of a slip. */
  serviceCode: 4,
  applicantIdHash: 5,
  deviceId: 6,
  /** Receipt: seconds since the epoch. */
  receivedAt: 7,
  /** Receipt: days since the epoch. */
  returnDate: 8,
  /** Appointment: seconds since the epoch of the slot's start in Vietnam. */
  appointmentAt: 9,
} as const
const KIND_NUMBER = { receipt: 1, appointment: 2 } as const

interface SealRecordCommon {
  readonly code: string
  readonly serviceCode: string
  /** Lower-case hex of applicantIdHash(): whether a card matches, without the QR showing its number. */
  readonly applicantIdHash: string
  readonly deviceId: string
}

export interface ReceiptSealRecord extends SealRecordCommon {
  readonly kind: 'receipt'
  /** Epoch milliseconds, in whole seconds. */
  readonly receivedAt: number
  /** YYYY-MM-DD */
  readonly returnDate: string
}

export interface AppointmentSealRecord extends SealRecordCommon {
  readonly kind: 'appointment'
  /** YYYY-MM-DD and HH:mm in Vietnam, as the booking has them. */
  readonly day: string
  readonly time: string
}

export type SealRecord = ReceiptSealRecord | AppointmentSealRecord

/** The record with the id of the key that signed it (lower-case hex), as read from the QR, not yet verified. */
export type SealFields = SealRecord & { readonly keyId: string }

interface OpenedSeal {
  readonly fields: SealFields
  /** The Sig_structure bytes the signature covers. */
  readonly signedData: Uint8Array
  /** r||s, 32 bytes each. */
  readonly signature: Uint8Array
}

export type SealErrorCode = 'notSeal' | 'invalidBase45' | 'invalidCbor' | 'invalidCose' | 'unsupportedAlgorithm' | 'unsupportedVersion' | 'invalidRecord'

export class SealError extends CodedError<SealErrorCode> {}

export interface SealProblem {
  readonly code: SealErrorCode
  readonly message: string
}

export type Sha256 = (data: Uint8Array) => Uint8Array

export interface SealKey {
  /** Names the certificate a verifier checks with; see keyIdOf in the seal service. */
  readonly keyId: Uint8Array
  /** ES256 over `data`, returned as r||s. */
  sign(data: Uint8Array): Promise<Uint8Array>
}

const utf8 = new TextEncoder()
const toHex = (bytes: Uint8Array): string => Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')
const fromHex = (hex: string): Uint8Array => Uint8Array.from(hex.match(/../g) ?? [], (pair) => parseInt(pair, 16))

/**
 * The applicant's ID number as the seal carries it. Salting with the dossier code keeps one person's
 * seals unlinkable and rules out one precomputed table for all. It does not stop a determined search:
 * a CCCD number has 12 digits, several of them guessable (province, sex, birth year), so anyone with
 * the QR can test candidate numbers offline. It keeps the number off the paper; it is not secrecy.
 */
export function applicantIdHash(idNumber: string, code: string, sha256: Sha256): string {
  return toHex(sha256(utf8.encode(`${code}|${idNumber}`)).subarray(0, APPLICANT_HASH_BYTES))
}

function invalidRecord(message: string): never {
  throw new SealError('invalidRecord', message)
}

function appointmentStartMs({ day, time }: AppointmentSealRecord): number {
  return vietnamDayStartMs(day) + (Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5))) * 60_000
}

function checkRecord(record: SealRecord): void {
  const codeValid = record.kind === 'appointment' ? AppointmentCodeSchema.safeParse(record.code).success : CODE_PATTERN.test(record.code)
  if (!codeValid) invalidRecord(`Code ${JSON.stringify(record.code)} is not a valid ${record.kind} code`)
  if (!SERVICE_CODE_PATTERN.test(record.serviceCode)) invalidRecord(`Service code ${JSON.stringify(record.serviceCode)}: 1 to 40 printable ASCII characters`)
  if (!HASH_HEX_PATTERN.test(record.applicantIdHash)) invalidRecord(`The applicant ID hash must be ${APPLICANT_HASH_BYTES * 2} lower-case hex digits`)
  if (!DeviceIdSchema.safeParse(record.deviceId).success || record.deviceId.length > MAX_DEVICE_ID_LENGTH) {
    invalidRecord(`Device id ${JSON.stringify(record.deviceId)} is not valid or longer than ${MAX_DEVICE_ID_LENGTH}`)
  }
  if (record.kind === 'receipt') {
    if (!Number.isSafeInteger(record.receivedAt) || record.receivedAt < 0 || record.receivedAt > LATEST_MS || record.receivedAt % 1000 !== 0) invalidRecord('receivedAt must be whole seconds between 1970 and 9999')
    if (!isIsoDate(record.returnDate) || record.returnDate < '1970-01-01') invalidRecord(`Return date ${JSON.stringify(record.returnDate)} is not YYYY-MM-DD from 1970`)
  } else if (!isIsoDate(record.day) || !SlotTimeSchema.safeParse(record.time).success || appointmentStartMs(record) < 0) {
    invalidRecord(`Appointment ${JSON.stringify(record.day)} ${JSON.stringify(record.time)} is not YYYY-MM-DD HH:mm from 1970`)
  }
}

function payloadOf(record: SealRecord): CborMap {
  const entries: [number, CborValue][] = [
    [PAYLOAD_KEY.version, RECORD_VERSION],
    [PAYLOAD_KEY.kind, KIND_NUMBER[record.kind]],
    [PAYLOAD_KEY.code, record.code],
    [PAYLOAD_KEY.serviceCode, record.serviceCode],
    [PAYLOAD_KEY.applicantIdHash, fromHex(record.applicantIdHash)],
    [PAYLOAD_KEY.deviceId, record.deviceId],
  ]
  if (record.kind === 'receipt') {
    entries.push([PAYLOAD_KEY.receivedAt, record.receivedAt / 1000], [PAYLOAD_KEY.returnDate, epochDayOf(record.returnDate)])
  } else {
    entries.push([PAYLOAD_KEY.appointmentAt, appointmentStartMs(record) / 1000])
  }
  return new Map(entries)
}

function sigStructure(protectedHeader: Uint8Array, payload: Uint8Array): Uint8Array {
  return encodeCbor(['Signature1', protectedHeader, new Uint8Array(0), payload])
}

/** Signs `record` into the text of its QR. Throws SealError('invalidRecord') on a field the format cannot carry. */
export async function createSeal(record: SealRecord, key: SealKey): Promise<string> {
  checkRecord(record)
  if (key.keyId.length !== SEAL_KEY_ID_BYTES) throw new RangeError(`A key id has ${SEAL_KEY_ID_BYTES} bytes`)
  const protectedHeader = encodeCbor(
    new Map<number, CborValue>([
      [COSE_HEADER.algorithm, ES256],
      [COSE_HEADER.keyId, key.keyId],
    ]),
  )
  const payload = encodeCbor(payloadOf(record))
  const signature = await key.sign(sigStructure(protectedHeader, payload))
  if (signature.length !== P1363_SIGNATURE_BYTES) throw new RangeError(`An ES256 signature in COSE is ${P1363_SIGNATURE_BYTES} bytes of r||s`)
  return SEAL_PREFIX + encodeBase45(encodeCbor(new CborTag(COSE_SIGN1_TAG, [protectedHeader, new Map(), payload, signature])))
}

function cose(message: string): never {
  throw new SealError('invalidCose', message)
}

/** The map's values by key, refusing any key outside `allowed` and any of `required` missing. */
function exactEntries(value: CborValue | undefined, allowed: readonly number[], required: readonly number[], fail: (message: string) => never): Map<number, CborValue> {
  if (!(value instanceof Map)) fail('expected a map')
  const map = value as CborMap
  for (const key of map.keys()) if (typeof key !== 'number' || !allowed.includes(key)) fail(`unexpected key ${JSON.stringify(key)}`)
  for (const key of required) if (!map.has(key)) fail(`key ${key} is missing`)
  return map as Map<number, CborValue>
}

function decodeNested(bytes: Uint8Array, what: string): CborValue {
  try {
    return decodeCbor(bytes)
  } catch (error) {
    if (error instanceof CborError) throw new SealError('invalidCbor', `${what}: ${error.message}`, { cause: error })
    throw error
  }
}

function parseKeyId(protectedBytes: Uint8Array): Uint8Array {
  const header = exactEntries(decodeNested(protectedBytes, 'Protected header'), [COSE_HEADER.algorithm, COSE_HEADER.keyId], [COSE_HEADER.algorithm, COSE_HEADER.keyId], cose)
  const algorithm = header.get(COSE_HEADER.algorithm)
  if (algorithm !== ES256) throw new SealError('unsupportedAlgorithm', `Algorithm ${JSON.stringify(algorithm)}; only ES256 (-7) is accepted`)
  const keyId = header.get(COSE_HEADER.keyId)
  if (!(keyId instanceof Uint8Array) || keyId.length !== SEAL_KEY_ID_BYTES) cose(`The kid must be ${SEAL_KEY_ID_BYTES} bytes`)
  return keyId
}

function textField(value: CborValue | undefined, name: string): string {
  if (typeof value !== 'string') invalidRecord(`${name} is not text`)
  return value
}

/** Seconds or days as the payload counts them, bounded so that date arithmetic stays in four-digit years. */
function timeField(value: CborValue | undefined, unitMs: number, name: string): number {
  if (typeof value !== 'number' || value < 0 || value * unitMs > LATEST_MS) invalidRecord(`${name} is not a time between 1970 and 9999`)
  return value * unitMs
}

const COMMON_KEYS = [PAYLOAD_KEY.version, PAYLOAD_KEY.kind, PAYLOAD_KEY.code, PAYLOAD_KEY.serviceCode, PAYLOAD_KEY.applicantIdHash, PAYLOAD_KEY.deviceId]
const KIND_KEYS = { receipt: [PAYLOAD_KEY.receivedAt, PAYLOAD_KEY.returnDate], appointment: [PAYLOAD_KEY.appointmentAt] }

function parseRecord(payloadBytes: Uint8Array): SealRecord {
  const payload = decodeNested(payloadBytes, 'Payload')
  if (!(payload instanceof Map)) invalidRecord('The payload is not a map')
  const version = (payload as CborMap).get(PAYLOAD_KEY.version)
  if (version !== RECORD_VERSION) throw new SealError('unsupportedVersion', `Record version ${JSON.stringify(version)}; this build reads ${RECORD_VERSION}`)
  const kindNumber = (payload as CborMap).get(PAYLOAD_KEY.kind)
  const kind = kindNumber === KIND_NUMBER.receipt ? 'receipt' : kindNumber === KIND_NUMBER.appointment ? 'appointment' : invalidRecord(`Unknown kind ${JSON.stringify(kindNumber)}`)
  const keys = [...COMMON_KEYS, ...KIND_KEYS[kind]]
  const map = exactEntries(payload, keys, keys, (message) => invalidRecord(`Payload: ${message}`))
  const hash = map.get(PAYLOAD_KEY.applicantIdHash)
  if (!(hash instanceof Uint8Array) || hash.length !== APPLICANT_HASH_BYTES) invalidRecord(`The applicant ID hash must be ${APPLICANT_HASH_BYTES} bytes`)
  const common = {
    code: textField(map.get(PAYLOAD_KEY.code), 'Code'),
    serviceCode: textField(map.get(PAYLOAD_KEY.serviceCode), 'Service code'),
    applicantIdHash: toHex(hash),
    deviceId: textField(map.get(PAYLOAD_KEY.deviceId), 'Device id'),
  }
  let record: SealRecord
  if (kind === 'receipt') {
    const receivedAt = timeField(map.get(PAYLOAD_KEY.receivedAt), 1000, 'Received at')
    record = { kind, ...common, receivedAt, returnDate: isoDateOf(timeField(map.get(PAYLOAD_KEY.returnDate), MS_PER_DAY, 'Return date') / MS_PER_DAY) }
  } else {
    const startMs = timeField(map.get(PAYLOAD_KEY.appointmentAt), 1000, 'Appointment time')
    if (startMs % 60_000 !== 0) invalidRecord('The appointment time is not a whole minute')
    record = { kind, ...common, day: vietnamDay(startMs), time: vietnamClock(startMs) }
  }
  checkRecord(record)
  return record
}

function openOrThrow(text: string): OpenedSeal {
  if (!text.startsWith(SEAL_PREFIX)) throw new SealError('notSeal', `A seal starts with ${SEAL_PREFIX}`)
  let bytes: Uint8Array
  try {
    bytes = decodeBase45(text.slice(SEAL_PREFIX.length))
  } catch (error) {
    if (error instanceof Base45Error) throw new SealError('invalidBase45', error.message, { cause: error })
    throw error
  }
  const message = decodeNested(bytes, 'COSE_Sign1')
  if (!(message instanceof CborTag) || message.tag !== COSE_SIGN1_TAG) cose('Not a tagged COSE_Sign1')
  const parts = message.value
  if (!Array.isArray(parts) || parts.length !== 4) cose('COSE_Sign1 is an array of four')
  const [protectedBytes, unprotected, payloadBytes, signature] = parts as readonly CborValue[]
  if (!(protectedBytes instanceof Uint8Array) || !(payloadBytes instanceof Uint8Array) || !(signature instanceof Uint8Array)) cose('Protected header, payload and signature must be byte strings')
  exactEntries(unprotected, [], [], (problem) => cose(`Unprotected header: ${problem}`))
  if (signature.length !== P1363_SIGNATURE_BYTES) cose(`The signature must be ${P1363_SIGNATURE_BYTES} bytes of r||s`)
  const keyId = parseKeyId(protectedBytes)
  return { fields: { ...parseRecord(payloadBytes), keyId: toHex(keyId) }, signedData: sigStructure(protectedBytes, payloadBytes), signature }
}

/** Reads a seal's text without verifying it: the fields are claims until main checks the signature. Never throws. */
export function openSeal(text: string): ParseResult<OpenedSeal, SealProblem> {
  try {
    return { ok: true, value: openOrThrow(text) }
  } catch (error) {
    if (error instanceof SealError) return { ok: false, error: { code: error.code, message: error.message } }
    throw error
  }
}
