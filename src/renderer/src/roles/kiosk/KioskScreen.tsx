import { useEffect, useState } from 'react'
import type { Service } from '../../../../shared/contract/schemas'
import { useApp } from '../../app/app-context'
import { takeTicket, type IssuedTicket } from '../../data/queue'
import { useI18n } from '../../i18n/i18n'
import { Banner } from '../../ui/Banner'
import { describeError } from '../../ui/error-message'

/** After this long the ticket card closes by itself, ready for the next resident. */
const TICKET_CARD_MS = 15_000

export function KioskScreen({ onToggleLanguage }: { onToggleLanguage: () => void }) {
  const { device, catalog, store } = useApp()
  const { t, language } = useI18n()
  const [issued, setIssued] = useState<{ ticket: IssuedTicket; service: Service }>()
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string>()

  useEffect(() => {
    if (!issued) return
    const timer = setTimeout(() => setIssued(undefined), TICKET_CARD_MS)
    return () => clearTimeout(timer)
  }, [issued])

  const take = async (service: Service): Promise<void> => {
    if (busy) return
    setBusy(true)
    setError(undefined)
    try {
      setIssued({ ticket: await takeTicket(store, service, device.config.ticketBlock), service })
    } catch (failure) {
      setError(describeError(failure, t))
    } finally {
      setBusy(false)
    }
  }

  const serviceName = (service: Service): string => (language === 'vi' ? service.name : service.nameEn)

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
      {issued ? (
        <section className="ticket-card" aria-live="assertive">
          <p>{t('kiosk.yourNumber')}</p>
          <p className="ticket-number" data-testid="issued-ticket">
            {issued.ticket.ticket.label}
          </p>
          <p className="ticket-service">{serviceName(issued.service)}</p>
          <p>{issued.ticket.ahead > 0 ? t('kiosk.ahead', { count: issued.ticket.ahead }) : t('kiosk.noneAhead')}</p>
          <p className="ticket-hint">{t('kiosk.pleaseWait')}</p>
          <button type="button" className="touch-button primary" onClick={() => setIssued(undefined)}>
            {t('kiosk.takeAnother')}
          </button>
        </section>
      ) : (
        <section>
          <h2 className="kiosk-prompt">{t('kiosk.chooseService')}</h2>
          <div className="service-grid">
            {catalog.services.map((service) => (
              <button key={service.id} type="button" className="touch-button service-button" disabled={busy} onClick={() => void take(service)}>
                <span className="service-prefix" aria-hidden="true">
                  {service.prefix}
                </span>
                <span>{serviceName(service)}</span>
              </button>
            ))}
          </div>
        </section>
      )}
    </main>
  )
}
