import { EventEmitter } from 'node:events'
import { join } from 'node:path'
import type { EventName, EventPayload } from '../../shared/contract/contract'
import type { OperationHandlers } from '../../shared/contract/dispatch'
import type { DeviceConfig, DeviceInfo, ScanReceived } from '../../shared/contract/schemas'
import { createDocumentScannerDesk } from './capture/scanners/document-scanner-desk'
import { createCaptureDesk } from './capture/capture-desk'
import { closePageProcessor } from './capture/page-processor'
import { loadSampleQueueSetup } from './catalog/queue-setup'
import { loadWards } from './catalog/wards'
import { DeviceConfigStore } from './device/device-config-store'
import { loadIdCardTrustList, readIdCardFromReader } from './idcard/id-card-reading'
import { PcscReaders } from './idcard/pcsc'
import { TicketPrinter } from './printing/thermal-printer'
import { DataKey, FILE_ONLY_WRAPPER, type KeyWrapper } from './privacy/data-key'
import { createReceiptDesk, type KeyFile } from './receipt/receipt-desk'
import { createSyncService } from './sync/sync-service'
import { createDocumentVerifier } from './verification/document-verifier'
import type { SerialScannerWatcher } from './scanners/serial-scanner'

export interface ServicesOptions {
  /** Where this device keeps its configuration and keys. */
  readonly dataDir: string
  /** The app's resources folder (catalogue, reference data, fonts). */
  readonly resourcesDir: string
  readonly appVersion: string
  readonly runtime: DeviceInfo['runtime']
  readonly log: (line: string) => void
  /** How the device data key is protected at rest: by the OS in the desktop app, by file permissions elsewhere. */
  readonly keyWrapper?: KeyWrapper
  /** Watch for handheld scanners in serial mode (desktop app and browser mode only); default false. */
  readonly watchSerialScanners?: boolean
  /** Watch the chip-card readers from the start (desktop app and browser mode); otherwise PC/SC is reached on first use. */
  readonly watchCardReaders?: boolean
  /** The key the counter's receipts are signed with; without it receipts are refused. */
  readonly signingKey?: KeyFile
  /** Run the ward hub's relay when the device is configured as hub (desktop app and browser mode); default false. */
  readonly runSyncHub?: boolean
  /** Where the hub relay listens; default 0.0.0.0 (the ward's LAN). */
  readonly syncHubHost?: string
}

/** How long the kiosk's read waits for the resident to put the card on the reader. */
const WAIT_FOR_CARD_MS = 60_000

/** The CSCA trust list: the one shipped with the app, and the device's own (a technician adds the city's updates there). */
export function idCardTrustDirs(resourcesDir: string, dataDir: string): string[] {
  return [join(resourcesDir, 'idcard', 'trust'), join(dataDir, 'idcard-trust')]
}

export type EventListener = <E extends EventName>(event: E, payload: EventPayload<E>) => void

export interface Services {
  readonly handlers: OperationHandlers
  /** Events for every adapter to forward to its screens; returns the unsubscribe function. */
  subscribe(listener: EventListener): () => void
  /** Releases what the services hold open (the scanner's serial port). */
  close(): Promise<void>
}

/**
 * The one service layer behind Electron IPC, the loopback web host and the command line. Plain
 * Node: nothing here may import electron.
 */
export async function createServices(options: ServicesOptions): Promise<Services> {
  const [wards, queueSetup] = await Promise.all([loadWards(options.resourcesDir), loadSampleQueueSetup(options.resourcesDir)])
  const deviceConfig = new DeviceConfigStore(options.dataDir, wards, options.log)
  const dataKey = new DataKey(options.dataDir, options.keyWrapper ?? FILE_ONLY_WRAPPER)
  const ticketPrinter = new TicketPrinter()
  const emitter = new EventEmitter()
  const scannerWatcher = await startScannerWatcher(options, deviceConfig, (scan) => emitter.emit('event', 'scanReceived', scan))
  const cardReaders = new PcscReaders({ log: options.log, onChange: (presence) => emitter.emit('event', 'idCardPresence', presence) })
  let cardReadersStarted: Promise<void> | undefined
  const startCardReaders = (): Promise<void> => (cardReadersStarted ??= cardReaders.start())
  if (options.watchCardReaders === true) await startCardReaders()
  /** The read under way, to call off when the resident leaves; one at a time. */
  let cardRead: { readonly controller: AbortController; readonly finished: Promise<unknown> } | undefined

  const deviceInfo = (config: DeviceConfig): DeviceInfo => ({
    config,
    ward: deviceConfig.wardOf(config),
    appVersion: options.appVersion,
    runtime: options.runtime,
    notices: [...deviceConfig.getNotices()],
  })

  const receiptDesk = createReceiptDesk({ resourcesDir: options.resourcesDir, ...(options.signingKey && { signingKey: options.signingKey }) })
  const documents = createDocumentVerifier([join(options.dataDir, 'trust')], () => receiptDesk.sealCertificates())
  const captureDesk = createCaptureDesk({
    dataKey,
    resourcesDir: options.resourcesDir,
    signer: () => receiptDesk.signer(),
    counterName: async () => `Quầy ${(await deviceConfig.get()).counterNumber}`,
    location: async () => `Bộ phận Một cửa ${deviceConfig.wardOf(await deviceConfig.get()).fullName}`,
    onProgress: (progress) => emitter.emit('event', 'digitizeProgress', progress),
  })

  const documentScanners = createDocumentScannerDesk({
    dataDir: options.dataDir,
    log: options.log,
    events: { page: (page) => emitter.emit('event', 'documentScanPage', page), finished: (finished) => emitter.emit('event', 'documentScanFinished', finished) },
  })

  const sync = createSyncService({
    dataDir: options.dataDir,
    deviceConfig,
    dataKey,
    keyWrapper: options.keyWrapper ?? FILE_ONLY_WRAPPER,
    log: options.log,
    runHub: options.runSyncHub === true && options.runtime !== 'cli',
    ...(options.syncHubHost !== undefined && { hubHost: options.syncHubHost }),
    onConfigChanged: (config) => emitter.emit('event', 'deviceConfigChanged', deviceInfo(config)),
  })
  await sync.start()

  const handlers: OperationHandlers = {
    getDeviceInfo: async () => deviceInfo(await deviceConfig.get()),
    updateDeviceConfig: async (patch) => {
      const info = deviceInfo(await deviceConfig.update(patch))
      emitter.emit('event', 'deviceConfigChanged', info)
      return info
    },
    getQueueSetup: async () => queueSetup,
    listWards: async () => [...wards],
    sealPersonalData: async ({ fields }) => dataKey.seal(fields),
    openPersonalData: async ({ sealed }) => ({ fields: await dataKey.open(sealed) }),
    printTicket: async ({ width, height, rows }) => {
      const { printer } = await deviceConfig.get()
      return { printer: await ticketPrinter.print(printer, { width, height, rows: Buffer.from(rows, 'base64') }) }
    },
    getProcedures: () => receiptDesk.procedures(),
    verifyDocument: async (input) => ('seal' in input ? documents.seal(input.seal) : documents.pdf(Buffer.from(input.pdfBase64, 'base64'))),
    issueReceipt: ({ receipt, format }) => receiptDesk.issue(receipt, format),
    getScannerStatus: async () => scannerWatcher?.getStatus() ?? { state: 'none', message: 'Serial scanners are watched by the desktop app and browser mode only' },
    readIdCard: async ({ accessKey }) => {
      // A read just called off is still letting go of the card (the screen left and came back): wait, not 'busy'.
      if (cardRead?.controller.signal.aborted) await cardRead.finished
      if (cardRead) return { status: 'failed', reason: 'busy' }
      const controller = new AbortController()
      const finished = (async () => {
        await startCardReaders()
        return readIdCardFromReader({
          readers: cardReaders,
          accessKey,
          // Read at every call: a technician's new CSCA applies to the next card.
          trustList: await loadIdCardTrustList(idCardTrustDirs(options.resourcesDir, options.dataDir), options.log),
          waitForCardMs: WAIT_FOR_CARD_MS,
          onProgress: (progress) => emitter.emit('event', 'idCardProgress', progress),
          log: options.log,
          signal: controller.signal,
        })
      })()
      cardRead = { controller, finished: finished.catch(() => undefined) }
      try {
        return await finished
      } finally {
        // A read started after this one was cancelled may already be the current one: leave it be.
        if (cardRead?.controller === controller) cardRead = undefined
      }
    },
    cancelIdCardRead: async () => {
      const reading = cardRead
      reading?.controller.abort()
      return { cancelled: reading !== undefined }
    },
    getIdCardPresence: async () => {
      await startCardReaders()
      return cardReaders.snapshot()
    },
    ...captureDesk,
    ...documentScanners.handlers,
    ...sync.handlers,
  }

  return {
    handlers,
    subscribe(listener) {
      const forward = (event: EventName, payload: unknown): void => listener(event, payload as never)
      emitter.on('event', forward)
      return () => emitter.off('event', forward)
    },
    close: async () => {
      cardReaders.stop()
      documentScanners.close()
      await scannerWatcher?.stop()
      await sync.close()
      await closePageProcessor()
    },
  }
}

async function startScannerWatcher(options: ServicesOptions, deviceConfig: DeviceConfigStore, onScan: (scan: ScanReceived) => void): Promise<SerialScannerWatcher | undefined> {
  if (options.watchSerialScanners !== true || options.runtime === 'cli') return undefined
  // Loaded only here: the serial port's native binding has no business in the other CLI commands.
  const { SerialScannerWatcher } = await import('./scanners/serial-scanner')
  const watcher = new SerialScannerWatcher({
    settings: async () => {
      const { scanner, printer } = await deviceConfig.get()
      return { scanner, reservedPaths: printer.kind === 'device' && printer.path !== undefined ? [printer.path] : [] }
    },
    onScan,
    log: options.log,
  })
  watcher.start()
  return watcher
}
