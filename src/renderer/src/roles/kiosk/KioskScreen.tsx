import { useCallback, useState } from 'react'
import type { Service } from '../../../../shared/contract/schemas'
import type { PriorityClass } from '../../../../shared/domain/queue/events'
import { useApp } from '../../app/app-context'
import { useIdle } from '../../app/use-idle'
import { parseAppointmentSlipQr } from '../../../../shared/domain/appointments/slip-qr'
import { useScans } from '../../scan/scans'
import { takeTicket, type IssuedTicket } from '../../data/queue'
import { useI18n } from '../../i18n/i18n'
import { useTicketPrinter } from '../../printing/use-ticket-printer'
import { Banner } from '../../ui/Banner'
import { describeError } from '../../ui/error-message'
import { BookingFlow } from './BookingFlow'
import { CheckInFlow, useCheckIn } from './CheckInFlow'
import { IdCardFlow } from './IdCardFlow'
import { LookupView } from './LookupView'
import { classifyScan } from '../../../../shared/domain/scan/classify'
import type { OperationOutput } from '../../../../shared/contract/contract'
import { RatingFlow } from './RatingFlow'
import { ReturnFlow } from './ReturnFlow'
import { ServicePicker } from './ServicePicker'
import { TicketCard } from './TicketCard'

/** Whether a scan is one of our receipt seals (read only; main verifies it). */
function isReceiptSeal(text: string): boolean {
  const scan = classifyScan(text)
  return scan.ok ? scan.value.kind === 'receipt' : scan.error.code === 'invalidSeal'
}

type View = { name: 'home' } | { name: 'ticket'; issued: IssuedTicket; service: Service } | { name: 'book' } | { name: 'checkIn' } | { name: 'rate' } | { name: 'return' } | { name: 'idCard' } | { name: 'lookup'; verdict: OperationOutput<'verifyDocument'> }

/** A flow left untouched this long goes back to the start for the next resident. */
const IDLE_MS = 60_000

export function KioskScreen({ onToggleLanguage }: { onToggleLanguage: () => void }) {
  const { api, device, setup, store } = useApp()
  const { t } = useI18n()
  const [view, setView] = useState<View>({ name: 'home' })
  const [priority, setPriority] = useState<PriorityClass>()
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string>()
  const printing = useTicketPrinter()
  const { clearSystemPrintout } = printing
  const home = useCallback(() => {
    setView({ name: 'home' })
    setPriority(undefined)
    setError(undefined)
    clearSystemPrintout()
  }, [clearSystemPrintout])
  useIdle(home, IDLE_MS, view.name !== 'home')

  const take = async (service: Service): Promise<void> => {
    if (busy) return
    setBusy(true)
    setError(undefined)
    try {
      const issued = await takeTicket(store, { service, block: device.config.ticketBlock, rules: setup.queueRules, ...(priority && { priority }) })
      setPriority(undefined)
      setView({ name: 'ticket', issued, service })
      printing.print(issued, service)
    } catch (failure) {
      setError(describeError(failure, t))
    } finally {
      setBusy(false)
    }
  }

  const showTicket = (issued: IssuedTicket): void => {
    const service = setup.services.find((candidate) => candidate.id === issued.ticket.serviceId)
    if (!service) return
    setView({ name: 'ticket', issued, service })
    printing.print(issued, service)
  }

  const lookUp = async (seal: string): Promise<void> => {
    try {
      setView({ name: 'lookup', verdict: await api.verifyDocument({ seal }) })
    } catch (failure) {
      setError(describeError(failure, t))
    }
  }

  // On the start screen, a slip shown to any scanner checks the resident in straight away; a receipt's QR looks the dossier up.
  const checkInFromHome = useCheckIn(showTicket, setError)
  useScans((scan) => {
    if (view.name !== 'home') return
    setError(undefined)
    if (parseAppointmentSlipQr(scan.text).ok) void checkInFromHome(scan.text)
    else if (isReceiptSeal(scan.text)) void lookUp(scan.text)
    else setError(t('scan.notRecognised'))
  })

  return (
    <main className="kiosk">
      <header className="kiosk-header">
        <div>
          <p className="kiosk-ward">{device.ward.fullName}</p>
          <h1>{t('kiosk.welcome')}</h1>
        </div>
        <button type="button" className="language-button" onClick={onToggleLanguage}>
          {t('language.switch')}
        </button>
      </header>
      {error && <Banner tone="error">{error}</Banner>}
      {view.name === 'home' && (
        <>
          <ServicePicker prompt={t('kiosk.chooseService')} priority={priority} onPriority={setPriority} onPick={(service) => void take(service)} disabled={busy} showWait />
          <nav className="kiosk-actions">
            <button type="button" className="touch-button" onClick={() => setView({ name: 'checkIn' })}>
              {t('kiosk.checkIn')}
            </button>
            <button type="button" className="touch-button" onClick={() => setView({ name: 'book' })}>
              {t('kiosk.book')}
            </button>
            <button type="button" className="touch-button" onClick={() => setView({ name: 'return' })}>
              {t('kiosk.returnNoShow')}
            </button>
            <button type="button" className="touch-button" onClick={() => setView({ name: 'rate' })}>
              {t('kiosk.rate')}
            </button>
            <button type="button" className="touch-button" onClick={() => setView({ name: 'idCard' })}>
              {t('kiosk.readIdCard')}
            </button>
          </nav>
        </>
      )}
      {view.name === 'ticket' && (
        <>
          <TicketCard issued={view.issued} service={view.service} onDone={home} />
          {printing.failedLabel === view.issued.ticket.label && (
            <Banner tone="error">{t('print.failed', { label: printing.failedLabel })}</Banner>
          )}
          {printing.systemPrintout && (
            <img className={`print-only-ticket paper-${device.config.printer.paperWidth}`} src={printing.systemPrintout} alt="" onLoad={() => window.print()} />
          )}
        </>
      )}
      {view.name === 'book' && <BookingFlow onDone={home} />}
      {view.name === 'checkIn' && <CheckInFlow onTicket={showTicket} onCancel={home} />}
      {view.name === 'rate' && <RatingFlow onDone={home} />}
      {view.name === 'return' && <ReturnFlow onDone={home} />}
      {view.name === 'idCard' && <IdCardFlow onDone={home} />}
      {view.name === 'lookup' && <LookupView verdict={view.verdict} onDone={home} />}
    </main>
  )
}
