import { useState } from 'react'
import { countersOf } from '../../../../shared/contract/schemas'
import { currentTicketAt, type QueueState, type Ticket } from '../../../../shared/domain/queue/fold'
import { pickNextTicket } from '../../../../shared/domain/queue/selection'
import { counterWeight, type CounterSetup, type QueueRules } from '../../../../shared/domain/queue/setup'
import { useApp } from '../../app/app-context'
import { useNow, useQueue } from '../../app/use-queue'
import { actOnCurrent, callNext, callTicket, transferCurrent, type CounterAction } from '../../data/queue'
import { useI18n } from '../../i18n/i18n'
import { Banner } from '../../ui/Banner'
import { describeError } from '../../ui/error-message'
import { IntakeView } from './IntakeView'
import { StatisticsView } from './StatisticsView'
import { SyncStatusChip } from '../../sync/SyncStatusChip'

const NEXT_SHOWN = 8

/** The clerk's name is a preference of this counter's machine, not data of the day. */
function useClerkName(counter: number): [string, (name: string) => void] {
  const key = `motcua.clerk.${counter}`
  const [name, setName] = useState(() => localStorage.getItem(key) ?? '')
  return [name, (value: string) => {
    setName(value)
    localStorage.setItem(key, value)
  }]
}

export function CounterScreen({ counter }: { counter: number }) {
  const { store, setup, device } = useApp()
  const { t, language } = useI18n()
  const queue = useQueue()
  const now = useNow()
  const [tab, setTab] = useState<'queue' | 'intake' | 'statistics'>('queue')
  const [clerk, setClerk] = useClerkName(counter)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string>()
  const [emptyNotice, setEmptyNotice] = useState(false)
  const [transferring, setTransferring] = useState(false)

  const rules = setup.queueRules
  const counters = countersOf(setup, device.config.counterCount)
  const self = counters.find((candidate) => candidate.number === counter) ?? { number: counter }
  const current = queue && currentTicketAt(queue, counter)
  const lost = queue?.lostCalls.filter((lostCall) => lostCall.counter === counter).at(-1)
  const clerkName = clerk.trim() || undefined
  const serviceName = (serviceId: string): string => {
    const service = setup.services.find((candidate) => candidate.id === serviceId)
    return service ? (language === 'vi' ? service.name : service.nameEn) : serviceId
  }
  const mine = (ticket: Ticket): boolean => (ticket.forCounter !== undefined ? ticket.forCounter === counter : counterWeight(self, ticket.serviceId) !== undefined)
  const waitingHere = (queue?.waiting ?? []).filter(mine)
  const noShows = (queue?.tickets ?? []).filter((ticket) => ticket.status === 'skipped' && ticket.counter === counter && now - ticket.skippedAt! <= rules.noShowReturnMinutes * 60_000)

  const run = async (action: () => Promise<unknown>): Promise<void> => {
    if (busy) return
    setBusy(true)
    setError(undefined)
    setEmptyNotice(false)
    try {
      await action()
    } catch (failure) {
      setError(describeError(failure, t))
    } finally {
      setBusy(false)
    }
  }
  // "Next" finishes the current resident first, as a clerk expects.
  const onCallNext = () =>
    run(async () => {
      if (current) await actOnCurrent(store, 'serve', counter, rules)
      setEmptyNotice((await callNext(store, self, rules, clerkName)) === undefined)
    })
  const onAction = (action: CounterAction) => run(() => actOnCurrent(store, action, counter, rules))
  const onCall = (ticketId: string) =>
    run(async () => {
      if (current) await actOnCurrent(store, 'serve', counter, rules)
      await callTicket(store, ticketId, counter, rules, clerkName)
    })
  const onTransfer = (to: { serviceId?: string; counter?: number }) =>
    run(async () => {
      await transferCurrent(store, counter, to, rules)
      setTransferring(false)
    })

  return (
    <main className="counter">
      <header className="counter-header">
        <h1>{t('counter.title', { counter })}</h1>
        <SyncStatusChip />
        <label className="clerk-name">
          {t('counter.clerk')}
          <input value={clerk} maxLength={80} onChange={(event) => setClerk(event.target.value)} />
        </label>
        <nav className="tabs">
          <button type="button" aria-pressed={tab === 'queue'} onClick={() => setTab('queue')}>
            {t('counter.queueTab')}
          </button>
          <button type="button" aria-pressed={tab === 'intake'} onClick={() => setTab('intake')}>
            {t('counter.intakeTab')}
          </button>
          <button type="button" aria-pressed={tab === 'statistics'} onClick={() => setTab('statistics')}>
            {t('counter.statisticsTab')}
          </button>
        </nav>
      </header>
      {error && <Banner tone="error">{error}</Banner>}
      {lost && <Banner tone="info">{t('counter.lostCall', { label: lost.label, winner: lost.wonByCounter })}</Banner>}
      {tab === 'intake' ? (
        <IntakeView counter={counter} officer={clerk} />
      ) : tab === 'statistics' && queue ? (
        <StatisticsView queue={queue} />
      ) : (
        <>
          <section className="counter-current">
            <h2>{t('counter.nowServing')}</h2>
            <p className="counter-number" data-testid="counter-current">
              {current ? current.label : t('counter.nobody')}
            </p>
            {current && (
              <p>
                {serviceName(current.serviceId)}
                {current.priority && <strong className="priority-badge"> · {t(`priority.${current.priority}`)}</strong>}
              </p>
            )}
            <div className="counter-actions">
              <button type="button" className="touch-button primary" disabled={busy} onClick={() => void onCallNext()}>
                {t('counter.callNext')}
              </button>
              <button type="button" className="touch-button" disabled={busy || !current} onClick={() => void onAction('recall')}>
                {t('counter.recall')}
              </button>
              <button type="button" className="touch-button" disabled={busy || !current} onClick={() => void onAction('skip')}>
                {t('counter.noShow')}
              </button>
              <button type="button" className="touch-button" disabled={busy || !current} onClick={() => void onAction('serve')}>
                {t('counter.served')}
              </button>
              <button type="button" className="touch-button" disabled={busy || !current} aria-expanded={transferring} onClick={() => setTransferring(!transferring)}>
                {t('counter.transfer')}
              </button>
            </div>
            {transferring && current && (
              <div className="transfer-panel">
                <label>
                  {t('counter.transferToService')}
                  <select defaultValue="" onChange={(event) => event.target.value && void onTransfer({ serviceId: event.target.value })}>
                    <option value="" disabled>
                      —
                    </option>
                    {setup.services.filter((service) => service.id !== current.serviceId).map((service) => (
                      <option key={service.id} value={service.id}>
                        {serviceName(service.id)}
                      </option>
                    ))}
                  </select>
                </label>
                <label>
                  {t('counter.transferToCounter')}
                  <select defaultValue="" onChange={(event) => event.target.value && void onTransfer({ counter: Number(event.target.value) })}>
                    <option value="" disabled>
                      —
                    </option>
                    {counters.filter((other) => other.number !== counter).map((other) => (
                      <option key={other.number} value={other.number}>
                        {t('counter.title', { counter: other.number })}
                      </option>
                    ))}
                  </select>
                </label>
              </div>
            )}
            {emptyNotice && <p role="status">{t('counter.queueEmpty')}</p>}
          </section>
          <section className="counter-next">
            <p className="counter-waiting" data-testid="waiting-count">
              {t('counter.waiting', { count: waitingHere.length })}
            </p>
            <h2>{t('counter.nextTickets')}</h2>
            <ol>
              {orderForCounter(waitingHere, queue, self, rules, now).slice(0, NEXT_SHOWN).map((ticket) => (
                <li key={ticket.ticketId}>
                  <strong>{ticket.label}</strong> {serviceName(ticket.serviceId)}
                  {ticket.priority && <span className="priority-badge"> · {t(`priority.${ticket.priority}`)}</span>}
                  <button type="button" className="small-button" disabled={busy} onClick={() => void onCall(ticket.ticketId)} aria-label={`${t('counter.call')} ${ticket.label}`}>
                    {t('counter.call')}
                  </button>
                </li>
              ))}
            </ol>
            <h2>{t('counter.byService')}</h2>
            <ul className="by-service">
              {setup.services.map((service) => (
                <li key={service.id}>
                  {service.prefix} · {serviceName(service.id)}: <strong>{(queue?.waiting ?? []).filter((ticket) => ticket.serviceId === service.id).length}</strong>
                </li>
              ))}
            </ul>
            {noShows.length > 0 && (
              <>
                <h2>{t('counter.noShows', { minutes: rules.noShowReturnMinutes })}</h2>
                <ul>
                  {noShows.map((ticket) => (
                    <li key={ticket.ticketId}>
                      <strong>{ticket.label}</strong>
                      <button type="button" className="small-button" disabled={busy} onClick={() => void onCall(ticket.ticketId)} aria-label={`${t('counter.call')} ${ticket.label}`}>
                        {t('counter.call')}
                      </button>
                    </li>
                  ))}
                </ul>
              </>
            )}
          </section>
        </>
      )}
    </main>
  )
}

/** The ticket this counter would call next first, then the others in issue order. */
function orderForCounter(tickets: readonly Ticket[], queue: QueueState | undefined, counter: CounterSetup, rules: QueueRules, now: number): Ticket[] {
  if (!queue) return []
  const first = pickNextTicket(queue, counter, rules, now)
  return first ? [first, ...tickets.filter((ticket) => ticket.ticketId !== first.ticketId)] : [...tickets]
}
