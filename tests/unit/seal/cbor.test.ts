import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CborError, CborTag, decodeCbor, encodeCbor, type CborValue } from '../../../src/shared/seal/cbor'

const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 2000)
const hex = (text: string) => Uint8Array.from(Buffer.from(text.replaceAll(' ', ''), 'hex'))
const toHex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex')

function errorCodeOf(bytes: Uint8Array): string | undefined {
  try {
    decodeCbor(bytes)
    return undefined
  } catch (error) {
    if (error instanceof CborError) return error.code
    throw error
  }
}

/** RFC 8949 Appendix A, the examples within the subset. */
const APPENDIX_A: [CborValue, string][] = [
  [0, '00'],
  [1, '01'],
  [10, '0a'],
  [23, '17'],
  [24, '1818'],
  [25, '1819'],
  [100, '1864'],
  [1000, '1903e8'],
  [1000000, '1a000f4240'],
  [1000000000000, '1b000000e8d4a51000'],
  [Number.MAX_SAFE_INTEGER, '1b001fffffffffffff'],
  [-1, '20'],
  [-10, '29'],
  [-100, '3863'],
  [-1000, '3903e7'],
  [false, 'f4'],
  [true, 'f5'],
  [null, 'f6'],
  [new CborTag(1, 1363896240), 'c11a514b67b0'],
  [new CborTag(23, hex('01020304')), 'd74401020304'],
  [new Uint8Array(0), '40'],
  [hex('01020304'), '4401020304'],
  ['', '60'],
  ['a', '6161'],
  ['IETF', '6449455446'],
  ['"\\', '62225c'],
  ['\u00fc', '62c3bc'],
  ['\u6c34', '63e6b0b4'],
  ['\u{10151}', '64f0908591'],
  [[], '80'],
  [[1, 2, 3], '83010203'],
  [[1, [2, 3], [4, 5]], '8301820203820405'],
  [Array.from({ length: 25 }, (_, index) => index + 1), '98190102030405060708090a0b0c0d0e0f101112131415161718181819'],
  [new Map(), 'a0'],
  [new Map([[1, 2], [3, 4]]), 'a201020304'],
  [new Map<string, CborValue>([['a', 1], ['b', [2, 3]]]), 'a26161016162820203'],
  [['a', new Map([['b', 'c']])], '826161a161626163'],
]

/** Any value of the subset, maps with integer and text keys. */
const cborValue: fc.Arbitrary<CborValue> = fc.letrec<{ value: CborValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.maxSafeInteger(),
    fc.integer({ min: -30, max: 300 }),
    fc.string({ unit: 'grapheme', maxLength: 10 }),
    fc.uint8Array({ maxLength: 12 }),
    fc.constantFrom(true, false, null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.uniqueArray(fc.tuple(fc.oneof(fc.integer({ min: -500, max: 500 }), fc.string({ maxLength: 4 })), tie('value')), { maxLength: 4, selector: ([key]) => key }).map((entries) => new Map(entries)),
    fc.tuple(fc.integer({ min: 0, max: 1000 }), tie('value')).map(([tag, value]) => new CborTag(tag, value)),
  ),
})).value

describe('CBOR encoder and decoder', () => {
  it('encode and decode the RFC 8949 Appendix A examples', () => {
    for (const [value, encoded] of APPENDIX_A) {
      expect(toHex(encodeCbor(value)), encoded).toBe(encoded)
      expect(decodeCbor(hex(encoded))).toEqual(value)
    }
  })

  it('sorts map keys by their encodings (RFC 8949 section 4.2.1)', () => {
    const map = new Map<number | string, CborValue>([['aa', 5], ['z', 4], [-1, 3], [100, 2], [10, 1]])
    expect(toHex(encodeCbor(map))).toBe('a5' + '0a01' + '186402' + '2003' + '617a04' + '62616105')
  })

  it('round-trips any value, and the decoded value encodes to the same bytes', () => {
    fc.assert(
      fc.property(cborValue, (value) => {
        const encoded = encodeCbor(value)
        const decoded = decodeCbor(encoded)
        expect(toHex(encodeCbor(decoded))).toBe(toHex(encoded))
      }),
      { numRuns: FUZZ_RUNS },
    )
  })

  it('refuses every non-deterministic or unsupported encoding with a typed error', () => {
    const refused: [string, string][] = [
      ['1817', 'notCanonical'],
      ['190017', 'notCanonical'],
      ['1a0000ffff', 'notCanonical'],
      ['1b00000000ffffffff', 'notCanonical'],
      ['5800', 'notCanonical'],
      ['9f01ff', 'notCanonical'],
      ['5f4101ff', 'notCanonical'],
      ['bf6161 01ff', 'notCanonical'],
      ['1c', 'unsupportedType'],
      ['f97c00', 'unsupportedType'],
      ['fb3ff199999999999a', 'unsupportedType'],
      ['f7', 'unsupportedType'],
      ['f0', 'unsupportedType'],
      ['f820', 'unsupportedType'],
      ['a14000', 'unsupportedType'],
      ['1b0020000000000000', 'integerTooLarge'],
      ['3b001fffffffffffff', 'integerTooLarge'],
      ['62c328', 'invalidUtf8'],
      ['63eda080', 'invalidUtf8'],
      ['a201000100', 'duplicateKey'],
      ['a202000100', 'unsortedKeys'],
      ['a2616200616100', 'unsortedKeys'],
      ['a26161002000', 'unsortedKeys'],
      ['', 'truncated'],
      ['1a0000', 'truncated'],
      ['4401', 'truncated'],
      ['83 01 02', 'truncated'],
      ['9affffffff', 'truncated'],
      ['baffffffff', 'truncated'],
      ['c1', 'truncated'],
      ['0000', 'trailingBytes'],
    ]
    for (const [encoded, code] of refused) expect(errorCodeOf(hex(encoded)), encoded).toBe(code)
  })

  it('bounds nesting and input size', () => {
    expect(errorCodeOf(new Uint8Array([...new Array(16).fill(0x81), 0x00]))).toBeUndefined()
    expect(errorCodeOf(new Uint8Array([...new Array(16).fill(0x81), 0x81, 0x00]))).toBe('tooDeep')
    expect(errorCodeOf(new Uint8Array(100_000).fill(0x81))).toBe('tooLarge')
    expect(errorCodeOf(new Uint8Array([0x59, 0x0f, 0xfd, ...new Array(4093).fill(0)]))).toBeUndefined()
    expect(errorCodeOf(new Uint8Array([0x59, 0x0f, 0xfe, ...new Array(4094).fill(0)]))).toBe('tooLarge')
  })

  it('refuses to encode what it could not decode back', () => {
    for (const value of [1.5, Number.NaN, 2 ** 53, '\ud800']) expect(() => encodeCbor(value)).toThrowError(CborError)
  })

  it('throws nothing but CborError on arbitrary bytes, or on valid encodings with bytes changed or cut', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        errorCodeOf(bytes)
      }),
      { numRuns: FUZZ_RUNS },
    )
    fc.assert(
      fc.property(cborValue, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.nat(), (value, at, byte, cut) => {
        const encoded = encodeCbor(value)
        const changed = encoded.slice()
        if (changed.length > 0) changed[at % changed.length] = byte
        errorCodeOf(changed)
        errorCodeOf(encoded.subarray(0, cut % (encoded.length + 1)))
      }),
      { numRuns: FUZZ_RUNS },
    )
  })
})
