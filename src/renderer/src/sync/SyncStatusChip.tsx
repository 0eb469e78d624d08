import { needsTechnician } from '../../../shared/sync/engine-state'
import { formatBytes } from '../data/storage'
import { useI18n } from '../i18n/i18n'
import { describeSyncProblem, formatSyncTime } from './sync-text'
import { useSyncView } from './use-sync-status'

/** The clerk's glance at sync: what waits to be sent, when it last worked, or what is wrong. */
export function SyncStatusChip() {
  const { t } = useI18n()
  const view = useSyncView()
  let text: string
  let tone: 'ok' | 'pending' | 'problem' = 'ok'
  if (!view.enabled) text = t('sync.chip.off')
  else if (view.problem) {
    // A lost link heals by itself (amber); a refused key or a wrong clock waits for the technician (red).
    tone = needsTechnician(view.problem.code) ? 'problem' : 'pending'
    text = t('sync.chip.problem', { problem: describeSyncProblem(view.problem, t) })
  } else if (view.outbox && view.outbox.events + view.outbox.blobs > 0) {
    tone = 'pending'
    text = t('sync.chip.pending', { events: view.outbox.events, bytes: formatBytes(view.outbox.eventBytes + view.outbox.blobBytes) })
  } else text = view.lastSuccessAt ? t('sync.chip.synced', { time: formatSyncTime(view.lastSuccessAt) }) : t('sync.chip.never')
  return (
    <p className={`sync-chip sync-chip-${tone}`} data-testid="sync-status" role="status" title={view.lastSuccessAt ? t('sync.chip.synced', { time: formatSyncTime(view.lastSuccessAt) }) : undefined}>
      {text}
    </p>
  )
}
