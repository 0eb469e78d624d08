import { IcaoError } from './errors'

export type TlvErrorCode = 'truncated' | 'invalidTag' | 'invalidLength' | 'tooDeep' | 'tooLarge' | 'trailingData'

export class TlvError extends IcaoError<TlvErrorCode> {}

export interface TlvLimits {
  /** Nesting depth of constructed objects; the top level is depth 1. */
  maxDepth: number
  /** Largest input, and largest declared value length, in bytes. */
  maxSize: number
}

// DG2 photos are tens of kilobytes; a megabyte leaves room without letting a card make us allocate gigabytes.
export const DEFAULT_TLV_LIMITS: TlvLimits = { maxDepth: 16, maxSize: 1 << 20 }

// ISO 7816-4 allows at most three tag bytes; ICAO uses two (5F1F, 7F61).
const MAX_TAG_BYTES = 3
// Four length bytes cover any length the size limit lets through.
const MAX_LENGTH_BYTES = 4
const CONSTRUCTED_BIT = 0x20
const MULTI_BYTE_TAG_MARK = 0x1f
const MORE_TAG_BYTES_BIT = 0x80

export interface TlvHeader {
  /** The tag bytes read as one big-endian number, e.g. 0x5F1F. */
  tag: number
  constructed: boolean
  headerLength: number
  valueLength: number
}

interface TlvCommon {
  tag: number
  /** The value bytes: a view into the decoded input, not a copy. */
  value: Buffer
  /** Tag, length and value as they appeared in the input (what a hash over the object must cover). */
  encoded: Buffer
}
export interface PrimitiveTlv extends TlvCommon {
  constructed: false
}
export interface ConstructedTlv extends TlvCommon {
  constructed: true
  children: Tlv[]
}
export type Tlv = PrimitiveTlv | ConstructedTlv

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

function byteAt(bytes: Uint8Array, offset: number): number {
  const byte = bytes[offset]
  if (byte === undefined) throw new TlvError('truncated', `input ends at offset ${offset} inside a TLV header`)
  return byte
}

interface ReadTag {
  tag: number
  constructed: boolean
  length: number
}

function readTag(bytes: Uint8Array, offset: number): ReadTag {
  const first = byteAt(bytes, offset)
  const constructed = (first & CONSTRUCTED_BIT) !== 0
  let tag = first
  let length = 1
  if ((first & MULTI_BYTE_TAG_MARK) !== MULTI_BYTE_TAG_MARK) return { tag, constructed, length }
  for (;;) {
    const next = byteAt(bytes, offset + length)
    // X.690 8.1.2.4.2: the tag number must not start with a zero base-128 digit.
    if (length === 1 && next === MORE_TAG_BYTES_BIT) {
      throw new TlvError('invalidTag', `tag at offset ${offset} has a leading zero byte`)
    }
    tag = tag * 256 + next
    length += 1
    if ((next & MORE_TAG_BYTES_BIT) === 0) return { tag, constructed, length }
    if (length === MAX_TAG_BYTES) throw new TlvError('invalidTag', `tag at offset ${offset} is longer than ${MAX_TAG_BYTES} bytes`)
  }
}

/**
 * Reads the tag and length at `offset` without requiring the value to be present, so a caller reading a file
 * in chunks can learn its total size from the first few bytes.
 */
export function decodeTlvHeader(bytes: Uint8Array, offset = 0, limits: Partial<TlvLimits> = {}): TlvHeader {
  const { maxSize } = { ...DEFAULT_TLV_LIMITS, ...limits }
  const { tag, constructed, length: tagLength } = readTag(bytes, offset)
  const first = byteAt(bytes, offset + tagLength)
  let headerLength = tagLength + 1
  let valueLength = first
  if (first > 0x7f) {
    const lengthBytes = first & 0x7f
    // 0x80 is BER's indefinite form, which ICAO (DER) data never uses.
    if (lengthBytes === 0 || lengthBytes > MAX_LENGTH_BYTES) {
      throw new TlvError('invalidLength', `length byte ${first.toString(16)} at offset ${offset + tagLength} is not allowed`)
    }
    valueLength = 0
    for (let index = 0; index < lengthBytes; index += 1) {
      valueLength = valueLength * 256 + byteAt(bytes, offset + headerLength + index)
    }
    headerLength += lengthBytes
  }
  if (valueLength > maxSize) {
    throw new TlvError('tooLarge', `value of ${valueLength} bytes at offset ${offset} exceeds the ${maxSize}-byte limit`)
  }
  return { tag, constructed, headerLength, valueLength }
}

function decodeSequence(bytes: Buffer, depth: number, limits: TlvLimits): Tlv[] {
  if (depth > limits.maxDepth) throw new TlvError('tooDeep', `nesting exceeds ${limits.maxDepth} levels`)
  const objects: Tlv[] = []
  let offset = 0
  while (offset < bytes.length) {
    const header = decodeTlvHeader(bytes, offset, limits)
    const end = offset + header.headerLength + header.valueLength
    if (end > bytes.length) {
      const remaining = bytes.length - offset - header.headerLength
      throw new TlvError('truncated', `value at offset ${offset} needs ${header.valueLength} bytes, ${remaining} remain`)
    }
    const value = bytes.subarray(offset + header.headerLength, end)
    const encoded = bytes.subarray(offset, end)
    objects.push(
      header.constructed
        ? { tag: header.tag, constructed: true, value, encoded, children: decodeSequence(value, depth + 1, limits) }
        : { tag: header.tag, constructed: false, value, encoded },
    )
    offset = end
  }
  return objects
}

/** Decodes back-to-back TLV objects filling the whole input (e.g. the data objects of an SM response). */
export function decodeTlvList(bytes: Uint8Array, limits: Partial<TlvLimits> = {}): Tlv[] {
  const effective = { ...DEFAULT_TLV_LIMITS, ...limits }
  if (bytes.length > effective.maxSize) {
    throw new TlvError('tooLarge', `input of ${bytes.length} bytes exceeds the ${effective.maxSize}-byte limit`)
  }
  return decodeSequence(asBuffer(bytes), 1, effective)
}

/** Decodes exactly one TLV object (e.g. a data group file); bytes after it are an error. */
export function decodeTlv(bytes: Uint8Array, limits: Partial<TlvLimits> = {}): Tlv {
  const objects = decodeTlvList(bytes, limits)
  const [only] = objects
  if (only === undefined) throw new TlvError('truncated', 'input is empty')
  if (objects.length > 1) throw new TlvError('trailingData', `${bytes.length - only.encoded.length} bytes follow the TLV object`)
  return only
}

function encodeTag(tag: number): Buffer {
  if (!Number.isSafeInteger(tag) || tag < 0 || tag >= 256 ** MAX_TAG_BYTES) {
    throw new TlvError('invalidTag', `tag ${tag} is not encodable`)
  }
  const bytes: number[] = []
  for (let rest = tag; bytes.length === 0 || rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256)
  const encoded = Buffer.from(bytes)
  // The number must read back as exactly these bytes: first byte marks multi-byte, continuation bits agree.
  let readBack: ReadTag | undefined
  try {
    readBack = readTag(encoded, 0)
  } catch {
    readBack = undefined
  }
  if (readBack?.length !== encoded.length) {
    throw new TlvError('invalidTag', `0x${tag.toString(16)} is not a well-formed BER tag`)
  }
  return encoded
}

function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length])
  if (length >= 256 ** MAX_LENGTH_BYTES) throw new TlvError('invalidLength', `length ${length} is not encodable`)
  const bytes: number[] = []
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256)
  return Buffer.from([0x80 | bytes.length, ...bytes])
}

/** Encodes one TLV object with the shortest length form (DER); for a constructed tag pass the encoded children. */
export function encodeTlv(tag: number, value: Uint8Array): Buffer {
  return Buffer.concat([encodeTag(tag), encodeLength(value.length), value])
}
