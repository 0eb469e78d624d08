import { stat } from 'node:fs/promises'
import { SerialPort } from 'serialport'
import { MAX_SERIAL_SCAN_BYTES, type ScannerConfig, type ScannerStatus, type ScanReceived } from '../../../shared/contract/schemas'
import { IDLE_GAP_MS, ScanFramer } from './scan-framer'

type PortInfo = Awaited<ReturnType<typeof SerialPort.list>>[number]

/** USB vendor ids of scanner makers, in lower-case hex as SerialPort.list reports them. */
const SCANNER_VENDOR_IDS: ReadonlyMap<string, string> = new Map([
  ['0c2e', 'Honeywell'],
  ['05e0', 'Zebra (Symbol)'],
  ['05f9', 'Datalogic'],
  ['1eab', 'Newland'],
])

const DEFAULT_BAUD_RATE = 9600
/** The other factory settings of common scanners, tried in this order while the bytes come out garbled. */
const FALLBACK_BAUD_RATES = [115_200, 38_400, 19_200]
/** Ports come and go with USB plugs; re-listing this often reopens a scanner within seconds of plugging it back. */
const RELIST_INTERVAL_MS = 2000

/**
 * The port most likely to be a scanner: a known scanner maker's, then a CDC-ACM device (ttyACM*, macOS
 * usbmodem*: how most scanners present "USB-COM"), then another USB serial adapter. Built-in UARTs (no USB
 * vendor id) and ports other devices use (the ticket printer's) are never picked.
 */
export function choosePort(ports: readonly PortInfo[], reservedPaths: readonly string[]): string | undefined {
  const rank = (port: PortInfo): number => {
    if (port.vendorId !== undefined && SCANNER_VENDOR_IDS.has(port.vendorId.toLowerCase())) return 3
    if (/ttyACM\d+$|usbmodem/i.test(port.path)) return 2
    return port.vendorId !== undefined ? 1 : 0
  }
  const candidates = ports.filter((port) => rank(port) > 0 && !reservedPaths.includes(port.path))
  return candidates.sort((a, b) => rank(b) - rank(a) || a.path.localeCompare(b.path))[0]?.path
}

interface ScannerSettings {
  readonly scanner: ScannerConfig
  /** Ports other devices use (the ticket printer's): never opened as a scanner. */
  readonly reservedPaths: readonly string[]
}

interface SerialScannerWatcherOptions {
  /** Read on every re-list, so that a technician's change applies within RELIST_INTERVAL_MS. */
  readonly settings: () => Promise<ScannerSettings>
  readonly onScan: (scan: ScanReceived) => void
  readonly log: (line: string) => void
}

interface ScannerSetup {
  readonly path: string
  /** The configured rate (or 9600) first, then the fallbacks. */
  readonly baudRates: readonly number[]
  readonly suffix: NonNullable<ScannerConfig['suffix']>
}

/**
 * Watches for a handheld scanner in serial (USB-COM) mode: opens the configured port or the likeliest USB
 * one, hands each scan to onScan, closes the port when it is unplugged or fails and reopens it when it is
 * back. Port errors end up in the status and the log, never as exceptions.
 */
export class SerialScannerWatcher {
  private connection: ScannerConnection | undefined
  private status: ScannerStatus = { state: 'none' }
  private timer: NodeJS.Timeout | undefined
  private ticking = false
  private stopped = false

  constructor(private readonly options: SerialScannerWatcherOptions) {}

  start(): void {
    void this.tick()
    // Unref'd: an idle watcher must not keep a process alive; an open port does that while it is open.
    this.timer = setInterval(() => void this.tick(), RELIST_INTERVAL_MS).unref()
  }

  getStatus(): ScannerStatus {
    return this.status
  }

  async stop(): Promise<void> {
    this.stopped = true
    clearInterval(this.timer)
    await this.closeConnection()
  }

  private async tick(): Promise<void> {
    if (this.ticking || this.stopped) return
    this.ticking = true
    try {
      const wanted = await this.wantedSetup()
      if (this.connection !== undefined && (!('setup' in wanted) || !sameSetup(this.connection.setup, wanted.setup))) await this.closeConnection()
      if (!('setup' in wanted)) this.setStatus({ state: 'none', message: wanted.absent })
      else if (this.connection === undefined) await this.open(wanted.setup)
    } catch (error) {
      this.setStatus({ state: 'error', message: `Cannot look for a serial scanner: ${messageOf(error)}` })
    } finally {
      this.ticking = false
    }
  }

  private async wantedSetup(): Promise<{ setup: ScannerSetup } | { absent: string }> {
    const { scanner, reservedPaths } = await this.options.settings()
    const ports = await SerialPort.list()
    const path = scanner.port ?? choosePort(ports, reservedPaths)
    if (path === undefined) return { absent: 'No USB serial scanner found' }
    // A configured path may be a symlink (/dev/serial/by-id/..., a pseudo-terminal) that SerialPort.list does not show.
    const present = ports.some((port) => port.path === path) || (await stat(path).then(() => true, () => false))
    if (!present) return { absent: `Port ${path} is not present` }
    const first = scanner.baudRate ?? DEFAULT_BAUD_RATE
    const baudRates = [first, ...[DEFAULT_BAUD_RATE, ...FALLBACK_BAUD_RATES].filter((rate) => rate !== first)]
    return { setup: { path, baudRates, suffix: scanner.suffix ?? 'newline' } }
  }

  private async open(setup: ScannerSetup): Promise<void> {
    try {
      const connection = await ScannerConnection.open(setup, {
        onScan: (text) => this.options.onScan({ text, source: 'serial', port: setup.path }),
        onStatus: (status) => this.setStatus(status),
        onClosed: (status) => {
          if (this.connection === connection) this.connection = undefined
          this.setStatus(status)
        },
        log: this.options.log,
      })
      this.connection = connection
      if (this.stopped) await this.closeConnection()
      else this.setStatus({ state: 'connected', port: setup.path, baudRate: connection.baudRate })
    } catch (error) {
      const hint = /permission denied/i.test(messageOf(error)) ? ' (on Linux the user must be in the dialout group)' : ''
      this.setStatus({ state: 'error', port: setup.path, message: `Cannot open ${setup.path}: ${messageOf(error)}${hint}` })
    }
  }

  private async closeConnection(): Promise<void> {
    const connection = this.connection
    this.connection = undefined
    await connection?.close()
  }

  /** Logs changes only: a missing scanner must not write a line every two seconds. */
  private setStatus(status: ScannerStatus): void {
    if (JSON.stringify(status) === JSON.stringify(this.status)) return
    this.status = status
    this.options.log(`Serial scanner: ${status.state}${status.port ? ` on ${status.port}` : ''}${status.baudRate ? ` at ${status.baudRate} baud` : ''}${status.message ? ` (${status.message})` : ''}`)
  }
}

interface ConnectionHooks {
  readonly onScan: (text: string) => void
  readonly onStatus: (status: ScannerStatus) => void
  /** The port closed by itself: unplugged or failed. */
  readonly onClosed: (status: ScannerStatus) => void
  readonly log: (line: string) => void
}

/**
 * One open scanner port. The baud rate heuristic: a scanner sends printable UTF-8 ended by CR/LF, while a
 * UART at the wrong rate turns every byte into invalid UTF-8 or control characters (ScanFramer's garbage).
 * Until a scan has come through, garbage moves the port to the next rate of setup.baudRates (round and
 * round; after a whole round the status says so). Once a scan has come through, the rate is right and
 * garbage only drops the scan it spoiled. After garbage, bytes are thrown away until the line has been
 * quiet for IDLE_GAP_MS, so the tail of the spoiled scan never comes out as a scan of its own.
 */
class ScannerConnection {
  private baudIndex = 0
  private confirmed = false
  private closing = false
  private resyncTimer: NodeJS.Timeout | undefined
  private failure: string | undefined
  private readonly framer: ScanFramer

  private constructor(
    readonly setup: ScannerSetup,
    private readonly port: SerialPort,
    private readonly hooks: ConnectionHooks,
  ) {
    this.framer = new ScanFramer(setup.suffix, {
      onScan: (text) => this.deliver(text),
      onGarbage: (reason) => this.onGarbage(reason),
      onTooLong: () => hooks.log(`Dropped a scan longer than ${MAX_SERIAL_SCAN_BYTES} bytes from ${setup.path}`),
    })
    port.on('data', (chunk: Buffer) => this.receive(chunk))
    port.on('error', (error: Error) => {
      this.failure = error.message
      if (port.isOpen) port.close()
    })
    port.on('close', () => {
      this.stopTimers()
      if (this.closing) return
      hooks.onClosed(
        this.failure === undefined
          ? { state: 'none', port: setup.path, message: 'The scanner was disconnected' }
          : { state: 'error', port: setup.path, message: `The scanner port failed: ${this.failure}` },
      )
    })
  }

  static open(setup: ScannerSetup, hooks: ConnectionHooks): Promise<ScannerConnection> {
    return new Promise((resolve, reject) => {
      const port = new SerialPort({ path: setup.path, baudRate: setup.baudRates[0]!, autoOpen: false })
      port.open((error) => (error ? reject(error) : resolve(new ScannerConnection(setup, port, hooks))))
    })
  }

  get baudRate(): number {
    return this.setup.baudRates[this.baudIndex]!
  }

  close(): Promise<void> {
    this.closing = true
    this.stopTimers()
    if (!this.port.isOpen) return Promise.resolve()
    return new Promise((resolve) => this.port.close(() => resolve()))
  }

  private receive(chunk: Buffer): void {
    try {
      if (this.resyncTimer !== undefined) this.resyncTimer.refresh()
      else this.framer.push(chunk)
    } catch (error) {
      this.hooks.log(`Serial scanner on ${this.setup.path}: ${messageOf(error)}`)
    }
  }

  private deliver(text: string): void {
    if (!this.confirmed) this.hooks.onStatus({ state: 'connected', port: this.setup.path, baudRate: this.baudRate })
    this.confirmed = true
    this.hooks.onScan(text)
  }

  private onGarbage(reason: string): void {
    this.resyncTimer = setTimeout(() => {
      this.resyncTimer = undefined
      this.framer.reset()
    }, IDLE_GAP_MS)
    if (this.confirmed) {
      this.hooks.log(`Dropped unreadable bytes from ${this.setup.path} (${reason})`)
      return
    }
    this.baudIndex = (this.baudIndex + 1) % this.setup.baudRates.length
    const baudRate = this.baudRate
    this.port.update({ baudRate }, (error) => {
      if (error) this.hooks.log(`Cannot set ${this.setup.path} to ${baudRate} baud: ${error.message}`)
    })
    this.hooks.onStatus(
      this.baudIndex === 0
        ? { state: 'error', port: this.setup.path, baudRate, message: `Unreadable data at ${this.setup.baudRates.join(', ')} baud: set the scanner's baud rate in the configuration` }
        : { state: 'connected', port: this.setup.path, baudRate, message: `Trying ${baudRate} baud: the data at the previous rate were garbled (${reason})` },
    )
  }

  private stopTimers(): void {
    clearTimeout(this.resyncTimer)
    this.resyncTimer = undefined
    this.framer.reset()
  }
}

function sameSetup(a: ScannerSetup, b: ScannerSetup): boolean {
  return a.path === b.path && a.suffix === b.suffix && a.baudRates[0] === b.baudRates[0]
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
