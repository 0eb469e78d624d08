import { describe, expect, it } from 'vitest'
import { ApduError, encodeCommandApdu, type CommandApdu } from '../../../src/main/services/idcard/icao/apdu'
import { toHex } from './appendix-d'

const header = { cla: 0x00, ins: 0xb0, p1: 0x00, p2: 0x00 }
const data = (length: number): Buffer => Buffer.alloc(length, 0xab)

describe('command APDU encoding', () => {
  it.each<[string, CommandApdu, string]>([
    ['case 1', header, '00B00000'],
    ['case 2, Ne 256 as 00', { ...header, ne: 256 }, '00B0000000'],
    ['case 3', { ...header, data: data(2) }, '00B0000002ABAB'],
    ['case 4', { ...header, data: data(1), ne: 4 }, '00B0000001AB04'],
    ['case 2 extended', { ...header, ne: 1000 }, '00B0000000' + '03E8'],
    ['case 2 extended, Ne 65536 as 0000', { ...header, ne: 65536 }, '00B0000000' + '0000'],
    ['case 3 extended', { ...header, data: data(256) }, '00B0000000' + '0100' + 'AB'.repeat(256)],
    ['case 4 extended by its data', { ...header, data: data(256), ne: 16 }, '00B0000000' + '0100' + 'AB'.repeat(256) + '0010'],
  ])('encodes %s', (_name, command, expected) => {
    expect(toHex(encodeCommandApdu(command))).toBe(expected)
  })

  it.each<[string, CommandApdu]>([
    ['CLA above a byte', { ...header, cla: 0x100 }],
    ['Ne 0', { ...header, ne: 0 }],
    ['Ne above 65536', { ...header, ne: 65537 }],
    ['more data than extended Lc holds', { ...header, data: data(65536) }],
  ])('rejects %s', (_name, command) => {
    expect(() => encodeCommandApdu(command)).toThrow(ApduError)
  })
})
