import { compareEvents, eventKey, type EventEnvelope } from '../eventlog/envelope'
import { vietnamDay } from '../time'
import { DossierEvent, DossierPapersDigitizedSchema, DossierReceiptIssuedSchema, DossierReceivedSchema, type DossierPapersDigitized, type DossierReceiptIssued, type DossierReceived } from './events'

export interface Dossier extends DossierReceived {
  readonly receivedBy: string
  readonly receipts: readonly DossierReceiptIssued[]
  /** Each time its papers were digitized, oldest first (the last one is the current PDF). */
  readonly digitized: readonly DossierPapersDigitized[]
}

/** The dossiers received on a day, oldest first: a fold of the log like the queue. */
export function foldDossiers(events: readonly EventEnvelope[], day: string): Dossier[] {
  const ordered = [...new Map(events.map((event) => [eventKey(event), event])).values()].sort(compareEvents)
  const byId = new Map<string, Dossier>()
  for (const event of ordered) {
    if (event.v !== 1) continue
    if (event.type === DossierEvent.received) {
      const parsed = DossierReceivedSchema.safeParse(event.payload)
      if (!parsed.success || byId.has(parsed.data.dossierId) || vietnamDay(parsed.data.receivedAt) !== day) continue
      byId.set(parsed.data.dossierId, { ...parsed.data, receivedBy: event.deviceId, receipts: [], digitized: [] })
    } else if (event.type === DossierEvent.receiptIssued) {
      const parsed = DossierReceiptIssuedSchema.safeParse(event.payload)
      const dossier = parsed.success ? byId.get(parsed.data.dossierId) : undefined
      if (dossier && parsed.success) byId.set(dossier.dossierId, { ...dossier, receipts: [...dossier.receipts, parsed.data] })
    } else if (event.type === DossierEvent.papersDigitized) {
      const parsed = DossierPapersDigitizedSchema.safeParse(event.payload)
      const dossier = parsed.success ? [...byId.values()].find((candidate) => candidate.code === parsed.data.dossierCode) : undefined
      if (dossier && parsed.success) byId.set(dossier.dossierId, { ...dossier, digitized: [...dossier.digitized, parsed.data] })
    }
  }
  return [...byId.values()]
}

/** How many dossiers a device has received that day: the basis of its next dossier code. */
export function dossiersReceivedBy(dossiers: readonly Dossier[], deviceId: string): number {
  return dossiers.filter((dossier) => dossier.receivedBy === deviceId).length
}

/**
 * The content addresses (SHA-256 of the plaintext) of the files an event refers to: what sync must
 * carry along with it. Empty for events that refer to none, or that do not parse.
 */
export function blobsReferencedBy(event: Pick<EventEnvelope, 'type' | 'v' | 'payload'>): string[] {
  if (event.type !== DossierEvent.papersDigitized || event.v !== 1) return []
  const parsed = DossierPapersDigitizedSchema.safeParse(event.payload)
  if (!parsed.success) return []
  return [...new Set([parsed.data.pdf.sha256, ...parsed.data.pagesByPaper.flatMap((paper) => paper.pageSha256s)])]
}
