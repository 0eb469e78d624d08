import { createHash, X509Certificate } from 'node:crypto'
import { join } from 'node:path'
import { MotcuaError } from '../../../shared/contract/dispatch'
import type { ProcedureCatalog } from '../../../shared/domain/dossier/procedures'
import { loadSampleProcedureCatalog } from '../catalog/procedures'
import type { ReceiptData } from '../../../shared/domain/dossier/receipt'
import { sealKeyFromSigner } from '../seal/seal-key'
import { keyFileSigner, type Signer } from '../signing/signer'
import { issueReceipt } from './issue-receipt'
import type { ReceiptFormat } from './receipt-pdf'

/** A PKCS#12 file and its passphrase, as a technician provides them when starting the app. */
export interface KeyFile {
  readonly pkcs12: Buffer
  readonly passphrase: string
}

export interface ReceiptDeskOptions {
  readonly resourcesDir: string
  /** Signs the receipt PDF (RSA-2048+ or ECDSA P-256). Without it no receipt is issued. */
  readonly signingKey?: KeyFile
  /** Signs the QR seal (ECDSA P-256); defaults to the signing key, which must then be P-256. */
  readonly sealKey?: KeyFile
}

export interface ReceiptDesk {
  procedures(): Promise<ProcedureCatalog>
  issue(receipt: ReceiptData, format: ReceiptFormat): Promise<{ pdfBase64: string; seal: string; sha256: string }>
  /** The seal key's certificate and chain: this device's own seals can be checked with them. */
  sealCertificates(): X509Certificate[]
  /** The counter's signing key, which also signs its digitized papers; undefined without one. */
  signer(): Signer | undefined
}

/** Where the counter's receipts are made: the procedure catalogue, the layout, the seal and the signature. */
export function createReceiptDesk(options: ReceiptDeskOptions): ReceiptDesk {
  const signer = options.signingKey && keyFileSigner(options.signingKey.pkcs12, options.signingKey.passphrase)
  const sealSource = options.sealKey ? keyFileSigner(options.sealKey.pkcs12, options.sealKey.passphrase) : signer
  const sealKey = sealSource && sealKeyFromSigner(sealSource)
  let catalog: Promise<ProcedureCatalog> | undefined

  return {
    procedures() {
      catalog ??= loadSampleProcedureCatalog(options.resourcesDir)
      return catalog
    },
    sealCertificates() {
      return (sealSource?.certificateChain ?? []).map((der) => new X509Certificate(der))
    },
    signer: () => signer,
    async issue(receipt, format) {
      if (!signer || !sealKey) throw new MotcuaError('notConfigured', 'No signing key: start with a PKCS#12 signing key (motcua web --signing-p12 FILE --signing-pass-env VAR)')
      const issued = await issueReceipt(receipt, { format, signer, sealKey, fontsDir: join(options.resourcesDir, 'fonts') })
      return { pdfBase64: issued.pdf.toString('base64'), seal: issued.seal, sha256: createHash('sha256').update(issued.pdf).digest('hex') }
    },
  }
}
