import type { OperationHandlers } from '../../../../shared/contract/dispatch'
import type { EsclTimings } from './escl-scanner'
import { openPdfFeed } from './pdf-feed'
import { DocumentScannerRegistry } from './registry'
import type { SaneOptions } from './sane-scanner'
import { DocumentScanJobs, type ScanJobEvents } from './scan-jobs'

export interface DocumentScannerDeskOptions {
  readonly dataDir: string
  readonly log: (line: string) => void
  readonly events: ScanJobEvents
  readonly escl?: EsclTimings
  readonly sane?: SaneOptions
  /** How long a job waits for the screen to acknowledge a page before it is cancelled; shortened by tests. */
  readonly scanAckTimeoutMs?: number
}

type DocumentScannerHandlers = Pick<OperationHandlers, 'listDocumentScanners' | 'getDocumentScannerSources' | 'addDocumentScanner' | 'removeDocumentScanner' | 'scanDocuments' | 'importPdfPages' | 'cancelDocumentScan' | 'acknowledgeScanPage'>

/** The contract's document-scanner operations over the registry and the scan jobs, and a PDF's pages imported as a scan job. */
export function createDocumentScannerDesk(options: DocumentScannerDeskOptions): { handlers: DocumentScannerHandlers; close(): void } {
  const registry = new DocumentScannerRegistry({ dataDir: options.dataDir, log: options.log, ...(options.escl && { escl: options.escl }), ...(options.sane && { sane: options.sane }) })
  const jobs = new DocumentScanJobs((scannerId) => registry.open(scannerId), options.events, options.log, options.scanAckTimeoutMs)
  return {
    handlers: {
      listDocumentScanners: () => registry.list(),
      getDocumentScannerSources: () => registry.sources(),
      addDocumentScanner: ({ address }) => registry.add(address),
      removeDocumentScanner: async ({ scannerId }) => {
        await registry.remove(scannerId)
        return {}
      },
      scanDocuments: (input) => jobs.start(input),
      importPdfPages: async ({ pdfBase64, dpi }) => {
        const { pages, feed } = await openPdfFeed(Buffer.from(pdfBase64, 'base64'), dpi)
        return { ...jobs.startFeed('an imported PDF', feed), pages }
      },
      cancelDocumentScan: async ({ jobId }) => ({ cancelled: jobs.cancel(jobId) }),
      acknowledgeScanPage: async ({ jobId, index }) => ({ acknowledged: jobs.acknowledge(jobId, index) }),
    },
    close: () => jobs.cancelAll(),
  }
}
