import type { MotcuaApi } from '../../../shared/contract/contract'
import { agencyOf } from '../../../shared/domain/dossier/agency'
import { dossierCode } from '../../../shared/domain/dossier/dossier-code'
import { dossiersReceivedBy, foldDossiers, type Dossier } from '../../../shared/domain/dossier/dossiers'
import { DossierEvent, type DossierReceived } from '../../../shared/domain/dossier/events'
import type { Procedure } from '../../../shared/domain/dossier/procedures'
import type { ReceiptData } from '../../../shared/domain/dossier/receipt'
import { vietnamDay } from '../../../shared/domain/time'
import type { DeviceInfo } from '../../../shared/contract/schemas'
import { bytesOfBase64 } from './base64'
import type { EventStore } from './event-store'

const DOSSIER_TYPES = [DossierEvent.received, DossierEvent.receiptIssued, DossierEvent.papersDigitized]

export async function readDossiers(store: EventStore, day: string): Promise<Dossier[]> {
  return foldDossiers(await store.eventsOfTypes(DOSSIER_TYPES), day)
}

export interface Intake {
  readonly procedure: Procedure
  readonly applicant: ReceiptData['applicant']
  readonly identifiedBy: DossierReceived['identifiedBy']
  readonly papers: ReceiptData['papers']
  readonly sets: number
  readonly feeVnd: number
  readonly request: string
  readonly collectAt: string
  readonly officer: string
  readonly receivedAt: number
  readonly returnAt: number
}

/**
 * Receives a dossier: the applicant sealed by main, then the dossier recorded with this counter's
 * next code in one transaction, and only then the receipt signed. A failed signature leaves the
 * dossier recorded, so the receipt can be issued again.
 */
export async function receiveDossier(store: EventStore, api: MotcuaApi, device: DeviceInfo, intake: Intake): Promise<{ dossier: DossierReceived; receipt: ReceiptData }> {
  const applicant = await api.sealPersonalData({ fields: Object.fromEntries(Object.entries(intake.applicant).filter(([, value]) => value !== undefined)) as Record<string, string> })
  const agency = agencyOf(device.ward)
  const recorded = await store.appendAfter(async () => {
    const today = await readDossiers(store, vietnamDay(intake.receivedAt))
    const dossier: DossierReceived = {
      dossierId: crypto.randomUUID(),
      code: dossierCode({
        agencyCode: agency.code,
        receivedAt: intake.receivedAt,
        ordinal: dossiersReceivedBy(today, store.deviceId) + 1,
        block: { index: device.config.counterNumber - 1, count: device.config.counterCount },
      }),
      procedureId: intake.procedure.id,
      applicant,
      identifiedBy: intake.identifiedBy,
      papers: intake.papers,
      sets: intake.sets,
      feeVnd: intake.feeVnd,
      receivedAt: intake.receivedAt,
      returnAt: intake.returnAt,
      counter: device.config.counterNumber,
      officer: intake.officer,
    }
    return { event: { type: DossierEvent.received, v: 1, payload: { ...dossier } }, result: dossier }
  })
  if (!recorded) throw new Error('Dossier was not recorded')
  const dossier = recorded.result
  return {
    dossier,
    receipt: {
      dossierCode: dossier.code,
      agency: { superior: agency.superior, name: agency.name, place: agency.place },
      applicant: intake.applicant,
      procedure: { code: intake.procedure.code, id: intake.procedure.id, name: intake.procedure.name },
      request: intake.request,
      papers: intake.papers,
      sets: intake.sets,
      processingTimeText: intake.procedure.processing.text,
      receivedAt: intake.receivedAt,
      returnAt: intake.returnAt,
      collectAt: intake.collectAt,
      fee: { amountVnd: intake.feeVnd, note: intake.procedure.fee.text },
      officer: { fullName: intake.officer },
      deviceId: device.config.deviceId,
    },
  }
}

/** Asks main to lay out, seal and sign the receipt, and records that it was handed over. */
export async function issueReceipt(store: EventStore, api: MotcuaApi, dossierId: string, receipt: ReceiptData, format: 'a4' | 'thermal'): Promise<Blob> {
  const issued = await api.issueReceipt({ receipt, format })
  await store.append({ type: DossierEvent.receiptIssued, v: 1, payload: { dossierId, format, sha256: issued.sha256, seal: issued.seal } })
  return new Blob([bytesOfBase64(issued.pdfBase64)], { type: 'application/pdf' })
}
