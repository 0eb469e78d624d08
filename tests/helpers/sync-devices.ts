import 'fake-indexeddb/auto'
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildApi } from '../../src/shared/contract/client'
import { dispatch, type OperationHandlers } from '../../src/shared/contract/dispatch'
import type { MotcuaApi } from '../../src/shared/contract/contract'
import type { BackoffPolicy } from '../../src/shared/sync/backoff'
import type { Ward } from '../../src/shared/contract/schemas'
import { loadWards } from '../../src/main/services/catalog/wards'
import { DeviceConfigStore } from '../../src/main/services/device/device-config-store'
import { DataKey, FILE_ONLY_WRAPPER } from '../../src/main/services/privacy/data-key'
import { createSyncService, type SyncService } from '../../src/main/services/sync/sync-service'
import { startRelayServer, type RelayServer } from '../../src/relay/server'
import { MotcuaDatabase } from '../../src/renderer/src/data/db'
import { putBlob } from '../../src/renderer/src/data/blobs'
import { EventStore } from '../../src/renderer/src/data/event-store'
import { DossierEvent } from '../../src/shared/domain/dossier/events'
import { SyncEngine } from '../../src/renderer/src/sync/sync-engine'
import { PROJECT_ROOT } from './browser-mode-host'

/** Tests retry within milliseconds, not minutes: the schedule decides when the link is back. */
export const FAST_BACKOFF: BackoffPolicy = { baseMs: 5, capMs: 50 }

let databases = 0

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `motcua-sync-${prefix}-`))
}

/** A port free right now, for a hub relay that must listen on a given one. */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

export function loadTestWards(): Promise<readonly Ward[]> {
  return (wardList ??= loadWards(join(PROJECT_ROOT, 'resources')))
}

export async function startTestRelay(options: { role: 'hub' | 'city'; wardCode?: string; upstream?: Parameters<typeof startRelayServer>[0]['upstream'] }): Promise<RelayServer & { dataDir: string }> {
  const dataDir = tempDir(options.role)
  const server = await startRelayServer({
    role: options.role,
    dataDir,
    host: '127.0.0.1',
    port: 0,
    log: () => undefined,
    ...(options.wardCode !== undefined && { wardCode: options.wardCode }),
    ...(options.upstream && { upstream: options.upstream, upstreamBackoff: FAST_BACKOFF }),
  })
  const close = server.close.bind(server)
  return Object.assign(server, {
    dataDir,
    close: async () => {
      await close()
      rmSync(dataDir, { recursive: true, force: true })
    },
  })
}

export interface TestDeviceOptions {
  /** The device's clock (events' hlc and day); the network's signatures keep real time. */
  readonly now?: () => number
  readonly runHub?: boolean
  readonly wardCode?: string
  readonly topology?: 'ward' | 'city'
  /** What main's requests go through: an impostor on the LAN, in the server-authentication tests. */
  readonly fetch?: typeof fetch
}

let wardList: Promise<readonly Ward[]> | undefined

/**
 * One device as the tests see it: main's sync service over its data folder, and the renderer's
 * store and engine over its IndexedDB (fake-indexeddb), talking through the contract exactly as
 * the screen does (dispatch validates both ways). `restart()` is a crash: every object in memory
 * is dropped, and new ones start from what the disk and IndexedDB kept.
 */
export class TestDevice {
  readonly dataDir = tempDir('device')
  readonly dbName = `motcua-sync-test-${++databases}`
  service!: SyncService
  api!: MotcuaApi
  db!: MotcuaDatabase
  store!: EventStore
  engine!: SyncEngine
  deviceId!: string
  wardCode!: string
  dataKey!: DataKey
  private dossiers = 0

  private constructor(
    private readonly options: TestDeviceOptions & { now: () => number },
  ) {}

  static async create(options: TestDeviceOptions = {}): Promise<TestDevice> {
    const device = new TestDevice({ now: Date.now, ...options })
    await device.start()
    return device
  }

  async start(): Promise<void> {
    const wards = await loadTestWards()
    const deviceConfig = new DeviceConfigStore(this.dataDir, wards, () => undefined)
    let config = await deviceConfig.get()
    if (this.options.wardCode !== undefined && config.wardCode !== this.options.wardCode) config = await deviceConfig.update({ wardCode: this.options.wardCode })
    this.deviceId = config.deviceId
    this.wardCode = config.wardCode
    this.dataKey = new DataKey(this.dataDir, FILE_ONLY_WRAPPER)
    this.service = createSyncService({
      dataDir: this.dataDir,
      deviceConfig,
      dataKey: this.dataKey,
      keyWrapper: FILE_ONLY_WRAPPER,
      // MOTCUA_SYNC_TEST_LOG=1 shows what main logs, when a schedule fails.
      log: (line) => void (process.env.MOTCUA_SYNC_TEST_LOG && console.error(line)),
      runHub: this.options.runHub ?? false,
      hubHost: '127.0.0.1',
      hubUpstreamBackoff: FAST_BACKOFF,
      timeoutMs: 5000,
      ...(this.options.fetch && { fetch: this.options.fetch }),
    })
    await this.service.start()
    const handlers = this.service.handlers as unknown as OperationHandlers
    this.api = buildApi({ invoke: (name, input) => dispatch(handlers, name, input), listen: () => () => undefined })
    this.db = new MotcuaDatabase(this.dbName)
    await this.db.open()
    this.store = new EventStore(this.db, this.deviceId, this.wardCode, this.options.now)
    this.engine = new SyncEngine({ db: this.db, store: this.store, transport: this.api, topology: this.options.topology ?? 'ward', now: this.options.now })
  }

  /** A crash: drop everything held in memory, start again from disk and IndexedDB. */
  async restart(): Promise<void> {
    await this.service.close()
    this.db.close()
    await this.start()
  }

  /** Appends an event as the screens do. */
  write(type: string, payload: Record<string, unknown>): ReturnType<EventStore['append']> {
    return this.store.append({ type, v: 1, payload })
  }

  /**
   * A digitized dossier as the counter records it: each file sealed with this device's data key
   * into the blobs table, then the event that refers to them (the first file is the PDF).
   */
  async digitize(files: readonly Buffer[]): Promise<string[]> {
    const addresses: string[] = []
    for (const file of files) {
      const sha256 = createHash('sha256').update(file).digest('hex')
      await putBlob(this.db, { sha256, mime: 'image/jpeg', size: file.length, sealed: await this.dataKey.sealBytes(file) })
      addresses.push(sha256)
    }
    const [pdf, ...pages] = addresses
    await this.write(DossierEvent.papersDigitized, {
      dossierCode: `000.00.00.H17-261123-${String(++this.dossiers).padStart(4, '0')}`,
      pdf: { sha256: pdf, bytes: files[0]!.length, fileName: 'ho-so.pdf', pages: Math.max(pages.length, 1) },
      pagesByPaper: [{ paperId: 'paper-1', pageSha256s: pages.length > 0 ? pages : [pdf] }],
    })
    return addresses
  }

  /** Sends everything (events, then blobs) until the outbox is empty; a failure propagates. */
  async sendAll(): Promise<void> {
    while ((await this.engine.pushOnce()) || (await this.engine.blobStepOnce()));
  }

  /** Pulls until the server has nothing more. */
  async pullAll(): Promise<void> {
    while ((await this.engine.pullOnce(0)).more);
  }

  async close(): Promise<void> {
    await this.service.close()
    this.db.close()
    await this.db.delete()
    rmSync(this.dataDir, { recursive: true, force: true })
  }
}
