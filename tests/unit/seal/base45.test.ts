import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Base45Error, decodeBase45, encodeBase45 } from '../../../src/shared/seal/base45'

const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 2000)
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:'
const utf8 = (text: string) => new TextEncoder().encode(text)

function errorCodeOf(run: () => unknown): string | undefined {
  try {
    run()
    return undefined
  } catch (error) {
    if (error instanceof Base45Error) return error.code
    throw error
  }
}

describe('Base45 (RFC 9285)', () => {
  it('encodes and decodes the RFC examples', () => {
    const examples: [string, string][] = [
      ['AB', 'BB8'],
      ['Hello!!', '%69 VD92EX0'],
      ['base-45', 'UJCLQE7W581'],
      ['ietf!', 'QED8WEX0'],
    ]
    for (const [text, encoded] of examples) {
      expect(encodeBase45(utf8(text))).toBe(encoded)
      expect(new TextDecoder().decode(decodeBase45(encoded))).toBe(text)
    }
    expect(encodeBase45(new Uint8Array(0))).toBe('')
    expect(decodeBase45('')).toEqual(new Uint8Array(0))
  })

  it('round-trips any bytes, in the QR alphanumeric set only', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const text = encodeBase45(bytes)
        expect([...text].every((character) => ALPHABET.includes(character))).toBe(true)
        expect(text).toHaveLength(Math.floor(bytes.length / 2) * 3 + (bytes.length % 2) * 2)
        expect(decodeBase45(text)).toEqual(bytes)
      }),
      { numRuns: FUZZ_RUNS },
    )
  })

  it('refuses foreign characters, lower case, a lone character and groups above their range', () => {
    expect(errorCodeOf(() => decodeBase45('bb8'))).toBe('invalidCharacter')
    expect(errorCodeOf(() => decodeBase45('BB#'))).toBe('invalidCharacter')
    expect(errorCodeOf(() => decodeBase45('BB8\n'))).toBe('invalidLength')
    expect(errorCodeOf(() => decodeBase45('BB8B'))).toBe('invalidLength')
    // RFC 9285 section 6: "GGW" is 65536.
    expect(errorCodeOf(() => decodeBase45('GGW'))).toBe('valueOutOfRange')
    expect(decodeBase45('FGW')).toEqual(Uint8Array.of(0xff, 0xff))
    // A final pair above 255: 'U5' is 30 + 5 * 45 = 255, '06' is 270.
    expect(decodeBase45('U5')).toEqual(Uint8Array.of(255))
    expect(errorCodeOf(() => decodeBase45('06'))).toBe('valueOutOfRange')
  })

  it('throws nothing but Base45Error on any text', () => {
    const character = fc.oneof(fc.constantFrom(...ALPHABET), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }))
    fc.assert(
      fc.property(fc.string({ unit: character, maxLength: 60 }), (text) => {
        errorCodeOf(() => decodeBase45(text))
      }),
      { numRuns: FUZZ_RUNS },
    )
  })
})
