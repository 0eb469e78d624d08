import { describe, expect, it } from 'vitest'
import { DeviceConfigPatchSchema, DeviceConfigSchema, PrinterConfigSchema, PrintTicketInputSchema } from '../../../src/shared/contract/schemas'
import { ticketQrText } from '../../../src/shared/domain/queue/ticket-qr'
import { fakeDeviceInfo } from '../../helpers/fake-services'

const base64Of = (byteCount: number): string => Buffer.alloc(byteCount, 0xaa).toString('base64')

describe('the ticket printer configuration', () => {
  it.each([
    { kind: 'none', paperWidth: 80 },
    { kind: 'system', paperWidth: 58 },
    { kind: 'network', host: '192.168.1.50', paperWidth: 80 },
    { kind: 'network', host: 'may-in-quay1.local', port: 9100, paperWidth: 58 },
    { kind: 'network', host: 'fd00::12', port: 65535, paperWidth: 80 },
    { kind: 'device', path: '/dev/usb/lp0', paperWidth: 80 },
    { kind: 'device', path: '\\\\.\\COM3', paperWidth: 80 },
    { kind: 'device', path: 'C:\\printers\\ticket.prn', paperWidth: 58 },
  ])('accepts %j', (printer) => {
    expect(PrinterConfigSchema.safeParse(printer).success).toBe(true)
  })

  it.each([
    ['a host with a scheme', { kind: 'network', host: 'tcp://192.168.1.50', paperWidth: 80 }],
    ['a host with a port', { kind: 'network', host: '192.168.1.50:9100', paperWidth: 80 }],
    ['an IPv4 address out of range', { kind: 'network', host: '192.168.1.256', paperWidth: 80 }],
    ['a host with spaces', { kind: 'network', host: 'may in', paperWidth: 80 }],
    ['a network printer without host', { kind: 'network', paperWidth: 80 }],
    ['port 0', { kind: 'network', host: 'printer', port: 0, paperWidth: 80 }],
    ['port 65536', { kind: 'network', host: 'printer', port: 65536, paperWidth: 80 }],
    ['a relative path', { kind: 'device', path: 'dev/usb/lp0', paperWidth: 80 }],
    ['a bare COM port name', { kind: 'device', path: 'COM3', paperWidth: 80 }],
    ['a path that climbs out', { kind: 'device', path: '/dev/../etc/passwd', paperWidth: 80 }],
    ['a device printer without path', { kind: 'device', paperWidth: 80 }],
    ['another paper width', { kind: 'system', paperWidth: 76 }],
    ['an unknown kind', { kind: 'bluetooth', paperWidth: 80 }],
    ['an unknown field', { kind: 'none', paperWidth: 80, baud: 9600 }],
  ])('refuses %s', (_name, printer) => {
    expect(PrinterConfigSchema.safeParse(printer).success).toBe(false)
  })

  it('reads a configuration file written before printing existed as one without a printer', () => {
    const { printer: _printer, ...older } = fakeDeviceInfo().config
    expect(DeviceConfigSchema.parse(older).printer).toEqual({ kind: 'none', paperWidth: 80 })
  })

  it('takes a printer in a configuration change, validated the same way', () => {
    expect(DeviceConfigPatchSchema.safeParse({ printer: { kind: 'network', host: '10.0.0.9', paperWidth: 80 } }).success).toBe(true)
    expect(DeviceConfigPatchSchema.safeParse({ printer: { kind: 'network', host: 'http://10.0.0.9', paperWidth: 80 } }).success).toBe(false)
  })
})

describe('a ticket sent to print', () => {
  it('accepts rows of width/8 bytes for every row, at 58 and 80 mm', () => {
    expect(PrintTicketInputSchema.safeParse({ width: 384, height: 3, rows: base64Of(48 * 3) }).success).toBe(true)
    expect(PrintTicketInputSchema.safeParse({ width: 576, height: 4000, rows: base64Of(72 * 4000) }).success).toBe(true)
  })

  it.each([
    ['a width no printer has', { width: 500, height: 1, rows: base64Of(63) }],
    ['rows one byte short', { width: 384, height: 3, rows: base64Of(48 * 3 - 1) }],
    ['rows one byte long', { width: 384, height: 3, rows: base64Of(48 * 3 + 1) }],
    ['a ticket taller than 4000 rows', { width: 384, height: 4001, rows: base64Of(48 * 4001) }],
    ['no rows', { width: 384, height: 0, rows: '' }],
    ['rows that are not base64', { width: 384, height: 1, rows: '*'.repeat(64) }],
  ])('refuses %s', (_name, input) => {
    expect(PrintTicketInputSchema.safeParse(input).success).toBe(false)
  })
})

describe("the ticket's QR", () => {
  it('names the ward, the day and the number', () => {
    expect(ticketQrText({ wardCode: '20242', day: '2026-03-15', label: 'A001' })).toBe('MCQ1:20242:2026-03-15:A001')
  })
})
