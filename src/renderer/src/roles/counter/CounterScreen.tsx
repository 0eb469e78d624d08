import { useState } from 'react'
import { useApp } from '../../app/app-context'
import { useQueue } from '../../app/use-queue'
import { callNext } from '../../data/queue'
import { useI18n } from '../../i18n/i18n'
import { Banner } from '../../ui/Banner'
import { describeError } from '../../ui/error-message'

const NEXT_SHOWN = 8

export function CounterScreen({ counter }: { counter: number }) {
  const { store, catalog } = useApp()
  const { t, language } = useI18n()
  const queue = useQueue()
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string>()
  const [emptyNotice, setEmptyNotice] = useState(false)

  const current = queue?.nowServing.get(counter)
  const lost = queue?.lostCalls.filter((lostCall) => lostCall.counter === counter).at(-1)
  const serviceName = (serviceId: string): string => {
    const service = catalog.services.find((candidate) => candidate.id === serviceId)
    return service ? (language === 'vi' ? service.name : service.nameEn) : serviceId
  }

  const onCallNext = async (): Promise<void> => {
    if (busy) return
    setBusy(true)
    setError(undefined)
    try {
      setEmptyNotice((await callNext(store, counter)) === undefined)
    } catch (failure) {
      setError(describeError(failure, t))
    } finally {
      setBusy(false)
    }
  }

  return (
    <main className="counter">
      <header className="counter-header">
        <h1>{t('counter.title', { counter })}</h1>
        <p data-testid="waiting-count">{t('counter.waiting', { count: queue?.waiting.length ?? 0 })}</p>
      </header>
      {error && <Banner tone="error">{error}</Banner>}
      {lost && <Banner tone="info">{t('counter.lostCall', { label: lost.label, winner: lost.wonByCounter })}</Banner>}
      <section className="counter-current">
        <h2>{t('counter.nowServing')}</h2>
        <p className="counter-number" data-testid="counter-current">
          {current ? current.label : t('counter.nobody')}
        </p>
        {current && <p>{serviceName(current.serviceId)}</p>}
        <button type="button" className="touch-button primary" disabled={busy} onClick={() => void onCallNext()}>
          {t('counter.callNext')}
        </button>
        {emptyNotice && <p role="status">{t('counter.queueEmpty')}</p>}
      </section>
      <section className="counter-next">
        <h2>{t('counter.nextTickets')}</h2>
        <ol>
          {queue?.waiting.slice(0, NEXT_SHOWN).map((ticket) => (
            <li key={ticket.ticketId}>
              <strong>{ticket.label}</strong> {serviceName(ticket.serviceId)}
            </li>
          ))}
        </ol>
      </section>
    </main>
  )
}
