import { EventEnvelopeSchema, eventKey, type EventEnvelope } from '../../../shared/domain/eventlog/envelope'
import { decodeHlc, encodeHlc, HLC_ZERO, receiveHlc, tickHlc, type HlcState } from '../../../shared/domain/eventlog/hlc'
import { MotcuaError } from '../../../shared/contract/dispatch'
import { eventJsonBytes, SYNC_LIMITS } from '../../../shared/sync/protocol'
import type { MotcuaDatabase } from './db'

export interface NewEvent {
  readonly type: string
  readonly v: number
  readonly payload: Record<string, unknown>
}

export interface IngestReport {
  readonly added: number
  readonly duplicates: number
  readonly rejected: number
}

const CLOCK_KEY = 'clock'
const seqKey = (deviceId: string): string => `seq:${deviceId}`

/**
 * The append-only event log of this device, and the door through which other replicas' events
 * come in. Appends allocate (seq, hlc) inside the same IndexedDB transaction as the write, so
 * windows of one profile (kiosk and counter on one PC) never hand out the same sequence number.
 */
export class EventStore {
  constructor(
    readonly db: MotcuaDatabase,
    readonly deviceId: string,
    readonly wardCode: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Runs `decide` on a consistent view and appends what it returns, atomically: the read-then-write of "call next". */
  async appendAfter<T>(decide: () => Promise<{ event: NewEvent; result: T } | undefined>): Promise<{ envelope: EventEnvelope; result: T } | undefined> {
    return this.db.transaction('rw', this.db.events, this.db.meta, async () => {
      const decision = await decide()
      if (!decision) return undefined
      const envelope = await this.appendInTransaction(decision.event)
      return { envelope, result: decision.result }
    })
  }

  append(event: NewEvent): Promise<EventEnvelope> {
    return this.db.transaction('rw', this.db.events, this.db.meta, () => this.appendInTransaction(event))
  }

  /**
   * Takes events from another replica: each is checked, kept once (by deviceId and seq), and
   * moves our clock past its own, so what we write next sorts after what we have seen.
   */
  async ingest(candidates: readonly unknown[]): Promise<IngestReport> {
    const valid: EventEnvelope[] = []
    let rejected = 0
    for (const candidate of candidates) {
      const parsed = EventEnvelopeSchema.safeParse(candidate)
      if (parsed.success && parsed.data.wardCode === this.wardCode) valid.push(parsed.data)
      else rejected++
    }
    return this.db.transaction('rw', this.db.events, this.db.meta, async () => {
      const unique = new Map(valid.map((event) => [eventKey(event), event]))
      const keys = [...unique.values()].map((event): [string, number] => [event.deviceId, event.seq])
      const existing = await this.db.events.bulkGet(keys)
      const fresh = [...unique.values()].filter((_event, index) => existing[index] === undefined)
      await this.db.events.bulkAdd(fresh)
      let clock = await this.readClock()
      for (const event of fresh) clock = receiveHlc(clock, decodeHlc(event.hlc), this.now())
      await this.db.meta.put({ key: CLOCK_KEY, value: encodeHlc(clock) })
      // Our own events coming back (a reinstalled device restoring from its hub): never hand their seqs out again.
      const ownHighest = fresh.reduce((highest, event) => (event.deviceId === this.deviceId ? Math.max(highest, event.seq) : highest), 0)
      if (ownHighest > (await this.readSeq())) await this.db.meta.put({ key: seqKey(this.deviceId), value: ownHighest })
      return { added: fresh.length, duplicates: valid.length - fresh.length, rejected }
    })
  }

  /** Every event of the given types, in no particular order: through the type index, not a scan of the log. */
  eventsOfTypes(types: readonly string[]): Promise<EventEnvelope[]> {
    return this.db.events.where('type').anyOf([...types]).toArray()
  }

  /** How many events have a clock at or after the given value. */
  countFrom(hlc: string): Promise<number> {
    return this.db.events.where('hlc').aboveOrEqual(hlc).count()
  }

  /** Events whose clock is at or after the given value, in no particular order. */
  eventsFromHlc(hlc: string): Promise<EventEnvelope[]> {
    return this.db.events.where('hlc').aboveOrEqual(hlc).toArray()
  }


  /** Must run inside a transaction over events and meta. */
  private async appendInTransaction(event: NewEvent): Promise<EventEnvelope> {
    const seq = (await this.readSeq()) + 1
    const clock = tickHlc(await this.readClock(), this.now())
    const envelope = EventEnvelopeSchema.parse({
      deviceId: this.deviceId,
      seq,
      hlc: encodeHlc(clock),
      wardCode: this.wardCode,
      type: event.type,
      v: event.v,
      payload: event.payload,
    })
    // The relay refuses a larger event (413), and an event it refuses would block every later one in the outbox.
    const bytes = eventJsonBytes(envelope)
    if (bytes > SYNC_LIMITS.maxEventBytes) throw new MotcuaError('invalidInput', `Event ${event.type} is ${bytes} bytes as JSON; events are limited to ${SYNC_LIMITS.maxEventBytes} bytes`)
    await this.db.events.add(envelope)
    await this.db.meta.bulkPut([
      { key: seqKey(this.deviceId), value: seq },
      { key: CLOCK_KEY, value: envelope.hlc },
    ])
    return envelope
  }

  /** The highest seq this device has handed out. */
  async readSeq(): Promise<number> {
    const record = await this.db.meta.get(seqKey(this.deviceId))
    return typeof record?.value === 'number' ? record.value : 0
  }

  private async readClock(): Promise<HlcState> {
    const record = await this.db.meta.get(CLOCK_KEY)
    return typeof record?.value === 'string' ? decodeHlc(record.value) : HLC_ZERO
  }
}
