import { CodedError } from '../coded-error'

/**
 * Base45 (RFC 9285): two bytes become three characters of the QR alphanumeric set, so a QR holds the
 * text in alphanumeric mode (5.5 bits a character) rather than byte mode (8 bits).
 */

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:'
const VALUE_OF = new Map([...ALPHABET].map((character, value) => [character, value]))

export type Base45ErrorCode = 'invalidCharacter' | 'invalidLength' | 'valueOutOfRange'

export class Base45Error extends CodedError<Base45ErrorCode> {}

/** Whether every character is one of the 45; anything else in a scanned seal was changed on the way. */
export function isBase45Text(text: string): boolean {
  return [...text].every((character) => VALUE_OF.has(character))
}

export function encodeBase45(bytes: Uint8Array): string {
  let text = ''
  for (let index = 0; index < bytes.length; index += 2) {
    const first = bytes[index]!
    const second = bytes[index + 1]
    const chunk = second === undefined ? first : first * 256 + second
    const digits = second === undefined ? 2 : 3
    for (let digit = 0, rest = chunk; digit < digits; digit++, rest = Math.floor(rest / 45)) text += ALPHABET[rest % 45]
  }
  return text
}

/** Strict: only the 45 characters (upper case), whole groups, and no group above the bytes it stands for. */
export function decodeBase45(text: string): Uint8Array {
  if (text.length % 3 === 1) throw new Base45Error('invalidLength', `Base45 text of ${text.length} characters: a group needs two or three`)
  const bytes = new Uint8Array(Math.floor(text.length / 3) * 2 + (text.length % 3 === 2 ? 1 : 0))
  let written = 0
  for (let index = 0; index < text.length; index += 3) {
    const group = text.slice(index, index + 3)
    let value = 0
    for (let digit = group.length - 1; digit >= 0; digit--) {
      const character = group[digit]!
      const digitValue = VALUE_OF.get(character)
      if (digitValue === undefined) throw new Base45Error('invalidCharacter', `${JSON.stringify(character)} at ${index + digit} is not a Base45 character`)
      value = value * 45 + digitValue
    }
    if (group.length === 3) {
      if (value > 0xffff) throw new Base45Error('valueOutOfRange', `The group at ${index} is ${value}, above 65535`)
      bytes[written++] = value >> 8
      bytes[written++] = value & 0xff
    } else {
      if (value > 0xff) throw new Base45Error('valueOutOfRange', `The last group is ${value}, above 255`)
      bytes[written++] = value
    }
  }
  return bytes
}
