/**
 * `npm run bench`: prints figures, asserts nothing. Each figure has the goal from its issue beside
 * it so a reader sees at once where we stand.
 */
import { benchFold } from './fold.bench'
import { benchBrowserMode } from './browser-mode.bench'
import { benchQrCompare } from './qr-compare.bench'
import { benchQrDecode } from './qr-decode.bench'
import { benchQueue } from './queue.bench'
import { benchSeal } from './seal.bench'
import { benchFuzz } from './fuzz.bench'
import { benchReceipt } from './receipt.bench'
import { benchIdCard } from './idcard.bench'
import { benchSync, benchSyncModel } from './sync.bench'
import { benchDocumentScanners } from './document-scanners.bench'
import { benchDigitize } from './digitize.bench'
import { benchCapture } from './capture.bench'

const only = process.argv.slice(2)
const suites: Record<string, () => Promise<void>> = { fold: benchFold, queue: benchQueue, 'browser-mode': benchBrowserMode, 'qr-decode': benchQrDecode, 'qr-compare': benchQrCompare, seal: benchSeal, receipt: benchReceipt, idcard: benchIdCard, fuzz: benchFuzz, 'document-scanners': benchDocumentScanners, digitize: benchDigitize, capture: benchCapture, sync: benchSync, 'sync-model': benchSyncModel }

for (const [name, run] of Object.entries(suites)) {
  if (only.length > 0 && !only.includes(name)) continue
  console.log(`\n## ${name}`)
  await run()
}
