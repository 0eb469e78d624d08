import { CodedError } from '../coded-error'

/**
 * The subset of CBOR (RFC 8949) the seal needs, in its deterministic form (section 4.2.1): shortest
 * heads, definite lengths, map keys sorted by their encodings. The decoder accepts nothing else, so a
 * seal has exactly one encoding and what was signed is what is read back.
 */

/** Integers are JavaScript safe integers; map keys are integers or text, as COSE and the seal use them. */
export type CborValue = number | string | Uint8Array | boolean | null | readonly CborValue[] | CborMap | CborTag
type CborMapKey = number | string
export type CborMap = ReadonlyMap<CborMapKey, CborValue>

export class CborTag {
  constructor(
    readonly tag: number,
    readonly value: CborValue,
  ) {}
}

export type CborErrorCode =
  | 'truncated'
  | 'trailingBytes'
  /** A longer head than needed, or an indefinite length. */
  | 'notCanonical'
  | 'unsortedKeys'
  | 'duplicateKey'
  /** Floats, simple values other than false/true/null, reserved heads, non-integer/text map keys. */
  | 'unsupportedType'
  | 'integerTooLarge'
  | 'invalidUtf8'
  | 'tooDeep'
  | 'tooLarge'
  /** The encoder was given a value outside the subset: a non-integer number, a lone surrogate. */
  | 'unencodable'

export class CborError extends CodedError<CborErrorCode> {}

/** Nesting the seal never comes near (COSE_Sign1 in a tag is 2 deep); bounds recursion on hostile input. */
const MAX_DEPTH = 16
/** Far above a QR's capacity; longer input is refused before any parsing. */
const MAX_INPUT_BYTES = 4096

const MAJOR = { unsigned: 0, negative: 1, bytes: 2, text: 3, array: 4, map: 5, tag: 6, simple: 7 } as const
const SIMPLE = { false: 20, true: 21, null: 22 } as const
const TWO_POW_32 = 2 ** 32

const utf8Encoder = new TextEncoder()
/** ignoreBOM keeps a leading U+FEFF as text instead of dropping it, so decoding is exact. */
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

function head(major: number, argument: number): Uint8Array {
  const initial = major << 5
  if (argument < 24) return Uint8Array.of(initial | argument)
  if (argument < 0x100) return Uint8Array.of(initial | 24, argument)
  if (argument < 0x10000) return Uint8Array.of(initial | 25, argument >> 8, argument & 0xff)
  const bytes = new Uint8Array(argument < TWO_POW_32 ? 5 : 9)
  const view = new DataView(bytes.buffer)
  if (argument < TWO_POW_32) {
    bytes[0] = initial | 26
    view.setUint32(1, argument)
  } else {
    bytes[0] = initial | 27
    view.setUint32(1, Math.floor(argument / TWO_POW_32))
    view.setUint32(5, argument % TWO_POW_32)
  }
  return bytes
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const joined = new Uint8Array(parts.reduce((total, part) => total + part.length, 0))
  let offset = 0
  for (const part of parts) {
    joined.set(part, offset)
    offset += part.length
  }
  return joined
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let index = 0; index < Math.min(a.length, b.length); index++) {
    if (a[index] !== b[index]) return a[index]! - b[index]!
  }
  return a.length - b.length
}

function encodeParts(value: CborValue, parts: Uint8Array[]): void {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new CborError('unencodable', `${value} is not a safe integer`)
    parts.push(value >= 0 ? head(MAJOR.unsigned, value) : head(MAJOR.negative, -1 - value))
  } else if (typeof value === 'string') {
    if (/\p{Cs}/u.test(value)) throw new CborError('unencodable', 'The text holds a lone surrogate, which UTF-8 cannot encode')
    const bytes = utf8Encoder.encode(value)
    parts.push(head(MAJOR.text, bytes.length), bytes)
  } else if (value instanceof Uint8Array) {
    parts.push(head(MAJOR.bytes, value.length), value)
  } else if (typeof value === 'boolean' || value === null) {
    parts.push(Uint8Array.of((MAJOR.simple << 5) | (value === null ? SIMPLE.null : value ? SIMPLE.true : SIMPLE.false)))
  } else if (value instanceof CborTag) {
    parts.push(head(MAJOR.tag, value.tag))
    encodeParts(value.value, parts)
  } else if (value instanceof Map) {
    const entries = [...(value as CborMap)].map(([key, item]) => ({ key: encodeCbor(key), item: encodeCbor(item) }))
    entries.sort((a, b) => compareBytes(a.key, b.key))
    parts.push(head(MAJOR.map, entries.length), ...entries.flatMap(({ key, item }) => [key, item]))
  } else {
    const items = value as readonly CborValue[]
    parts.push(head(MAJOR.array, items.length))
    for (const item of items) encodeParts(item, parts)
  }
}

export function encodeCbor(value: CborValue): Uint8Array {
  const parts: Uint8Array[] = []
  encodeParts(value, parts)
  return concat(parts)
}

class Reader {
  private offset = 0

  constructor(private readonly bytes: Uint8Array) {}

  get position(): number {
    return this.offset
  }

  get remaining(): number {
    return this.bytes.length - this.offset
  }

  take(length: number): Uint8Array {
    if (length > this.remaining) throw new CborError('truncated', `Needed ${length} more bytes at ${this.offset}, ${this.remaining} left`)
    const taken = this.bytes.subarray(this.offset, this.offset + length)
    this.offset += length
    return taken
  }

  slice(start: number, end: number): Uint8Array {
    return this.bytes.subarray(start, end)
  }

  /** The major type and its argument, refusing heads longer than the argument needs. */
  readHead(): { major: number; info: number; argument: number } {
    const initial = this.take(1)[0]!
    const major = initial >> 5
    const info = initial & 0x1f
    if (info < 24) return { major, info, argument: info }
    if (info === 31) throw new CborError('notCanonical', `Indefinite length at ${this.offset - 1}`)
    if (info > 27) throw new CborError('unsupportedType', `Reserved additional information ${info} at ${this.offset - 1}`)
    if (major === MAJOR.simple) throw new CborError('unsupportedType', `A float or one-byte simple value at ${this.offset - 1}`)
    const size = 2 ** (info - 24)
    const view = new DataView(this.take(size).slice().buffer)
    const argument = size === 1 ? view.getUint8(0) : size === 2 ? view.getUint16(0) : size === 4 ? view.getUint32(0) : view.getUint32(0) * TWO_POW_32 + view.getUint32(4)
    if (size === 8 && view.getUint32(0) >= 0x200000) throw new CborError('integerTooLarge', `An argument above 2^53 at ${this.offset - 9}`)
    const smallest = size === 1 ? 24 : 2 ** (8 * (size / 2))
    if (argument < smallest) throw new CborError('notCanonical', `${argument} written in ${size} bytes at ${this.offset - size - 1}`)
    return { major, info, argument }
  }
}

function decodeItem(reader: Reader, depth: number): CborValue {
  if (depth > MAX_DEPTH) throw new CborError('tooDeep', `Nested deeper than ${MAX_DEPTH}`)
  const start = reader.position
  const { major, info, argument } = reader.readHead()
  switch (major) {
    case MAJOR.unsigned:
      return argument
    case MAJOR.negative:
      if (argument >= Number.MAX_SAFE_INTEGER) throw new CborError('integerTooLarge', `-1-${argument} at ${start} is not a safe integer`)
      return -1 - argument
    case MAJOR.bytes:
      return reader.take(argument).slice()
    case MAJOR.text:
      try {
        return utf8Decoder.decode(reader.take(argument))
      } catch (error) {
        if (error instanceof CborError) throw error
        throw new CborError('invalidUtf8', `The text at ${start} is not UTF-8`, { cause: error })
      }
    case MAJOR.array: {
      // Every item takes at least one byte: a count beyond what is left cannot be honest.
      if (argument > reader.remaining) throw new CborError('truncated', `An array of ${argument} items at ${start} with ${reader.remaining} bytes left`)
      const items: CborValue[] = []
      for (let index = 0; index < argument; index++) items.push(decodeItem(reader, depth + 1))
      return items
    }
    case MAJOR.map:
      return decodeMap(reader, argument, start, depth)
    case MAJOR.tag:
      return new CborTag(argument, decodeItem(reader, depth + 1))
    default:
      if (info === SIMPLE.false) return false
      if (info === SIMPLE.true) return true
      if (info === SIMPLE.null) return null
      throw new CborError('unsupportedType', `Simple value ${info} at ${start}`)
  }
}

function decodeMap(reader: Reader, entryCount: number, start: number, depth: number): CborMap {
  if (entryCount * 2 > reader.remaining) throw new CborError('truncated', `A map of ${entryCount} entries at ${start} with ${reader.remaining} bytes left`)
  const map = new Map<CborMapKey, CborValue>()
  let previousKey: Uint8Array | undefined
  for (let index = 0; index < entryCount; index++) {
    const keyStart = reader.position
    const key = decodeItem(reader, depth + 1)
    if (typeof key !== 'number' && typeof key !== 'string') throw new CborError('unsupportedType', `A map key at ${keyStart} is neither an integer nor text`)
    const keyBytes = reader.slice(keyStart, reader.position)
    if (previousKey !== undefined) {
      const order = compareBytes(previousKey, keyBytes)
      if (order === 0) throw new CborError('duplicateKey', `The key ${JSON.stringify(key)} at ${keyStart} repeats`)
      if (order > 0) throw new CborError('unsortedKeys', `The key ${JSON.stringify(key)} at ${keyStart} is out of order`)
    }
    previousKey = keyBytes
    map.set(key, decodeItem(reader, depth + 1))
  }
  return map
}

/** Exactly one deterministic data item; anything else throws a CborError. */
export function decodeCbor(bytes: Uint8Array): CborValue {
  if (bytes.length > MAX_INPUT_BYTES) throw new CborError('tooLarge', `${bytes.length} bytes; at most ${MAX_INPUT_BYTES} are read`)
  const reader = new Reader(bytes)
  const value = decodeItem(reader, 0)
  if (reader.remaining > 0) throw new CborError('trailingBytes', `${reader.remaining} bytes after the data item`)
  return value
}
