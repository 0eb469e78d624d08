import type { Card, Client, Err, Reader, ReaderStatusFlags } from 'pcsc-mini'
import { isExtendedApdu } from './icao/apdu'
import { IcaoError } from './icao/errors'
import { CardReadError, type CardChannel } from './reader'

/**
 * Card readers through PC/SC (pcscd on Linux, winscard on Windows) with pcsc-mini: which readers there are, cards
 * put on and taken off them, and a CardChannel over a connected card. A missing daemon or library is a state to
 * report, never a crash: the watcher keeps trying, so a kiosk whose pcscd starts later still finds its reader.
 */

/** 'noService': pcscd is not running (or not reachable); 'noLibrary': libpcsclite (or pcsc-mini's binding) did not load. */
export type PcscServiceState = 'starting' | 'running' | 'noService' | 'noLibrary'

export interface ReaderPresence {
  readonly name: string
  readonly cardPresent: boolean
}

export interface PcscPresence {
  readonly service: PcscServiceState
  readonly readers: ReaderPresence[]
}

/** 'busy': another program holds the card (PC/SC sharing violation). */
export type PcscErrorCode = 'pcscUnavailable' | 'noReader' | 'noCard' | 'busy'

export class PcscError extends IcaoError<PcscErrorCode> {}

export type CardProtocol = 'T0' | 'T1' | 'any'

export interface ConnectedCard extends CardChannel {
  readonly readerName: string
  readonly atr: Buffer
  readonly protocol: CardProtocol
  disconnect(): Promise<void>
}

export interface PcscReadersOptions {
  readonly log: (line: string) => void
  /** Every change of the service state, a reader or a card, with the whole picture after it. */
  readonly onChange?: (presence: PcscPresence) => void
  /** How often to try again while pcscd is not running. */
  readonly retryMs?: number
}

type PcscModule = typeof import('pcsc-mini')

const DEFAULT_RETRY_MS = 2000
// pcsc-mini's error codes (its names for the SCARD_* values).
const CARD_GONE = new Set(['RemovedCard', 'NoSmartCard', 'ResetCard', 'UnpoweredCard'])
const READER_GONE = new Set(['ReaderUnavailable', 'UnknownReader', 'NoReadersAvailable', 'NoService', 'ServiceStopped'])
// What readers answer to an APDU they cannot pass (SCardTransmit 0x80100016 and the like), rather than a status word.
const NOT_PASSED = new Set(['NotTransacted', 'InsufficientBuffer', 'CommError'])
/** How long pcscd may take to notice that a card or reader has gone after a transmission failed because of it. */
const CARD_LEFT_GRACE_MS = 1500
/** The status word a card gives to an APDU whose length it refuses: reader.ts then goes back to short APDUs. */
const WRONG_LENGTH = Buffer.from('6700', 'hex')

function errorCode(error: unknown): string {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as Err).code) : ''
}

/** PC/SC's answer to a card operation, as the reading procedure's errors. */
function translateCardError(error: unknown, readerName: string): unknown {
  const code = errorCode(error)
  if (CARD_GONE.has(code)) return new CardReadError('cardRemoved', `the card left ${readerName} (${code})`, { cause: error })
  if (READER_GONE.has(code)) return new CardReadError('readerUnplugged', `${readerName} is gone (${code})`, { cause: error })
  if (code === 'UnresponsiveCard' || code === 'UnsupportedCard' || code === 'InvalidAtr') {
    return new CardReadError('unsupportedCard', `the card on ${readerName} does not answer as a processor card (${code})`, { cause: error })
  }
  return error
}

/** Connecting, nothing raw escapes: an untranslated error would end the read as an unexplained rejection. */
export function translateConnectError(error: unknown, readerName: string): CardReadError | PcscError {
  const translated = translateCardError(error, readerName)
  if (translated instanceof CardReadError) return translated
  const code = errorCode(error)
  if (code === 'SharingViolation') return new PcscError('busy', `another program holds the card on ${readerName}`, { cause: error })
  if (code === 'Timeout') return new CardReadError('timeout', `connecting to the card on ${readerName} timed out`, { cause: error })
  return new CardReadError('readFailed', `connecting to the card on ${readerName} failed (${code || String(error)})`, { cause: error })
}

export class PcscReaders {
  private pcsc: PcscModule | undefined
  private client: Client | undefined
  private service: PcscServiceState = 'starting'
  private readonly presence = new Map<string, boolean>()
  /** waitForCard's checks, run after every change. */
  private readonly waiters = new Set<() => void>()
  private retryTimer: NodeJS.Timeout | undefined
  private stopped = false

  constructor(private readonly options: PcscReadersOptions) {}

  /** Resolves after the first attempt to reach PC/SC, whatever its outcome (see `snapshot().service`). */
  async start(): Promise<void> {
    try {
      this.pcsc ??= await import('pcsc-mini')
    } catch (error) {
      this.options.log(`PC/SC library did not load (is libpcsclite1 installed?): ${String(error)}`)
      this.setService('noLibrary')
      return
    }
    this.connectClient()
  }

  stop(): void {
    this.stopped = true
    clearTimeout(this.retryTimer)
    this.stopClient()
  }

  snapshot(): PcscPresence {
    return { service: this.service, readers: [...this.presence].map(([name, cardPresent]) => ({ name, cardPresent })) }
  }

  /**
   * The name of a reader with a card on it (the given reader, or the first one to have a card), waiting up to
   * `timeoutMs` for one: readers report themselves just after the client starts, and a resident may plug the reader
   * back in. At the timeout, the most specific reason: no PC/SC, no reader, or no card; 'cancelled' once `signal` aborts.
   */
  async waitForCard(readerName: string | undefined, timeoutMs: number, signal?: AbortSignal): Promise<string> {
    const withCard = (): string | undefined =>
      [...this.presence].find(([name, cardPresent]) => cardPresent && (readerName === undefined || name === readerName))?.[0]
    const name = await this.waitFor(withCard, timeoutMs, signal)
    if (signal?.aborted) throw new CardReadError('cancelled', 'the read was cancelled while waiting for a card')
    if (name === undefined) throw this.whyNoCard(readerName, timeoutMs)
    return name
  }

  /** Connects to the card on `readerName` exclusively, so that no other program resets it mid-read. */
  async connect(readerName: string, protocol: CardProtocol = 'any'): Promise<ConnectedCard> {
    const pcsc = this.pcsc
    const reader = this.client?.reader(readerName)
    if (!pcsc || !reader) throw new PcscError('noReader', `no reader named ${readerName}`)
    const wanted = protocol === 'T0' ? pcsc.Protocol.T0 : protocol === 'T1' ? pcsc.Protocol.T1 : pcsc.Protocol.ANY
    let card: Card
    try {
      card = await reader.connect(pcsc.CardMode.EXCLUSIVE, wanted)
    } catch (error) {
      throw translateConnectError(error, readerName)
    }
    let state: Awaited<ReturnType<Card['state']>>
    try {
      state = await card.state()
    } catch (error) {
      // Nobody else holds this card handle: let go of the card, or the reader stays claimed until the process ends.
      await card.disconnect(pcsc.CardDisposition.RESET).catch(() => undefined)
      throw translateConnectError(error, readerName)
    }
    const active = card.protocol() === pcsc.Protocol.T0 ? 'T0' : card.protocol() === pcsc.Protocol.T1 ? 'T1' : 'any'
    return {
      readerName,
      atr: Buffer.from(state.atr),
      protocol: active,
      transmit: async (apdu) => {
        try {
          return Buffer.from(await card.transmit(apdu))
        } catch (error) {
          if (isExtendedApdu(apdu) && NOT_PASSED.has(errorCode(error))) return Buffer.from(WRONG_LENGTH)
          const translated = translateCardError(error, readerName)
          if (translated instanceof CardReadError) throw translated
          // A card taken away mid-APDU can surface as a plain transmission failure (vpcd: NotTransacted), before
          // pcscd has noticed that it is gone: wait for the reader to say so.
          const left = await this.cardLeft(readerName)
          throw left === 'card' ? new CardReadError('cardRemoved', `the card left ${readerName}`, { cause: error }) : left === 'reader' ? new CardReadError('readerUnplugged', `${readerName} is gone`, { cause: error }) : error
        }
      },
      // Reset on the way out: the card forgets the session, as when it is taken off the reader.
      disconnect: () => card.disconnect(pcsc.CardDisposition.RESET).catch(() => undefined),
    }
  }

  /** Whether the card or the reader goes within CARD_LEFT_GRACE_MS: what a failed transmission was about. */
  private cardLeft(readerName: string): Promise<'card' | 'reader' | undefined> {
    return this.waitFor(() => (!this.presence.has(readerName) ? 'reader' : this.presence.get(readerName) ? undefined : 'card'), CARD_LEFT_GRACE_MS)
  }

  /** The first defined answer of `probe`, checked now and after every change; undefined after `timeoutMs` or on abort. */
  private waitFor<T>(probe: () => T | undefined, timeoutMs: number, signal?: AbortSignal): Promise<T | undefined> {
    const now = probe()
    if (now !== undefined || signal?.aborted) return Promise.resolve(now)
    return new Promise((resolve) => {
      const finish = (value: T | undefined): void => {
        this.waiters.delete(check)
        clearTimeout(timer)
        signal?.removeEventListener('abort', abort)
        resolve(value)
      }
      const check = (): void => {
        const value = probe()
        if (value !== undefined) finish(value)
      }
      const abort = (): void => finish(undefined)
      const timer = setTimeout(() => finish(undefined), timeoutMs)
      this.waiters.add(check)
      signal?.addEventListener('abort', abort, { once: true })
    })
  }

  private whyNoCard(readerName: string | undefined, timeoutMs: number): PcscError {
    if (this.service !== 'running') return new PcscError('pcscUnavailable', `PC/SC is not available (${this.service})`)
    if (readerName !== undefined && !this.presence.has(readerName)) return new PcscError('noReader', `no reader named ${readerName}`)
    if (this.presence.size === 0) return new PcscError('noReader', 'no card reader is connected')
    return new PcscError('noCard', `no card was presented within ${timeoutMs} ms`)
  }

  private connectClient(): void {
    const pcsc = this.pcsc
    if (!pcsc || this.stopped) return
    const client = new pcsc.Client()
    client.on('reader', (reader) => this.watchReader(reader))
    client.on('error', (error) => {
      this.options.log(`PC/SC stopped answering (${error.code}); trying again`)
      this.stopClient()
      this.setService('noService')
      this.scheduleRetry()
    })
    try {
      client.start()
    } catch (error) {
      if (this.service !== 'noService') this.options.log(`PC/SC service not reachable (${errorCode(error) || String(error)}): is pcscd running?`)
      this.setService('noService')
      this.scheduleRetry()
      return
    }
    this.client = client
    this.setService('running')
  }

  private scheduleRetry(): void {
    if (this.stopped) return
    clearTimeout(this.retryTimer)
    // Unref'd: waiting for a daemon must not keep a process alive.
    this.retryTimer = setTimeout(() => this.connectClient(), this.options.retryMs ?? DEFAULT_RETRY_MS).unref()
  }

  private stopClient(): void {
    const client = this.client
    this.client = undefined
    try {
      client?.stop()
    } catch {
      // The daemon is already gone: nothing to detach from.
    }
    if (this.presence.size > 0) {
      this.presence.clear()
      this.changed()
    }
  }

  private watchReader(reader: Reader): void {
    const name = reader.name()
    const pcsc = this.pcsc
    if (!pcsc) return
    this.presence.set(name, false)
    this.options.log(`Card reader connected: ${name}`)
    this.changed()
    reader.on('change', (status: ReaderStatusFlags) => {
      // MUTE: something is on the reader that does not answer (not a chip card, or badly placed).
      const cardPresent = status.has(pcsc.ReaderStatus.PRESENT) && !status.has(pcsc.ReaderStatus.MUTE)
      if (this.presence.get(name) === cardPresent) return
      this.presence.set(name, cardPresent)
      this.changed()
    })
    reader.on('disconnect', () => {
      this.options.log(`Card reader disconnected: ${name}`)
      this.presence.delete(name)
      this.changed()
    })
  }

  private setService(service: PcscServiceState): void {
    if (this.service === service) return
    this.service = service
    this.changed()
  }

  private changed(): void {
    this.options.onChange?.(this.snapshot())
    for (const waiter of [...this.waiters]) waiter()
  }
}
