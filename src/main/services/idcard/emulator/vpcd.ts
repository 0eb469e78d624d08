import { Socket } from 'node:net'
import type { CardEmulator } from './card-emulator'

/**
 * Puts the emulated card into pcscd through vsmartcard's virtual reader driver (vpcd). The driver listens on a TCP
 * port (35963 for "Virtual PCD 00 00"); the card connects to it, and while it stays connected pcscd sees a card in
 * that reader. Every message either way is a 2-byte big-endian length and a payload. A 1-byte payload from the
 * reader is a control code (power off, power on, reset: no answer; get ATR: answer the ATR); a longer one is a
 * command APDU, answered with the response APDU.
 */

export const VPCD_DEFAULT_PORT = 35963

const CONTROL = { powerOff: 0, powerOn: 1, reset: 2, getAtr: 4 } as const
const LENGTH_BYTES = 2

/**
 * PC/SC part 3's ATR for a contactless ISO 14443-4 type A card without historical bytes, as a PC/SC contactless
 * reader builds it for a chip ID card: TS 3B, T0 80 (TD1 follows, no historical bytes), TD1 80 (TD2 follows,
 * T=0 indicated), TD2 01 (T=1), TCK 01 (the XOR of T0 to TD2).
 */
export const CONTACTLESS_ATR = Buffer.from('3B80800101', 'hex')

export type VpcdCardState = 'connecting' | 'inserted' | 'removed'

export interface VpcdCardOptions {
  host?: string
  port?: number
  /** Called on every change: 'inserted' once vpcd has accepted the connection, 'removed' when it is gone. */
  onState?: (state: VpcdCardState, detail?: string) => void
}

export interface VpcdCard {
  /** Resolves once connected: the card is then in the reader. Rejects when vpcd is not listening. */
  readonly inserted: Promise<void>
  /** Takes the card out of the reader. */
  remove(): Promise<void>
}

function frame(payload: Uint8Array): Buffer {
  const length = Buffer.alloc(LENGTH_BYTES)
  length.writeUInt16BE(payload.length)
  return Buffer.concat([length, payload])
}

/** Connects the emulator to vpcd: the card is inserted while the connection lasts. */
export function insertIntoVpcd(card: CardEmulator, options: VpcdCardOptions = {}): VpcdCard {
  const socket = new Socket()
  let pending = Buffer.alloc(0)
  const report = options.onState ?? (() => undefined)

  const answer = (payload: Buffer): void => {
    if (payload.length === 1) {
      const code = payload[0]
      if (code === CONTROL.getAtr) socket.write(frame(CONTACTLESS_ATR))
      // Power off, on and reset all leave the card as a fresh power-up does; vpcd expects no answer.
      else if (code === CONTROL.powerOff || code === CONTROL.powerOn || code === CONTROL.reset) card.reset()
      return
    }
    socket.write(frame(card.transmit(payload)))
  }

  socket.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk])
    while (pending.length >= LENGTH_BYTES) {
      const length = pending.readUInt16BE(0)
      if (pending.length < LENGTH_BYTES + length) return
      answer(pending.subarray(LENGTH_BYTES, LENGTH_BYTES + length))
      pending = pending.subarray(LENGTH_BYTES + length)
    }
  })

  const inserted = new Promise<void>((resolve, reject) => {
    socket.once('connect', () => {
      report('inserted')
      resolve()
    })
    socket.once('error', (error) => {
      report('removed', error.message)
      reject(error)
    })
  })
  // An error after the connection was made (vpcd gone) is reported through 'close'.
  inserted.catch(() => undefined)
  socket.on('close', () => report('removed'))
  // Small frames both ways, one at a time: without this Nagle's algorithm holds each answer back ~40 ms.
  socket.setNoDelay(true)
  report('connecting')
  socket.connect(options.port ?? VPCD_DEFAULT_PORT, options.host ?? '127.0.0.1')

  return {
    inserted,
    remove: () =>
      new Promise<void>((resolve) => {
        if (socket.destroyed) return resolve()
        socket.once('close', () => resolve())
        socket.destroy()
      }),
  }
}
