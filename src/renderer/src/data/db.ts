import Dexie, { type Table } from 'dexie'
import type { EventEnvelope } from '../../../shared/domain/eventlog/envelope'
import type { BlobRecord } from './blobs'
import type { CaptureBoard } from '../capture/capture-boards'

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
  /** Files (page images, PDFs) sealed by main, by the SHA-256 of their plaintext. */
  blobs!: Table<BlobRecord, string>
  /** The clerk's captured pages per dossier, in order, until and after the PDF is built. */
  captureBoards!: Table<CaptureBoard, string>

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
  {
    version: 2,
    // Digitized papers: sealed files by content address, and each dossier's capture board. Nothing to migrate.
    stores: { blobs: 'sha256', captureBoards: 'dossierId' },
  },
  {
    version: 3,
    // Each board paper says whether it is a map or drawing (300 dpi); boards saved before were all text (200 dpi).
    stores: {},
    upgrade: (transaction) =>
      transaction
        .table('captureBoards')
        .toCollection()
        .modify((board: { papers: { drawing?: boolean }[] }) => {
          for (const paper of board.papers) paper.drawing ??= false
        })
        .then(() => undefined),
  },
]
