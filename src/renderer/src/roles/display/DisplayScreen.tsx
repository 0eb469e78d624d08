import { useEffect, useMemo, useRef } from 'react'
import { useApp } from '../../app/app-context'
import { useQueue } from '../../app/use-queue'
import { translator, useI18n } from '../../i18n/i18n'
import { Announcer } from './announcer'

const RECENT_SHOWN = 6

export function DisplayScreen() {
  const { device } = useApp()
  const { t } = useI18n()
  const queue = useQueue()
  // Announcements are always spoken in Vietnamese, whatever the screen's language.
  const announcer = useMemo(() => new Announcer('vi'), [])
  const announced = useRef<string | undefined>(undefined)
  const latest = queue?.calls[0]

  useEffect(() => {
    if (!queue) return
    if (announced.current === undefined) {
      // Calls made before this screen opened are shown, not announced again.
      announced.current = latest?.hlc ?? ''
      return
    }
    const fresh = queue.calls.filter((call) => call.hlc > announced.current!).reverse()
    for (const call of fresh) announcer.announce(translator('vi')('display.announcement', { label: call.label, counter: call.counter }))
    if (latest) announced.current = latest.hlc
  }, [queue, latest, announcer])

  const counters = Array.from({ length: device.config.counterCount }, (_unused, index) => index + 1)
  return (
    <main className="display">
      <header className="display-header">
        <h1>{t('display.title')}</h1>
        <p>{device.ward.fullName}</p>
      </header>
      <table className="display-table">
        <thead>
          <tr>
            <th>{t('display.counter')}</th>
            <th>{t('display.number')}</th>
          </tr>
        </thead>
        <tbody>
          {counters.map((counter) => {
            const call = queue?.nowServing.get(counter)
            return (
              <tr key={counter} className={call && call.hlc === latest?.hlc ? 'display-flash' : undefined} data-testid={`display-counter-${counter}`}>
                <td>{counter}</td>
                <td className="display-number">{call?.label ?? '—'}</td>
              </tr>
            )
          })}
        </tbody>
      </table>
      <section className="display-recent">
        <h2>{t('display.recent')}</h2>
        {queue && queue.calls.length === 0 ? (
          <p>{t('display.nothingYet')}</p>
        ) : (
          <ul>
            {queue?.calls.slice(0, RECENT_SHOWN).map((call) => (
              <li key={call.hlc}>
                {call.label} → {t('display.counter')} {call.counter}
              </li>
            ))}
          </ul>
        )}
      </section>
    </main>
  )
}
