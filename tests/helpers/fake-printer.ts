import { createServer, type Socket } from 'node:net'
import sharp from 'sharp'
import type { MonochromeRaster } from '../../src/shared/printing/escpos'

/** A raw TCP receipt printer on 127.0.0.1: each connection's bytes, up to the sender's end of file, are one job. */
export interface FakePrinter {
  readonly port: number
  readonly jobs: readonly Buffer[]
  /** The next job not yet taken, once it has arrived whole. */
  nextJob(timeoutMs?: number): Promise<Buffer>
  close(): Promise<void>
}

/** stall: accepts connections and takes bytes but never finishes a job, like a printer out of paper. */
export async function startFakePrinter(options: { stall?: boolean } = {}): Promise<FakePrinter> {
  const jobs: Buffer[] = []
  const sockets = new Set<Socket>()
  let taken = 0
  const server = createServer({ allowHalfOpen: options.stall === true }, (socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
    const chunks: Buffer[] = []
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    if (options.stall) return
    socket.once('end', () => jobs.push(Buffer.concat(chunks)))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('fake printer has no TCP port')
  return {
    port: address.port,
    jobs,
    async nextJob(timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs
      while (jobs.length <= taken) {
        if (Date.now() > deadline) throw new Error(`the fake printer received no job within ${timeoutMs} ms`)
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      return jobs[taken++]!
    },
    async close() {
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

/** A TCP port on 127.0.0.1 where nothing listens: connections to it are refused. */
export async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

export interface PrintedTicket extends MonochromeRaster {
  /** The GS v 0 headers, in order, as [bytes across, rows]. */
  readonly bands: readonly (readonly [number, number])[]
  readonly initialised: boolean
  readonly cut: boolean
}

/** Reads back what a printer would print from an ESC/POS job made of ESC @, GS v 0, ESC d and GS V. */
export function decodeEscPosTicket(job: Uint8Array): PrintedTicket {
  const bands: [number, number][] = []
  const rows: Uint8Array[] = []
  let initialised = false
  let cut = false
  for (let at = 0; at < job.length; ) {
    const command = (length: number): number[] => [...job.subarray(at, at + length)]
    if (job[at] === 0x1b && job[at + 1] === 0x40) {
      initialised = true
      at += 2
    } else if (job[at] === 0x1d && job[at + 1] === 0x76 && job[at + 2] === 0x30) {
      const [, , , mode, xL, xH, yL, yH] = command(8) as [number, number, number, number, number, number, number, number]
      if (mode !== 0) throw new Error(`GS v 0 in mode ${mode}`)
      const across = xL + 256 * xH
      const down = yL + 256 * yH
      bands.push([across, down])
      rows.push(job.subarray(at + 8, at + 8 + across * down))
      at += 8 + across * down
    } else if (job[at] === 0x1b && job[at + 1] === 0x64) {
      at += 3
    } else if (job[at] === 0x1d && job[at + 1] === 0x56) {
      cut = true
      at += 3
    } else {
      throw new Error(`unexpected ESC/POS bytes at ${at}: ${command(4).join(' ')}`)
    }
  }
  const across = bands[0]?.[0] ?? 0
  if (bands.some(([bandAcross]) => bandAcross !== across)) throw new Error('bands of different widths')
  return { width: across * 8, height: bands.reduce((total, [, down]) => total + down, 0), rows: Buffer.concat(rows), bands, initialised, cut }
}

/** The printed ticket as a PNG: black dots on white, one pixel per dot. */
export function rasterToPng(raster: MonochromeRaster): Promise<Buffer> {
  const stride = Math.ceil(raster.width / 8)
  const pixels = Buffer.alloc(raster.width * raster.height, 255)
  for (let y = 0; y < raster.height; y++) {
    for (let x = 0; x < raster.width; x++) if (raster.rows[y * stride + (x >> 3)]! & (0x80 >> (x & 7))) pixels[y * raster.width + x] = 0
  }
  return sharp(pixels, { raw: { width: raster.width, height: raster.height, channels: 1 } }).png().toBuffer()
}
