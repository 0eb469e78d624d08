import { TextDecoder } from 'node:util'
import { MAX_SERIAL_SCAN_BYTES, type ScannerConfig } from '../../../shared/contract/schemas'

/** Silence that ends a scan from a scanner that sends no suffix; scanners send a whole code in one burst. */
export const IDLE_GAP_MS = 50

interface ScanFramerEvents {
  readonly onScan: (text: string) => void
  /** Bytes that cannot come from a scanner at the right baud rate: invalid UTF-8 or stray control characters. */
  readonly onGarbage: (reason: string) => void
  readonly onTooLong: () => void
}

/*
 * Control characters a scanner legitimately sends: TAB, LF, CR, and the separators of ISO/IEC 15434 and
 * GS1 (EOT, FS, GS for FNC1, RS, US). Anything else in C0, DEL or C1 is what a UART at the wrong baud rate
 * produces (NUL for a break, bytes made of runs of 0 and 1 bits).
 */
const FOREIGN_CONTROL = /[\x00-\x03\x05-\x08\x0b\x0c\x0e-\x1b\x7f-\x9f]/
const LINE_END = /\r\n|\r|\n/
const BOM = '\ufeff'

/**
 * Turns the byte stream of a scanner in serial mode into scans. A scan ends with CR, LF or CRLF, or after
 * IDLE_GAP_MS of silence when the scanner is set to send no suffix. UTF-8 is decoded as a stream, so a
 * character split between two reads comes out whole.
 */
export class ScanFramer {
  private decoder = newDecoder()
  private pending = ''
  /** Set once the pending scan passed MAX_SERIAL_SCAN_BYTES: the rest of it is thrown away. */
  private tooLong = false
  private idleTimer: NodeJS.Timeout | undefined

  constructor(
    private readonly suffix: NonNullable<ScannerConfig['suffix']>,
    private readonly events: ScanFramerEvents,
  ) {}

  push(chunk: Uint8Array): void {
    let text: string
    try {
      text = this.decoder.decode(chunk, { stream: true })
    } catch {
      this.reset()
      this.events.onGarbage('invalid UTF-8')
      return
    }
    if (FOREIGN_CONTROL.test(text)) {
      this.reset()
      this.events.onGarbage('stray control characters')
      return
    }
    if (this.suffix === 'none') {
      this.append(text)
      clearTimeout(this.idleTimer)
      this.idleTimer = setTimeout(() => this.endScan(), IDLE_GAP_MS)
      return
    }
    const lines = text.split(LINE_END)
    this.append(lines[0]!)
    for (const line of lines.slice(1)) {
      this.endScan()
      this.append(line)
    }
  }

  /** Forgets the scan in progress, e.g. after a change of baud rate. */
  reset(): void {
    clearTimeout(this.idleTimer)
    this.decoder = newDecoder()
    this.pending = ''
    this.tooLong = false
  }

  private append(text: string): void {
    if (this.tooLong) return
    this.pending += text
    if (Buffer.byteLength(this.pending) > MAX_SERIAL_SCAN_BYTES) {
      this.tooLong = true
      this.pending = ''
    }
  }

  private endScan(): void {
    const scan = this.pending.startsWith(BOM) ? this.pending.slice(BOM.length) : this.pending
    const tooLong = this.tooLong
    this.pending = ''
    this.tooLong = false
    if (tooLong) this.events.onTooLong()
    // An empty scan is the LF of a CRLF split between two reads, or a blank line.
    else if (scan !== '') this.events.onScan(scan)
  }
}

// fatal: a wrong baud rate shows up as invalid UTF-8; ignoreBOM: the BOM is stripped per scan, not per stream.
function newDecoder(): TextDecoder {
  return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
}
