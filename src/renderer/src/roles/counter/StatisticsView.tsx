import { useMemo } from 'react'
import type { QueueState } from '../../../../shared/domain/queue/fold'
import { queueStatistics, statisticsCsv, type StatisticsRow } from '../../../../shared/domain/queue/statistics'
import { vietnameseDate } from '../../../../shared/domain/time'
import { useApp } from '../../app/app-context'
import { useI18n } from '../../i18n/i18n'

const range = (mean: number | null, p90: number | null): string => (mean === null ? '—' : `${mean} / ${p90}`)

/** The day's figures per service, counter and clerk, with a CSV download for reports. */
export function StatisticsView({ queue }: { queue: QueueState }) {
  const { setup } = useApp()
  const { t, language } = useI18n()
  const rows = useMemo(() => queueStatistics(queue), [queue])
  const nameOf = (row: StatisticsRow): string => {
    if (row.dimension === 'all') return t('stats.all')
    if (row.key === '') return t('stats.notCalled')
    if (row.dimension === 'service') {
      const service = setup.services.find((candidate) => candidate.id === row.key)
      return service ? (language === 'vi' ? service.name : service.nameEn) : row.key
    }
    return row.dimension === 'counter' ? t('counter.title', { counter: row.key }) : row.key
  }
  const download = (): void => {
    const url = URL.createObjectURL(new Blob([statisticsCsv(rows, nameOf)], { type: 'text/csv;charset=utf-8' }))
    const link = document.createElement('a')
    link.href = url
    link.download = `thong-ke-${queue.day}.csv`
    link.click()
    setTimeout(() => URL.revokeObjectURL(url), 10_000)
  }

  return (
    <section className="statistics">
      <h2>{t('stats.title', { day: vietnameseDate(queue.day) })}</h2>
      <button type="button" className="touch-button" onClick={download}>
        {t('stats.export')}
      </button>
      {(['all', 'service', 'counter', 'clerk'] as const).map((dimension) => (
        <table key={dimension} className="stats-table" data-testid={`stats-${dimension}`}>
          <caption>{t(`stats.${dimension}`)}</caption>
          <thead>
            <tr>
              <th>{t('stats.name')}</th>
              <th>{t('stats.tickets')}</th>
              <th>{t('stats.served')}</th>
              <th>{t('stats.noShows')}</th>
              <th>{t('stats.wait')}</th>
              <th>{t('stats.serviceTime')}</th>
              <th>{t('stats.ratings')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.filter((row) => row.dimension === dimension).map((row) => (
              <tr key={row.key}>
                <td>{nameOf(row)}</td>
                <td>{row.tickets}</td>
                <td>{row.served}</td>
                <td>{row.noShows}</td>
                <td>{range(row.waitMeanMinutes, row.waitP90Minutes)}</td>
                <td>{range(row.serviceMeanMinutes, row.serviceP90Minutes)}</td>
                <td>{row.ratings.join(' / ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ))}
    </section>
  )
}
