import { z } from 'zod'
import { MAX_BLOB_BYTES, SealedValueSchema } from '../eventlog/envelope'
import { DossierCodeSchema } from './dossier-code'
import { RequiredPaperSchema } from './procedures'

export const DossierEvent = {
  received: 'dossier.received',
  receiptIssued: 'dossier.receiptIssued',
  papersDigitized: 'dossier.papersDigitized',
} as const

/**
 * A dossier taken at the counter: recorded first, so that nothing is lost if signing the receipt
 * fails; the receipt follows as its own event. Who brought it is personal data and travels sealed
 * with the device data key; what was received and when it is due travel in clear.
 */
export const DossierReceivedSchema = z
  .object({
    dossierId: z.uuid(),
    code: DossierCodeSchema,
    procedureId: z.string().min(1).max(40),
    applicant: SealedValueSchema,
    identifiedBy: z.enum(['chipCard', 'cccdQr', 'typed']),
    papers: z.array(RequiredPaperSchema).min(1).max(40),
    sets: z.number().int().min(1).max(99),
    feeVnd: z.number().int().min(0),
    receivedAt: z.number().int(),
    returnAt: z.number().int(),
    counter: z.number().int().min(1).max(99),
    officer: z.string().trim().min(1).max(120),
  })
  .strict()
export type DossierReceived = z.infer<typeof DossierReceivedSchema>

/** The signed receipt handed over for a dossier: its fingerprint and the seal printed on it. */
export const DossierReceiptIssuedSchema = z
  .object({
    dossierId: z.uuid(),
    format: z.enum(['a4', 'thermal']),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    seal: z.string().min(1).max(600),
  })
  .strict()
export type DossierReceiptIssued = z.infer<typeof DossierReceiptIssuedSchema>

const Sha256Schema = z.string().regex(/^[0-9a-f]{64}$/)

/**
 * The dossier's papers, digitized at the counter: one signed archival PDF and the pages it was made
 * of, per paper (paperId: "paper-N", the paper's place in the dossier's list). Only content
 * addresses travel in the log; the files themselves are sealed blobs that sync carries by SHA-256.
 */
export const DossierPapersDigitizedSchema = z
  .object({
    dossierCode: DossierCodeSchema,
    pdf: z
      .object({
        sha256: Sha256Schema,
        bytes: z.number().int().min(1).max(MAX_BLOB_BYTES),
        fileName: z.string().regex(/^[\w.-]{1,200}$/),
        pages: z.number().int().min(1).max(1000),
      })
      .strict(),
    pagesByPaper: z
      .array(z.object({ paperId: z.string().regex(/^paper-\d{1,2}$/), pageSha256s: z.array(Sha256Schema).min(1).max(1000) }).strict())
      .min(1)
      .max(40),
  })
  .strict()
export type DossierPapersDigitized = z.infer<typeof DossierPapersDigitizedSchema>

/** The paperId of the paper at this place (0-based) in a dossier's list. */
export function paperIdAt(index: number): string {
  return `paper-${index + 1}`
}
