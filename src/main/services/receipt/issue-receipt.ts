import { ReceiptDataSchema, type ReceiptData } from '../../../shared/domain/dossier/receipt'
import { vietnamDay } from '../../../shared/domain/time'
import { applicantIdHash, createSeal, type SealKey } from '../../../shared/seal/seal'
import { sha256 } from '../seal/seal-key'
import { signPdf } from '../signing/pades'
import type { Signer } from '../signing/signer'
import { buildReceiptPdf, type ReceiptFormat } from './receipt-pdf'

export interface IssueReceiptOptions {
  readonly format: ReceiptFormat
  /** Signs the PDF (PAdES-B-B): the receiving officer's or the centre's certificate. */
  readonly signer: Signer
  /** Signs the QR seal (ES256): the centre's seal key. */
  readonly sealKey: SealKey
  readonly fontsDir: string
  /** Source of the signing time and the document's creation date. */
  readonly now?: () => Date
}

export interface IssuedReceipt {
  readonly pdf: Buffer
  /** The seal text printed as the QR on page 1. */
  readonly seal: string
}

/** The QR seal of a receipt: what a counter or a citizen's phone can check offline without the PDF. */
function receiptSeal(receipt: ReceiptData, sealKey: SealKey): Promise<string> {
  return createSeal(
    {
      kind: 'receipt',
      code: receipt.dossierCode,
      serviceCode: receipt.procedure.code ?? receipt.procedure.id,
      applicantIdHash: applicantIdHash(receipt.applicant.idNumber, receipt.dossierCode, sha256),
      deviceId: receipt.deviceId,
      receivedAt: Math.floor(receipt.receivedAt / 1000) * 1000,
      returnDate: vietnamDay(receipt.returnAt),
    },
    sealKey,
  )
}

/** Checks the data, seals it, lays out the receipt and signs the PDF. */
export async function issueReceipt(data: ReceiptData, options: IssueReceiptOptions): Promise<IssuedReceipt> {
  const receipt = ReceiptDataSchema.parse(data)
  const now = (options.now ?? (() => new Date()))()
  const seal = await receiptSeal(receipt, options.sealKey)
  const unsigned = await buildReceiptPdf(receipt, { format: options.format, seal, fontsDir: options.fontsDir, createdAt: now })
  const pdf = await signPdf(unsigned, {
    signer: options.signer,
    reason: 'Tiếp nhận hồ sơ và hẹn trả kết quả',
    location: `${receipt.agency.name}, ${receipt.agency.place}`,
    now: () => now,
  })
  return { pdf, seal }
}
