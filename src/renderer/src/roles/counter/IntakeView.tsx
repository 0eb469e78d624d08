import { useLiveQuery } from 'dexie-react-hooks'
import { useEffect, useMemo, useState } from 'react'
import { WorkingCalendar } from '../../../../shared/domain/calendar/workdays'
import { returnTime, searchProcedures, type Procedure, type ProcedureCatalog } from '../../../../shared/domain/dossier/procedures'
import type { ReceiptData } from '../../../../shared/domain/dossier/receipt'
import { classifyScan } from '../../../../shared/domain/scan/classify'
import { toNfc } from '../../../../shared/domain/text'
import { vietnamDay, vietnameseDateTime } from '../../../../shared/domain/time'
import { useApp } from '../../app/app-context'
import { useNow } from '../../app/use-queue'
import { issueReceipt, readDossiers, receiveDossier } from '../../data/dossiers'
import { useI18n, type Translate } from '../../i18n/i18n'
import { useScans } from '../../scan/scans'
import { Banner } from '../../ui/Banner'
import { describeError } from '../../ui/error-message'
import { PagesBoard } from '../../capture/PagesBoard'
import { VerifyDocument } from './VerifyDocument'

type Papers = ReceiptData['papers']
interface Applicant {
  fullName: string
  idNumber: string
  address: string
  phone: string
}
const EMPTY_APPLICANT: Applicant = { fullName: '', idNumber: '', address: '', phone: '' }
const RESULTS_SHOWN = 8

/** What stops the clerk from receiving the dossier as entered, in Vietnamese; undefined when it can go. */
function problemOf(procedure: Procedure | undefined, applicant: Applicant, papers: Papers, t: Translate): string | undefined {
  if (!procedure) return t('intake.pickProcedure')
  if (applicant.fullName.trim() === '') return t('intake.needName')
  if (!/^\d{12}$/.test(applicant.idNumber)) return t('intake.badIdNumber')
  if (applicant.address.trim() === '') return t('intake.needAddress')
  if (applicant.phone !== '' && !/^\+?[0-9 .-]{8,20}$/.test(applicant.phone)) return t('intake.badPhone')
  if (papers.length === 0) return t('intake.noPapers')
  return undefined
}

/** The clerk receives a dossier: procedure, applicant (typed or from the CCCD QR), papers, fee, and the signed receipt. */
export function IntakeView({ counter, officer }: { counter: number; officer: string }) {
  const { api, store, device, setup } = useApp()
  const { t } = useI18n()
  const now = useNow()
  const [catalog, setCatalog] = useState<ProcedureCatalog>()
  const [query, setQuery] = useState('')
  const [procedure, setProcedure] = useState<Procedure>()
  const [applicant, setApplicant] = useState<Applicant>(EMPTY_APPLICANT)
  const [identifiedBy, setIdentifiedBy] = useState<'cccdQr' | 'typed'>('typed')
  const [ticked, setTicked] = useState<boolean[]>([])
  const [sets, setSets] = useState(1)
  const [busy, setBusy] = useState(false)
  const [message, setMessage] = useState<{ tone: 'error' | 'info'; text: string }>()
  const [issued, setIssued] = useState<{ code: string; returnAt: number; url: string; dossierId: string; receipt: ReceiptData }>()
  /** The dossier whose papers the clerk is digitizing: the one just received, or one picked from today's list. */
  const [digitizing, setDigitizing] = useState<string>()
  const calendar = useMemo(() => new WorkingCalendar(setup.calendarOverrides), [setup])
  const today = useLiveQuery(() => readDossiers(store, vietnamDay(now)), [store, now])

  useEffect(() => {
    api.getProcedures({}).then(setCatalog, (error: unknown) => setMessage({ tone: 'error', text: describeError(error, t) }))
  }, [api, t])
  useEffect(() => () => issued && URL.revokeObjectURL(issued.url), [issued])

  // A CCCD QR scanned at the counter fills in the applicant.
  useScans((scan) => {
    const classified = classifyScan(scan.text)
    if (classified.ok && classified.value.kind === 'cccd') {
      const { card } = classified.value
      setApplicant((previous) => ({ ...previous, fullName: card.fullName, idNumber: card.id, address: card.address }))
      setIdentifiedBy('cccdQr')
    } else setMessage({ tone: 'error', text: t('booking.invalidCccd') })
  })

  const pick = (chosen: Procedure): void => {
    setProcedure(chosen)
    setTicked(chosen.papers.map(() => true))
    setQuery('')
  }
  const papers: Papers = procedure ? procedure.papers.filter((_paper, index) => ticked[index]) : []
  const returnAt = procedure && catalog ? returnTime({ receivedAt: now, processing: procedure.processing, returnClock: catalog.returnClock, calendar }) : undefined
  const problem = problemOf(procedure, applicant, papers, t)
  const digitizingDossier = today?.find((dossier) => dossier.dossierId === digitizing)

  const receive = async (): Promise<void> => {
    if (!procedure || returnAt === undefined || problem) return
    setBusy(true)
    setMessage(undefined)
    try {
      const receivedAt = Date.now()
      const { dossier, receipt } = await receiveDossier(store, api, device, {
        procedure,
        applicant: { fullName: toNfc(applicant.fullName.trim()), idNumber: applicant.idNumber, address: toNfc(applicant.address.trim()), ...(applicant.phone && { phone: applicant.phone }) },
        identifiedBy,
        papers,
        sets,
        feeVnd: procedure.fee.amountVnd ?? 0,
        request: procedure.name,
        collectAt: t('intake.collectAtCounter', { counter, ward: device.ward.fullName }),
        officer: officer.trim() || t('counter.title', { counter }),
        receivedAt,
        returnAt: returnTime({ receivedAt, processing: procedure.processing, returnClock: catalog!.returnClock, calendar }),
      })
      setDigitizing(dossier.dossierId)
      try {
        const pdf = await issueReceipt(store, api, dossier.dossierId, receipt, 'a4')
        setIssued({ code: dossier.code, returnAt: dossier.returnAt, url: URL.createObjectURL(pdf), dossierId: dossier.dossierId, receipt })
        setProcedure(undefined)
        setApplicant(EMPTY_APPLICANT)
        setIdentifiedBy('typed')
      } catch (failure) {
        setMessage({ tone: 'error', text: `${t('intake.receivedNoReceipt', { code: dossier.code })} ${describeError(failure, t)}` })
      }
    } catch (failure) {
      setMessage({ tone: 'error', text: describeError(failure, t) })
    } finally {
      setBusy(false)
    }
  }

  const thermal = async (): Promise<void> => {
    if (!issued) return
    try {
      const pdf = await issueReceipt(store, api, issued.dossierId, issued.receipt, 'thermal')
      window.open(URL.createObjectURL(pdf), '_blank', 'noopener')
    } catch (failure) {
      setMessage({ tone: 'error', text: describeError(failure, t) })
    }
  }

  const field = (key: keyof Applicant, label: string, inputMode?: 'numeric' | 'tel') => (
    <label>
      {label}
      <input value={applicant[key]} inputMode={inputMode} maxLength={key === 'address' ? 300 : 120} onChange={(event) => {
        setApplicant({ ...applicant, [key]: event.target.value })
        setIdentifiedBy('typed')
      }} />
    </label>
  )

  return (
    <section className="intake">
      {message && <Banner tone={message.tone}>{message.text}</Banner>}
      {issued && (
        <div className="intake-done" role="status">
          <p>{t('intake.done', { code: issued.code, when: vietnameseDateTime(issued.returnAt) })}</p>
          <a className="touch-button primary" href={issued.url} download={`giay-tiep-nhan-${issued.code}.pdf`}>
            {t('intake.downloadReceipt')}
          </a>
          <a className="touch-button" href={issued.url} target="_blank" rel="noopener">
            {t('intake.openReceipt')}
          </a>
          <button type="button" className="touch-button" onClick={() => void thermal()}>
            {t('intake.thermalReceipt')}
          </button>
        </div>
      )}
      {digitizingDossier && <PagesBoard key={digitizingDossier.dossierId} dossier={digitizingDossier} digitizerName={officer.trim() || undefined} />}
      <h2>{t('intake.title')}</h2>
      <label className="intake-search">
        {t('intake.searchProcedure')}
        <input value={query} onChange={(event) => setQuery(event.target.value)} placeholder="dang ky ket hon, 1.000894…" />
      </label>
      {query !== '' && catalog && (
        <ul className="procedure-results">
          {searchProcedures(catalog.procedures, query).slice(0, RESULTS_SHOWN).map((candidate) => (
            <li key={candidate.id}>
              <button type="button" className="small-button" onClick={() => pick(candidate)}>
                {candidate.name}
                {candidate.code && <small> · {candidate.code}</small>}
              </button>
            </li>
          ))}
        </ul>
      )}
      {procedure && (
        <div className="intake-form">
          <p className="intake-procedure" data-testid="intake-procedure">
            <strong>{procedure.name}</strong> {procedure.code && `(${procedure.code})`} — {procedure.processing.text}; {procedure.fee.text}
          </p>
          <fieldset>
            <legend>{t('intake.applicant')}</legend>
            {field('fullName', t('intake.fullName'))}
            {field('idNumber', t('intake.idNumber'), 'numeric')}
            {field('address', t('intake.address'))}
            {field('phone', t('intake.phone'), 'tel')}
            <p className="hint">{t('intake.scanHint')}</p>
          </fieldset>
          <fieldset>
            <legend>{t('intake.papers')}</legend>
            {procedure.papers.map((paper, index) => (
              <label key={paper.name} className="checkbox">
                <input type="checkbox" checked={ticked[index] ?? false} onChange={() => setTicked(ticked.map((value, at) => (at === index ? !value : value)))} />
                {paper.name} ({t('intake.paperCounts', { originals: paper.originals, certified: paper.certifiedCopies, copies: paper.copies })})
              </label>
            ))}
          </fieldset>
          <label>
            {t('intake.sets')}
            <input type="number" min={1} max={99} value={sets} onChange={(event) => setSets(Math.max(1, Math.min(99, Number(event.target.value) || 1)))} />
          </label>
          {returnAt !== undefined && <p data-testid="return-at">{t('intake.returnAt', { when: vietnameseDateTime(returnAt) })}</p>}
          {problem && <p className="hint" role="note">{problem}</p>}
          <button type="button" className="touch-button primary" disabled={busy || problem !== undefined} onClick={() => void receive()}>
            {t('intake.receive')}
          </button>
        </div>
      )}
      <VerifyDocument />
      <h2>{t('intake.today')}</h2>
      <ol className="dossiers-today" data-testid="dossiers-today">
        {(today ?? []).map((dossier) => (
          <li key={dossier.dossierId}>
            {dossier.code} · {vietnameseDateTime(dossier.returnAt)} · {dossier.receipts.length > 0 ? t('intake.receiptIssued') : t('intake.noReceiptYet')}
            {dossier.digitized.length > 0 && ` · ${t('capture.digitizedBefore', { pages: dossier.digitized.at(-1)!.pdf.pages })}`}
            <button type="button" className="small-button" aria-label={t('capture.digitizeCode', { code: dossier.code })} aria-pressed={digitizing === dossier.dossierId} onClick={() => setDigitizing(dossier.dossierId)}>
              {t('capture.digitize')}
            </button>
          </li>
        ))}
      </ol>
    </section>
  )
}
