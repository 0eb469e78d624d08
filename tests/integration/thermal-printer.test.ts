import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createServices, type Services } from '../../src/main/services'
import { sendToDevicePrinter, sendToNetworkPrinter, TicketPrinter } from '../../src/main/services/printing/thermal-printer'
import { dispatch, MotcuaError } from '../../src/shared/contract/dispatch'
import type { PrinterConfig } from '../../src/shared/contract/schemas'
import type { MonochromeRaster } from '../../src/shared/printing/escpos'
import { PROJECT_ROOT } from '../helpers/browser-mode-host'
import { closedPort, decodeEscPosTicket, startFakePrinter, type FakePrinter } from '../helpers/fake-printer'

/** A ticket-sized picture with a recognisable pattern: row y, byte x holds (x + 3y) mod 256. */
function ticketRaster(width: 384 | 576, height: number): MonochromeRaster {
  const across = width / 8
  return { width, height, rows: Uint8Array.from({ length: across * height }, (_unused, index) => (index % across) + 3 * Math.floor(index / across)) }
}

const networkPrinter = (port: number, paperWidth: 58 | 80 = 80): PrinterConfig => ({ kind: 'network', host: '127.0.0.1', port, paperWidth })

let printers: FakePrinter[] = []
async function fakePrinter(options?: { stall?: boolean }): Promise<FakePrinter> {
  const printer = await startFakePrinter(options)
  printers.push(printer)
  return printer
}
afterEach(async () => {
  await Promise.all(printers.map((printer) => printer.close()))
  printers = []
})

describe('printing a ticket on a network thermal printer', () => {
  it('sends ESC @, the raster in GS v 0 bands of the right size, a feed and a partial cut', async () => {
    const printer = await fakePrinter()
    const raster = ticketRaster(576, 700)
    expect(await new TicketPrinter().print(networkPrinter(printer.port), raster)).toBe('network')
    const job = await printer.nextJob()
    expect([...job.subarray(0, 2)]).toEqual([0x1b, 0x40])
    expect([...job.subarray(2, 10)]).toEqual([0x1d, 0x76, 0x30, 0x00, 72, 0, 255, 0])
    expect([...job.subarray(-3)]).toEqual([0x1d, 0x56, 0x01])
    const printed = decodeEscPosTicket(job)
    expect(printed.bands).toEqual([[72, 255], [72, 255], [72, 190]])
    expect({ width: printed.width, height: printed.height, rows: new Uint8Array(printed.rows) }).toEqual(raster)
    expect(printed).toMatchObject({ initialised: true, cut: true })
  })

  it('prints tickets taken in quick succession one after the other, each whole', async () => {
    const printer = await fakePrinter()
    const ticketPrinter = new TicketPrinter()
    const first = ticketRaster(384, 300)
    const second = ticketRaster(384, 20)
    await Promise.all([ticketPrinter.print(networkPrinter(printer.port, 58), first), ticketPrinter.print(networkPrinter(printer.port, 58), second)])
    expect(decodeEscPosTicket(await printer.nextJob()).height).toBe(300)
    expect(decodeEscPosTicket(await printer.nextJob()).height).toBe(20)
  })

  it('reports a refused connection as unavailable', async () => {
    const port = await closedPort()
    const failure = new TicketPrinter().print(networkPrinter(port), ticketRaster(576, 10))
    await expect(failure).rejects.toBeInstanceOf(MotcuaError)
    await expect(failure).rejects.toMatchObject({ code: 'unavailable', message: `Network printer 127.0.0.1:${port}: connection refused` })
  })

  it('gives up on a printer that takes the bytes but never finishes the job (out of paper)', async () => {
    const printer = await fakePrinter({ stall: true })
    const started = Date.now()
    const failure = sendToNetworkPrinter('127.0.0.1', printer.port, new Uint8Array(100), { connectMs: 1_000, writeMs: 300 })
    await expect(failure).rejects.toMatchObject({ code: 'unavailable', message: expect.stringContaining('no progress for 300 ms') })
    expect(Date.now() - started).toBeLessThan(5_000)
  })

  it('refuses a picture of the wrong width for the paper', async () => {
    const printer = await fakePrinter()
    await expect(new TicketPrinter().print(networkPrinter(printer.port, 58), ticketRaster(576, 10))).rejects.toMatchObject({ code: 'invalidInput' })
    expect(printer.jobs).toHaveLength(0)
  })
})

describe('printing a ticket on a device path', () => {
  it('writes the job to the device', async () => {
    const device = join(mkdtempSync(join(tmpdir(), 'motcua-lp-')), 'lp0')
    writeFileSync(device, '')
    expect(await new TicketPrinter().print({ kind: 'device', path: device, paperWidth: 58 }, ticketRaster(384, 5))).toBe('device')
    expect(decodeEscPosTicket(readFileSync(device)).height).toBe(5)
  })

  it('never creates a file where no device is', async () => {
    const missing = join(mkdtempSync(join(tmpdir(), 'motcua-lp-')), 'lp9')
    await expect(sendToDevicePrinter(missing, new Uint8Array(4))).rejects.toMatchObject({ code: 'unavailable', message: `Printer device ${missing}: ENOENT` })
    expect(() => readFileSync(missing)).toThrow()
  })
})

describe('the printTicket operation', () => {
  let services: Services
  beforeAll(async () => {
    services = await createServices({ dataDir: mkdtempSync(join(tmpdir(), 'motcua-print-')), resourcesDir: join(PROJECT_ROOT, 'resources'), appVersion: '0.0.0', runtime: 'cli', log: () => undefined })
  })
  const printTicket = (input: unknown) => dispatch(services.handlers, 'printTicket', input)
  const rowsOf = (raster: MonochromeRaster): string => Buffer.from(raster.rows).toString('base64')

  it('prints nothing, and says so, on a device without a thermal printer', async () => {
    expect(await printTicket({ width: 576, height: 10, rows: rowsOf(ticketRaster(576, 10)) })).toEqual({ ok: true, value: { printer: 'none' } })
  })

  it('wraps the rows in ESC/POS for the configured network printer', async () => {
    const printer = await fakePrinter()
    await services.handlers.updateDeviceConfig({ printer: networkPrinter(printer.port) })
    const raster = ticketRaster(576, 40)
    expect(await printTicket({ width: 576, height: 40, rows: rowsOf(raster) })).toEqual({ ok: true, value: { printer: 'network' } })
    expect(new Uint8Array(decodeEscPosTicket(await printer.nextJob()).rows)).toEqual(raster.rows)
  })

  it.each([
    ['rows shorter than width × height', { width: 576, height: 40, rows: Buffer.alloc(72 * 39).toString('base64') }],
    ['a width for no paper', { width: 512, height: 1, rows: Buffer.alloc(64).toString('base64') }],
    ['more than 4000 rows', { width: 384, height: 4001, rows: Buffer.alloc(48 * 4001).toString('base64') }],
    ['rows that are not base64', { width: 384, height: 1, rows: '!'.repeat(64) }],
  ])('refuses %s before anything reaches the printer', async (_name, input) => {
    const printer = await fakePrinter()
    await services.handlers.updateDeviceConfig({ printer: networkPrinter(printer.port) })
    expect(await printTicket(input)).toMatchObject({ ok: false, error: { code: 'invalidInput' } })
    expect(printer.jobs).toHaveLength(0)
  })

  it('answers unavailable, in English, when the printer cannot be reached', async () => {
    const port = await closedPort()
    await services.handlers.updateDeviceConfig({ printer: networkPrinter(port) })
    expect(await printTicket({ width: 576, height: 1, rows: Buffer.alloc(72).toString('base64') })).toEqual({
      ok: false,
      error: { code: 'unavailable', message: `Network printer 127.0.0.1:${port}: connection refused` },
    })
  })
})
