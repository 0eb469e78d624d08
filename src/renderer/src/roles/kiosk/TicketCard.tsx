import { useEffect } from 'react'
import { countersOf, type Service } from '../../../../shared/contract/schemas'
import { minutesToServe } from '../../../../shared/domain/queue/wait-estimate'
import { useApp } from '../../app/app-context'
import { useQueue } from '../../app/use-queue'
import type { IssuedTicket } from '../../data/queue'
import { useI18n } from '../../i18n/i18n'

/** After this long the ticket card closes by itself, ready for the next resident. */
const TICKET_CARD_MS = 15_000

export function TicketCard({ issued, service, onDone }: { issued: IssuedTicket; service: Service; onDone: () => void }) {
  const { t, language } = useI18n()
  const { setup, device } = useApp()
  const queue = useQueue()
  useEffect(() => {
    const timer = setTimeout(onDone, TICKET_CARD_MS)
    return () => clearTimeout(timer)
  }, [onDone])
  const { ticket, ahead } = issued
  // Those ahead of this ticket when it was issued, at today's pace.
  const minutes = queue ? minutesToServe(queue, service.id, ahead, countersOf(setup, device.config.counterCount), setup.queueRules) : 0
  return (
    <section className="ticket-card" aria-live="assertive">
      <p>{t('kiosk.yourNumber')}</p>
      <p className="ticket-number" data-testid="issued-ticket">
        {ticket.label}
      </p>
      <p className="ticket-service">{language === 'vi' ? service.name : service.nameEn}</p>
      {ticket.priority && <p className="ticket-priority">{t('kiosk.priorityTicket', { priority: t(`priority.${ticket.priority}`) })}</p>}
      <p data-testid="ticket-ahead">{ahead > 0 ? t('kiosk.ahead', { count: ahead }) : t('kiosk.noneAhead')}</p>
      {ahead > 0 && <p>{t('kiosk.estimatedWait', { minutes })}</p>}
      <p className="ticket-hint">{t('kiosk.pleaseWait')}</p>
      <button type="button" className="touch-button primary" onClick={onDone}>
        {t('kiosk.takeAnother')}
      </button>
    </section>
  )
}
