import { useEffect, useState } from 'react'
import { RATINGS } from '../../../../shared/domain/queue/events'
import { useApp } from '../../app/app-context'
import { useNow, useQueue } from '../../app/use-queue'
import { rateService } from '../../data/queue'
import { useI18n } from '../../i18n/i18n'
import { Banner } from '../../ui/Banner'
import { describeError } from '../../ui/error-message'
import { BackRow } from './BackRow'

/** Tickets served this recently are offered for the rating, so that it lands on the right counter and clerk. */
const RECENT_MS = 30 * 60_000
const THANKS_MS = 4000
const FACES = ['☹', '🙂', '😀'] as const

export function RatingFlow({ onDone }: { onDone: () => void }) {
  const { store } = useApp()
  const { t } = useI18n()
  const queue = useQueue()
  const now = useNow()
  const [ticketId, setTicketId] = useState<string>()
  const [thanked, setThanked] = useState(false)
  const [error, setError] = useState<string>()
  useEffect(() => {
    if (!thanked) return
    const timer = setTimeout(onDone, THANKS_MS)
    return () => clearTimeout(timer)
  }, [thanked, onDone])
  const recentlyServed = (queue?.tickets ?? []).filter((ticket) => ticket.servedAt !== undefined && now - ticket.servedAt <= RECENT_MS && !queue?.ratings.some((rating) => rating.ticketId === ticket.ticketId))

  const rate = async (rating: 1 | 2 | 3): Promise<void> => {
    try {
      const ticket = queue?.tickets.find((candidate) => candidate.ticketId === ticketId)
      await rateService(store, { rating, ...(ticket && { ticketId: ticket.ticketId, ...(ticket.counter && { counter: ticket.counter }) }) })
      setThanked(true)
    } catch (failure) {
      setError(describeError(failure, t))
    }
  }

  if (thanked) return <p className="rating-thanks" role="status">{t('rating.thanks')}</p>
  return (
    <section className="rating">
      {error && <Banner tone="error">{error}</Banner>}
      {recentlyServed.length > 0 && (
        <>
          <h2>{t('rating.whichTicket')}</h2>
          <div className="choice-row">
            {recentlyServed.map((ticket) => (
              <button key={ticket.ticketId} type="button" className="touch-button" aria-pressed={ticket.ticketId === ticketId} onClick={() => setTicketId(ticket.ticketId === ticketId ? undefined : ticket.ticketId)}>
                {ticket.label}
              </button>
            ))}
          </div>
        </>
      )}
      <h2>{t('rating.question')}</h2>
      <div className="rating-choices">
        {RATINGS.map((rating) => (
          <button key={rating} type="button" className={`touch-button rating-button rating-${rating}`} onClick={() => void rate(rating)}>
            <span aria-hidden="true" className="rating-face">
              {FACES[rating - 1]}
            </span>
            {t(`rating.${rating}`)}
          </button>
        ))}
      </div>
      <BackRow onBack={onDone} />
    </section>
  )
}
