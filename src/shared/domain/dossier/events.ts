import { z } from 'zod'
import { SealedValueSchema } from '../eventlog/envelope'
import { DossierCodeSchema } from './dossier-code'
import { RequiredPaperSchema } from './procedures'

export const DossierEvent = {
  received: 'dossier.received',
  receiptIssued: 'dossier.receiptIssued',
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
