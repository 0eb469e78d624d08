import { useState } from 'react'
import { useApp } from '../../app/app-context'
import { useNow, useQueue } from '../../app/use-queue'
import { returnTicket } from '../../data/queue'
import { useI18n } from '../../i18n/i18n'
import { Banner } from '../../ui/Banner'
import { describeError } from '../../ui/error-message'
import { BackRow } from './BackRow'

/** A resident who missed their call touches their number and goes back into the queue, within the ward's window. */
export function ReturnFlow({ onDone }: { onDone: () => void }) {
  const { store, setup } = useApp()
  const { t } = useI18n()
  const queue = useQueue()
  const now = useNow()
  const [message, setMessage] = useState<{ tone: 'error' | 'info'; text: string }>()
  const windowMs = setup.queueRules.noShowReturnMinutes * 60_000
  const returnable = (queue?.tickets ?? []).filter((ticket) => ticket.status === 'skipped' && now - ticket.skippedAt! <= windowMs)

  const back = async (ticketId: string, label: string): Promise<void> => {
    try {
      const returned = await returnTicket(store, ticketId, setup.queueRules)
      setMessage(returned ? { tone: 'info', text: t('kiosk.returned', { label }) } : { tone: 'error', text: t('kiosk.noReturnable', { minutes: setup.queueRules.noShowReturnMinutes }) })
    } catch (failure) {
      setMessage({ tone: 'error', text: describeError(failure, t) })
    }
  }

  return (
    <section className="return">
      <h2>{t('kiosk.returnQuestion')}</h2>
      {message && <Banner tone={message.tone}>{message.text}</Banner>}
      {returnable.length === 0 && !message && <p role="status">{t('kiosk.noReturnable', { minutes: setup.queueRules.noShowReturnMinutes })}</p>}
      <div className="choice-row">
        {returnable.map((ticket) => (
          <button key={ticket.ticketId} type="button" className="touch-button" onClick={() => void back(ticket.ticketId, ticket.label)}>
            {ticket.label}
          </button>
        ))}
      </div>
      <BackRow onBack={onDone} primary />
    </section>
  )
}
