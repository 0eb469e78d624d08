import Dexie, { type Table } from 'dexie'
import type { EventEnvelope } from '../../../shared/domain/eventlog/envelope'

export interface MetaRecord {
  readonly key: string
  readonly value: unknown
}

/**
 * The device's local store. The event log is the source of truth; every screen's state is a fold
 * of it. Schema changes are new entries in SCHEMA_VERSIONS (never edits of old ones), each with
 * its upgrade function, so a device that skipped releases still migrates step by step.
 */
export class MotcuaDatabase extends Dexie {
  events!: Table<EventEnvelope, [string, number]>
  meta!: Table<MetaRecord, string>

  constructor(name = 'motcua') {
    super(name)
    for (const { version, stores, upgrade } of SCHEMA_VERSIONS) {
      const declared = this.version(version).stores(stores)
      if (upgrade) declared.upgrade(upgrade)
    }
  }
}

interface SchemaVersion {
  readonly version: number
  readonly stores: Record<string, string>
  readonly upgrade?: (transaction: import('dexie').Transaction) => Promise<void>
}

export const SCHEMA_VERSIONS: readonly SchemaVersion[] = [
  {
    version: 1,
    // Primary key [deviceId+seq] makes a replicated event land once however often it arrives.
    stores: { events: '[deviceId+seq], hlc, type', meta: 'key' },
  },
]
