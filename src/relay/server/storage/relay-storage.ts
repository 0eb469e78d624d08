import type { EventEnvelope, VersionVector } from '../../../shared/domain/eventlog/envelope'
import { eventJsonBytes, type Ed25519PublicJwk, type PullResponse } from '../../../shared/sync/protocol'
import { migrate } from './migrations'
import { openPgliteDriver } from './pglite-driver'
import { openPostgresDriver } from './postgres-driver'
import type { SqlDriver, SqlExecutor } from './sql-driver'

export interface DeviceRecord {
  readonly id: string
  readonly ward: string
  readonly kind: 'device' | 'hub'
  readonly jwk: Ed25519PublicJwk
}

export type EnrollOutcome = 'enrolled' | 'alreadyEnrolled' | 'refused'

export type AppendResult =
  | { readonly ok: true; readonly accepted: number; readonly duplicates: number; readonly frontier: VersionVector; readonly acceptedWards: readonly string[] }
  | { readonly ok: false; readonly code: 'sequenceGap'; readonly deviceId: string; readonly expected: number }
  | { readonly ok: false; readonly code: 'conflictingEvent'; readonly deviceId: string; readonly seq: number }
  | { readonly ok: false; readonly code: 'wrongWard'; readonly deviceId: string }
  | { readonly ok: false; readonly code: 'clockBackwards'; readonly deviceId: string; readonly seq: number }

export interface BlobRecord {
  readonly sha256: string
  readonly length: number
  readonly offset: number
  readonly complete: boolean
  /** Relative to the data folder's blobs/ directory. */
  readonly storagePath: string
}

/**
 * Everything the relay keeps, behind one interface with one SQL implementation on two engines:
 * PGlite in the data folder (default) or a PostgreSQL server (city).
 */
export interface RelayStorage {
  readonly engine: SqlDriver['kind']
  device(id: string): Promise<DeviceRecord | undefined>
  /** Same key again: alreadyEnrolled. Another key or ward for a known id: refused. */
  enrollDevice(device: DeviceRecord): Promise<EnrollOutcome>
  /** All or nothing, each device's log kept gap-free; also opens the blobs the new events reference to their ward. */
  appendEvents(events: readonly EventEnvelope[]): Promise<AppendResult>
  /** The ward's events above `after`, ordered by (hlc, deviceId, seq), at most `limit` and about `maxBytes` of JSON (always one, if any). */
  pullEvents(ward: string, after: VersionVector, limit: number, maxBytes?: number): Promise<PullResponse>
  wardFrontier(ward: string): Promise<VersionVector>
  /** How much of the ward's log lies above `after`: events and their payload bytes. */
  countAbove(ward: string, after: VersionVector): Promise<{ events: number; bytes: number }>
  blob(sha256: string): Promise<BlobRecord | undefined>
  /** Creates the upload row if there is none; returns the row as it now stands. */
  createBlob(sha256: string, length: number, storagePath: string): Promise<BlobRecord>
  setBlobOffset(sha256: string, offset: number): Promise<void>
  completeBlob(sha256: string): Promise<void>
  deleteBlob(sha256: string): Promise<void>
  grantBlob(sha256: string, ward: string): Promise<void>
  blobReadable(sha256: string, ward: string): Promise<boolean>
  /** Complete blobs of the ward the city has not acknowledged, smallest first. */
  blobsNotUpstream(ward: string): Promise<BlobRecord[]>
  markBlobUpstream(sha256: string): Promise<void>
  state(key: string): Promise<unknown>
  setState(key: string, value: unknown): Promise<void>
  close(): Promise<void>
}

export async function openRelayStorage(options: { pgliteDir: string; databaseUrl?: string | undefined }): Promise<RelayStorage> {
  const driver = options.databaseUrl ? await openPostgresDriver(options.databaseUrl) : await openPgliteDriver(options.pgliteDir)
  try {
    await migrate(driver)
  } catch (error) {
    await driver.close()
    throw error
  }
  return new SqlRelayStorage(driver)
}

interface EventRow {
  device_id: string
  seq: number
  hlc: string
  ward: string
  type: string
  v: number
  payload: Record<string, unknown>
}

interface BlobRow {
  sha256: string
  length: number
  upload_offset: number
  complete: boolean
  storage_path: string
}

const EVENT_COLUMNS = 'device_id, seq, hlc, ward, type, v, payload'
const RECORDSET_COLUMNS = 'device_id text, seq bigint, hlc text, ward text, type text, v integer, payload jsonb'

const envelopeOf = (row: EventRow): EventEnvelope => ({ deviceId: row.device_id, seq: Number(row.seq), hlc: row.hlc, wardCode: row.ward, type: row.type, v: Number(row.v), payload: row.payload })
const rowOf = (event: EventEnvelope): EventRow => ({ device_id: event.deviceId, seq: event.seq, hlc: event.hlc, ward: event.wardCode, type: event.type, v: event.v, payload: event.payload })
const blobOf = (row: BlobRow): BlobRecord => ({ sha256: row.sha256, length: Number(row.length), offset: Number(row.upload_offset), complete: row.complete, storagePath: row.storage_path })

/** A failed check inside the append transaction: thrown to roll it back, turned into the result. */
class AppendRefusal extends Error {
  constructor(readonly result: Exclude<AppendResult, { ok: true }>) {
    super(result.code)
  }
}

class SqlRelayStorage implements RelayStorage {
  readonly engine: SqlDriver['kind']

  constructor(private readonly db: SqlDriver) {
    this.engine = db.kind
  }

  async device(id: string): Promise<DeviceRecord | undefined> {
    const [row] = await this.db.query<{ id: string; ward: string; kind: 'device' | 'hub'; jwk: Ed25519PublicJwk }>('SELECT id, ward, kind, jwk FROM devices WHERE id = $1', [id])
    return row && { id: row.id, ward: row.ward, kind: row.kind, jwk: row.jwk }
  }

  async enrollDevice(device: DeviceRecord): Promise<EnrollOutcome> {
    const inserted = await this.db.query('INSERT INTO devices (id, ward, kind, jwk) VALUES ($1, $2, $3, $4::jsonb) ON CONFLICT (id) DO NOTHING RETURNING id', [device.id, device.ward, device.kind, JSON.stringify(device.jwk)])
    if (inserted.length > 0) return 'enrolled'
    const existing = await this.device(device.id)
    const same = existing !== undefined && existing.ward === device.ward && existing.kind === device.kind && existing.jwk.x === device.jwk.x
    return same ? 'alreadyEnrolled' : 'refused'
  }

  async appendEvents(events: readonly EventEnvelope[]): Promise<AppendResult> {
    const byDevice = new Map<string, EventEnvelope[]>()
    for (const event of events) {
      const list = byDevice.get(event.deviceId) ?? []
      list.push(event)
      byDevice.set(event.deviceId, list)
    }
    try {
      return await this.db.transaction(async (tx) => {
        const fresh: EventEnvelope[] = []
        const held: EventEnvelope[] = []
        const frontier: Record<string, number> = {}
        // Devices in a fixed order, so two pushes locking the same devices cannot deadlock.
        for (const deviceId of [...byDevice.keys()].sort()) {
          const deviceEvents = byDevice.get(deviceId)!.sort((a, b) => a.seq - b.seq)
          const ward = deviceEvents[0]!.wardCode
          if (deviceEvents.some((event) => event.wardCode !== ward)) throw new AppendRefusal({ ok: false, code: 'wrongWard', deviceId })
          await tx.query("INSERT INTO frontiers (device_id, ward, seq, hlc) VALUES ($1, $2, 0, '') ON CONFLICT (device_id) DO NOTHING", [deviceId, ward])
          // The row lock serializes writers of one device across connections (PostgreSQL) and processes.
          const [row] = await tx.query<{ ward: string; seq: number; hlc: string }>('SELECT ward, seq, hlc FROM frontiers WHERE device_id = $1 FOR UPDATE', [deviceId])
          if (row!.ward !== ward) throw new AppendRefusal({ ok: false, code: 'wrongWard', deviceId })
          let seq = Number(row!.seq)
          let hlc = row!.hlc
          const initialSeq = seq
          for (const event of deviceEvents) {
            if (event.seq <= seq) {
              held.push(event)
              continue
            }
            if (event.seq !== seq + 1) throw new AppendRefusal({ ok: false, code: 'sequenceGap', deviceId, expected: seq + 1 })
            // Within one device the clock never goes back: then the pull order (hlc first) keeps each device's events in seq order.
            if (event.hlc < hlc) throw new AppendRefusal({ ok: false, code: 'clockBackwards', deviceId, seq: event.seq })
            fresh.push(event)
            seq = event.seq
            hlc = event.hlc
          }
          if (seq !== initialSeq) await tx.query('UPDATE frontiers SET seq = $2, hlc = $3 WHERE device_id = $1', [deviceId, seq, hlc])
          frontier[deviceId] = seq
        }
        const duplicates = await this.countSame(tx, held)
        if (fresh.length > 0) {
          await tx.query(`INSERT INTO events (${EVENT_COLUMNS}) SELECT ${EVENT_COLUMNS} FROM jsonb_to_recordset($1::jsonb) AS x(${RECORDSET_COLUMNS})`, [JSON.stringify(fresh.map(rowOf))])
          const grants = fresh.flatMap((event) => blobReferencesOf(event.payload).map((sha256) => ({ sha256, ward: event.wardCode })))
          if (grants.length > 0) {
            await tx.query('INSERT INTO blob_wards (sha256, ward) SELECT DISTINCT sha256, ward FROM jsonb_to_recordset($1::jsonb) AS x(sha256 text, ward text) ON CONFLICT DO NOTHING', [JSON.stringify(grants)])
          }
        }
        return { ok: true as const, accepted: fresh.length, duplicates, frontier, acceptedWards: [...new Set(fresh.map((event) => event.wardCode))] }
      })
    } catch (error) {
      if (error instanceof AppendRefusal) return error.result
      throw error
    }
  }

  /** Events the log already holds: each must be the same event, or the push is refused. */
  private async countSame(tx: SqlExecutor, held: readonly EventEnvelope[]): Promise<number> {
    if (held.length === 0) return 0
    const rows = await tx.query<{ device_id: string; seq: number; same: boolean }>(
      `SELECT x.device_id, x.seq, (e.hlc = x.hlc AND e.ward = x.ward AND e.type = x.type AND e.v = x.v AND e.payload = x.payload) AS same
         FROM jsonb_to_recordset($1::jsonb) AS x(${RECORDSET_COLUMNS})
         JOIN events e ON e.device_id = x.device_id AND e.seq = x.seq`,
      [JSON.stringify(held.map(rowOf))],
    )
    const different = rows.find((row) => !row.same)
    if (different) throw new AppendRefusal({ ok: false, code: 'conflictingEvent', deviceId: different.device_id, seq: Number(different.seq) })
    return held.length
  }

  async pullEvents(ward: string, after: VersionVector, limit: number, maxBytes = Number.POSITIVE_INFINITY): Promise<PullResponse> {
    return this.db.transaction(async (tx) => {
      const rows = await tx.query<EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM events
          WHERE ward = $1 AND seq > COALESCE(($2::jsonb ->> device_id)::bigint, 0)
          ORDER BY hlc, device_id, seq LIMIT $3`,
        [ward, JSON.stringify(after), limit + 1],
      )
      const events: EventEnvelope[] = []
      let bytes = 0
      for (const row of rows.slice(0, limit)) {
        const event = envelopeOf(row)
        const size = eventJsonBytes(event)
        if (events.length > 0 && bytes + size > maxBytes) break
        events.push(event)
        bytes += size
      }
      const server = await this.frontierOf(tx, ward)
      // The cursor after these events: what the server sent, or where the client already stood (never beyond what the server holds).
      const returned = new Map<string, number>()
      for (const event of events) returned.set(event.deviceId, event.seq)
      const frontier: Record<string, number> = {}
      for (const [deviceId, serverSeq] of Object.entries(server)) {
        const seq = returned.get(deviceId) ?? Math.min(after[deviceId] ?? 0, serverSeq)
        if (seq > 0) frontier[deviceId] = seq
      }
      return { events, frontier, more: rows.length > events.length }
    })
  }

  wardFrontier(ward: string): Promise<VersionVector> {
    return this.frontierOf(this.db, ward)
  }

  private async frontierOf(executor: SqlExecutor, ward: string): Promise<VersionVector> {
    const rows = await executor.query<{ device_id: string; seq: number }>('SELECT device_id, seq FROM frontiers WHERE ward = $1 AND seq > 0', [ward])
    return Object.fromEntries(rows.map((row) => [row.device_id, Number(row.seq)]))
  }

  async countAbove(ward: string, after: VersionVector): Promise<{ events: number; bytes: number }> {
    const [row] = await this.db.query<{ events: number; bytes: number }>(
      `SELECT count(*)::bigint AS events, COALESCE(sum(octet_length(payload::text)), 0)::bigint AS bytes FROM events
        WHERE ward = $1 AND seq > COALESCE(($2::jsonb ->> device_id)::bigint, 0)`,
      [ward, JSON.stringify(after)],
    )
    return { events: Number(row!.events), bytes: Number(row!.bytes) }
  }

  async blob(sha256: string): Promise<BlobRecord | undefined> {
    const [row] = await this.db.query<BlobRow>('SELECT sha256, length, upload_offset, complete, storage_path FROM blobs WHERE sha256 = $1', [sha256])
    return row && blobOf(row)
  }

  async createBlob(sha256: string, length: number, storagePath: string): Promise<BlobRecord> {
    await this.db.query('INSERT INTO blobs (sha256, length, storage_path) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING', [sha256, length, storagePath])
    return (await this.blob(sha256))!
  }

  async setBlobOffset(sha256: string, offset: number): Promise<void> {
    await this.db.query('UPDATE blobs SET upload_offset = $2 WHERE sha256 = $1', [sha256, offset])
  }

  async completeBlob(sha256: string): Promise<void> {
    await this.db.query('UPDATE blobs SET complete = true, upload_offset = length WHERE sha256 = $1', [sha256])
  }

  async deleteBlob(sha256: string): Promise<void> {
    await this.db.query('DELETE FROM blobs WHERE sha256 = $1', [sha256])
  }

  async grantBlob(sha256: string, ward: string): Promise<void> {
    await this.db.query('INSERT INTO blob_wards (sha256, ward) VALUES ($1, $2) ON CONFLICT DO NOTHING', [sha256, ward])
  }

  async blobReadable(sha256: string, ward: string): Promise<boolean> {
    return (await this.db.query('SELECT 1 FROM blob_wards WHERE sha256 = $1 AND ward = $2', [sha256, ward])).length > 0
  }

  async blobsNotUpstream(ward: string): Promise<BlobRecord[]> {
    const rows = await this.db.query<BlobRow>(
      `SELECT b.sha256, b.length, b.upload_offset, b.complete, b.storage_path FROM blobs b
         JOIN blob_wards w ON w.sha256 = b.sha256 AND w.ward = $1
        WHERE b.complete AND NOT EXISTS (SELECT 1 FROM upstream_blobs u WHERE u.sha256 = b.sha256)
        ORDER BY b.length, b.sha256`,
      [ward],
    )
    return rows.map(blobOf)
  }

  async markBlobUpstream(sha256: string): Promise<void> {
    await this.db.query('INSERT INTO upstream_blobs (sha256) VALUES ($1) ON CONFLICT DO NOTHING', [sha256])
  }

  async state(key: string): Promise<unknown> {
    const [row] = await this.db.query<{ value: unknown }>('SELECT value FROM relay_state WHERE key = $1', [key])
    return row?.value
  }

  async setState(key: string, value: unknown): Promise<void> {
    await this.db.query('INSERT INTO relay_state (key, value) VALUES ($1, $2::jsonb) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value', [key, JSON.stringify(value)])
  }

  close(): Promise<void> {
    return this.db.close()
  }
}

const SHA256_HEX = /^[0-9a-f]{64}$/

/**
 * The blobs an event refers to: every 64-hex string under a key that names a SHA-256 (`sha256`,
 * `pageSha256s`, ...), at any depth. An event referencing a blob opens it to the event's ward.
 */
export function blobReferencesOf(payload: unknown): string[] {
  const found = new Set<string>()
  const pending: { value: unknown; underSha256Key: boolean }[] = [{ value: payload, underSha256Key: false }]
  while (pending.length > 0) {
    const { value, underSha256Key } = pending.pop()!
    if (typeof value === 'string') {
      if (underSha256Key && SHA256_HEX.test(value)) found.add(value)
    } else if (Array.isArray(value)) {
      for (const item of value) pending.push({ value: item, underSha256Key })
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) pending.push({ value: item, underSha256Key: /sha256/i.test(key) })
    }
  }
  return [...found]
}
