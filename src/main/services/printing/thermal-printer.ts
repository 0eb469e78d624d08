import { constants } from 'node:fs'
import { open } from 'node:fs/promises'
import { connect } from 'node:net'
import { MotcuaError } from '../../../shared/contract/dispatch'
import { DEFAULT_PRINTER_PORT, type PrinterConfig } from '../../../shared/contract/schemas'
import { encodeEscPosTicket, PAPER_DOTS, type MonochromeRaster } from '../../../shared/printing/escpos'

export interface PrintTimeouts {
  readonly connectMs: number
  /** Longest silence while sending, or while waiting for the printer to close after the last byte. */
  readonly writeMs: number
}

const DEFAULT_TIMEOUTS: PrintTimeouts = { connectMs: 3_000, writeMs: 10_000 }

/**
 * Sends bytes to a raw TCP printer. Done when the printer closes its side after our end of file,
 * so a printer that stops taking paper (out of paper, cover open) is reported, not assumed printed.
 */
export function sendToNetworkPrinter(host: string, port: number, bytes: Uint8Array, timeouts: PrintTimeouts = DEFAULT_TIMEOUTS): Promise<void> {
  const where = `Network printer ${host}:${port}`
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port })
    const fail = (reason: string): void => {
      socket.destroy()
      reject(new MotcuaError('unavailable', `${where}: ${reason}`))
    }
    const connectTimer = setTimeout(() => fail(`no connection within ${timeouts.connectMs} ms`), timeouts.connectMs)
    socket.once('connect', () => {
      clearTimeout(connectTimer)
      socket.setTimeout(timeouts.writeMs, () => fail(`no progress for ${timeouts.writeMs} ms`))
      socket.end(bytes)
    })
    // Printers may answer with status bytes: read and drop them so the connection keeps flowing.
    socket.on('data', () => undefined)
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(connectTimer)
      fail(error.code === 'ECONNREFUSED' ? 'connection refused' : error.code ?? error.message)
    })
    socket.once('close', (hadError) => {
      clearTimeout(connectTimer)
      if (!hadError && socket.writableFinished) resolve()
      else fail('connection closed before the ticket was sent')
    })
  })
}

/**
 * Writes bytes to a printer's device node or serial port. Opened without O_CREAT: a wrong path must
 * fail, not quietly become a file. A write that hangs (printer offline) is abandoned at the timeout.
 */
export async function sendToDevicePrinter(path: string, bytes: Uint8Array, timeoutMs: number = DEFAULT_TIMEOUTS.writeMs): Promise<void> {
  const where = `Printer device ${path}`
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new MotcuaError('unavailable', `${where}: no progress for ${timeoutMs} ms`)), timeoutMs)
  })
  const write = (async () => {
    const handle = await open(path, constants.O_WRONLY)
    try {
      await handle.writeFile(bytes)
    } finally {
      await handle.close()
    }
  })().catch((error: NodeJS.ErrnoException) => {
    throw new MotcuaError('unavailable', `${where}: ${error.code ?? error.message}`)
  })
  try {
    await Promise.race([write, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * The ticket printer of this device. Jobs go one at a time: a receipt printer takes one connection,
 * and two tickets taken in quick succession must come out whole, one after the other.
 */
export class TicketPrinter {
  private queue: Promise<unknown> = Promise.resolve()

  constructor(private readonly timeouts: PrintTimeouts = DEFAULT_TIMEOUTS) {}

  print(printer: PrinterConfig, raster: MonochromeRaster): Promise<'network' | 'device' | 'none'> {
    const job = this.queue.then(() => this.send(printer, raster))
    this.queue = job.catch(() => undefined)
    return job
  }

  private async send(printer: PrinterConfig, raster: MonochromeRaster): Promise<'network' | 'device' | 'none'> {
    // The system printer is driven by the screen itself.
    if (printer.kind === 'none' || printer.kind === 'system') return 'none'
    const dots = PAPER_DOTS[printer.paperWidth]
    if (raster.width !== dots) throw new MotcuaError('invalidInput', `Ticket is ${raster.width} dots wide; the ${printer.paperWidth} mm printer takes ${dots}`)
    const bytes = encodeEscPosTicket(raster)
    if (printer.kind === 'network') {
      await sendToNetworkPrinter(printer.host!, printer.port ?? DEFAULT_PRINTER_PORT, bytes, this.timeouts)
      return 'network'
    }
    await sendToDevicePrinter(printer.path!, bytes, this.timeouts.writeMs)
    return 'device'
  }
}
