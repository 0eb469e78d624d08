import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { demoReceipt } from '../../src/cli/commands/receipt'
import { loadSampleProcedureCatalog } from '../../src/main/services/catalog/procedures'
import { issueReceipt } from '../../src/main/services/receipt/issue-receipt'
import type { ReceiptFormat } from '../../src/main/services/receipt/receipt-pdf'
import { sealKeyFromSigner } from '../../src/main/services/seal/seal-key'
import { keyFileSigner } from '../../src/main/services/signing/signer'
import { createTestPki } from '../helpers/signing-pki'
import { figure, ms, percentile } from './stats'

const RUNS = 60
const RESOURCES = fileURLToPath(new URL('../../resources', import.meta.url))

/** A counter's click on "issue the receipt": seal, lay out with pdfmake (fonts subset and embedded), sign PAdES-B-B with a PKCS#12 key. */
export async function benchReceipt(): Promise<void> {
  const pki = createTestPki('ecP256')
  try {
    const signer = keyFileSigner(pki.p12, pki.passphrase)
    const receipt = demoReceipt(await loadSampleProcedureCatalog(RESOURCES), Date.now())
    const options = { signer, sealKey: sealKeyFromSigner(signer), fontsDir: join(RESOURCES, 'fonts') }
    for (const format of ['a4', 'thermal'] as const satisfies readonly ReceiptFormat[]) {
      await issueReceipt(receipt, { ...options, format }) // warm-up: first font parse and JIT
      const times: number[] = []
      let size = 0
      for (let run = 0; run < RUNS; run++) {
        const start = performance.now()
        size = (await issueReceipt(receipt, { ...options, format })).pdf.length
        times.push(performance.now() - start)
      }
      figure(`receipt build + sign (${format}), p50`, ms(percentile(times, 50)), '≤ 100 ms')
      figure(`receipt build + sign (${format}), p95`, ms(percentile(times, 95)), '≤ 100 ms')
      figure(`receipt PDF size (${format})`, `${(size / 1024).toFixed(0)} KiB`)
    }
  } finally {
    pki.remove()
  }
}
