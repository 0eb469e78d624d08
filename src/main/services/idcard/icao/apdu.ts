import { IcaoError } from './errors'

/** ISO 7816-4 command APDUs: the few encodings the protocol core needs. */

export type ApduErrorCode = 'invalidCommand'

export class ApduError extends IcaoError<ApduErrorCode> {}

export interface CommandApdu {
  cla: number
  ins: number
  p1: number
  p2: number
  data?: Uint8Array
  /** Ne, the number of response bytes expected: 1-256 fits a short APDU, up to 65536 needs extended length. */
  ne?: number
}

/** READ BINARY's P1 with bit 8 set addresses a file by its short identifier (low five bits), selecting it. */
export const SHORT_FILE_ID_FLAG = 0x80

export interface ResponseApdu {
  data: Buffer
  sw: number
}

const SHORT_MAX_DATA = 255
const SHORT_MAX_NE = 256
const EXTENDED_MAX_DATA = 65535
const EXTENDED_MAX_NE = 65536

function requireByte(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xff) throw new ApduError('invalidCommand', `${name} ${value} is not a byte`)
  return value
}

/** Whether an encoded APDU uses extended length: after the 4-byte header, a 00 byte then two length bytes (a short case 2 APDU is only 5 bytes). */
export function isExtendedApdu(apdu: Uint8Array): boolean {
  return apdu.length > 5 && apdu[4] === 0x00
}

export function needsExtendedLength(dataLength: number, ne: number | undefined): boolean {
  return dataLength > SHORT_MAX_DATA || (ne ?? 0) > SHORT_MAX_NE
}

/**
 * Le as ISO 7816-4 writes it: one byte for short APDUs (256 as 00), two for extended ones (65536 as 0000).
 * Also the content of secure messaging's DO'97'.
 */
export function encodeLe(ne: number, extended = ne > SHORT_MAX_NE): Buffer {
  const max = extended ? EXTENDED_MAX_NE : SHORT_MAX_NE
  if (!Number.isInteger(ne) || ne < 1 || ne > max) throw new ApduError('invalidCommand', `Ne ${ne} is outside 1-${max}`)
  const encoded = Buffer.alloc(extended ? 2 : 1)
  encoded.writeUIntBE(ne % max, 0, encoded.length)
  return encoded
}

/** Reads Le as encodeLe writes it: one byte (00 = 256) or two (0000 = 65536). */
export function decodeLe(bytes: Uint8Array): number {
  if (bytes.length !== 1 && bytes.length !== 2) throw new ApduError('invalidCommand', `Le of ${bytes.length} bytes`)
  const max = bytes.length === 1 ? SHORT_MAX_NE : EXTENDED_MAX_NE
  return Buffer.from(bytes).readUIntBE(0, bytes.length) || max
}

/** Uses short lengths whenever data and Ne fit them: some readers cannot pass extended APDUs at all. */
export function encodeCommandApdu({ cla, ins, p1, p2, data = Buffer.alloc(0), ne }: CommandApdu): Buffer {
  const header = Buffer.from([requireByte(cla, 'CLA'), requireByte(ins, 'INS'), requireByte(p1, 'P1'), requireByte(p2, 'P2')])
  if (data.length > EXTENDED_MAX_DATA) throw new ApduError('invalidCommand', `${data.length} data bytes exceed ${EXTENDED_MAX_DATA}`)
  const extended = needsExtendedLength(data.length, ne)
  const parts: Uint8Array[] = [header]
  if (data.length > 0) {
    const lc = extended ? Buffer.from([0x00, data.length >> 8, data.length & 0xff]) : Buffer.from([data.length])
    parts.push(lc, data)
  }
  if (ne !== undefined) {
    // Extended Le carries its own 00 marker only when no extended Lc came before it.
    if (extended && data.length === 0) parts.push(Buffer.from([0x00]))
    parts.push(encodeLe(ne, extended))
  }
  return Buffer.concat(parts)
}

const HEADER_LENGTH = 4

/** Parses a command APDU in any of the ISO 7816-4 cases, short or extended: what a card sees. */
export function decodeCommandApdu(apdu: Uint8Array): CommandApdu {
  const bytes = Buffer.from(apdu)
  if (bytes.length < HEADER_LENGTH) throw new ApduError('invalidCommand', `${bytes.length} bytes do not make a command header`)
  const [cla = 0, ins = 0, p1 = 0, p2 = 0] = bytes
  const header = { cla, ins, p1, p2 }
  const body = bytes.subarray(HEADER_LENGTH)
  if (body.length === 0) return header
  // Short cases: body is Le, or Lc data, or Lc data Le.
  if (body[0] !== 0x00 || body.length === 1) {
    if (body.length === 1) return { ...header, ne: decodeLe(body) }
    const lc = body[0] ?? 0
    const rest = body.length - 1 - lc
    if (rest !== 0 && rest !== 1) throw new ApduError('invalidCommand', `short Lc ${lc} does not match ${body.length - 1} bytes`)
    const data = body.subarray(1, 1 + lc)
    return rest === 0 ? { ...header, data } : { ...header, data, ne: decodeLe(body.subarray(1 + lc)) }
  }
  // Extended cases: 00 then a two-byte Le, or a two-byte Lc, its data and optionally a two-byte Le.
  if (body.length === 3) return { ...header, ne: decodeLe(body.subarray(1)) }
  if (body.length < 3) throw new ApduError('invalidCommand', 'extended length marker without a length')
  const lc = body.readUInt16BE(1)
  const rest = body.length - 3 - lc
  if (lc === 0 || (rest !== 0 && rest !== 2)) throw new ApduError('invalidCommand', `extended Lc ${lc} does not match ${body.length - 3} bytes`)
  const data = body.subarray(3, 3 + lc)
  return rest === 0 ? { ...header, data } : { ...header, data, ne: decodeLe(body.subarray(3 + lc)) }
}
