import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ScanFramer } from '../../../src/main/services/scanners/scan-framer'
import { choosePort } from '../../../src/main/services/scanners/serial-scanner'
import { CARD_QR, VIETNAMESE_TEXT } from '../../helpers/qr-images'

const port = (path: string, vendorId?: string) => ({ path, manufacturer: undefined, serialNumber: undefined, pnpId: undefined, locationId: undefined, productId: undefined, vendorId })

describe('choosing the scanner port', () => {
  const builtIn = port('/dev/ttyS0')
  const ftdi = port('/dev/ttyUSB0', '0403')
  const cdcAcm = port('/dev/ttyACM1', '1a86')
  const honeywell = port('/dev/ttyACM2', '0C2E')

  it('prefers a known scanner maker, then CDC-ACM, then another USB serial adapter', () => {
    expect(choosePort([builtIn, ftdi, cdcAcm, honeywell], [])).toBe('/dev/ttyACM2')
    expect(choosePort([builtIn, ftdi, cdcAcm], [])).toBe('/dev/ttyACM1')
    expect(choosePort([port('COM4', '0403'), port('COM3', '05F9')], [])).toBe('COM3')
    expect(choosePort([builtIn, ftdi], [])).toBe('/dev/ttyUSB0')
  })

  it('never picks a built-in UART or the ticket printer’s port', () => {
    expect(choosePort([builtIn], [])).toBeUndefined()
    expect(choosePort([builtIn, ftdi], ['/dev/ttyUSB0'])).toBeUndefined()
  })
})

function frame(chunks: readonly Uint8Array[]): { scans: string[]; garbage: number; tooLong: number } {
  const result = { scans: [] as string[], garbage: 0, tooLong: 0 }
  const framer = new ScanFramer('newline', {
    onScan: (text) => result.scans.push(text),
    onGarbage: () => result.garbage++,
    onTooLong: () => result.tooLong++,
  })
  for (const chunk of chunks) framer.push(chunk)
  return result
}

/** The bytes cut at the given offsets, as a serial port may hand them over. */
function cut(bytes: Uint8Array, offsets: readonly number[]): Uint8Array[] {
  const edges = [0, ...[...new Set(offsets)].sort((a, b) => a - b), bytes.length]
  return edges.slice(1).map((end, index) => bytes.subarray(edges[index], end))
}

describe('framing the byte stream into scans', () => {
  it('gives the same scans however the bytes are cut into reads', () => {
    const bytes = Buffer.from(`\ufeff${CARD_QR}\r\n${VIETNAMESE_TEXT}\n\ufeff${CARD_QR}\r`)
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 40 }), (offsets) => {
        expect(frame(cut(bytes, offsets))).toEqual({ scans: [CARD_QR, VIETNAMESE_TEXT, CARD_QR], garbage: 0, tooLong: 0 })
      }),
    )
  })

  it('keeps GS1 and ISO/IEC 15434 separators and takes other control bytes and invalid UTF-8 for garbage', () => {
    expect(frame([Buffer.from('[)>\x1e06\x1d17V12345\x1e\x04\r\n')]).scans).toEqual(['[)>\x1e06\x1d17V12345\x1e\x04'])
    expect(frame([Uint8Array.from([0x41, 0x00, 0x0d])])).toEqual({ scans: [], garbage: 1, tooLong: 0 })
    expect(frame([Uint8Array.from([0x41, 0xff, 0x0d])])).toEqual({ scans: [], garbage: 1, tooLong: 0 })
    expect(frame([Buffer.from('\u0085\n')])).toEqual({ scans: [], garbage: 1, tooLong: 0 })
  })

  it('takes exactly 4096 bytes and drops one byte more', () => {
    expect(frame([Buffer.from(`${'ắ'.repeat(1365)}a\r\n`)]).scans).toEqual([`${'ắ'.repeat(1365)}a`])
    expect(frame([Buffer.from(`${'ắ'.repeat(1365)}ab\r\nok\r\n`)])).toEqual({ scans: ['ok'], garbage: 0, tooLong: 1 })
  })
})
