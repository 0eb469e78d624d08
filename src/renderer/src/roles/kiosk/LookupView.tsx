import { useLiveQuery } from 'dexie-react-hooks'
import type { OperationOutput } from '../../../../shared/contract/contract'
import { vietnameseDateTime } from '../../../../shared/domain/time'
import { useApp } from '../../app/app-context'
import { readDossiers } from '../../data/dossiers'
import { useI18n } from '../../i18n/i18n'
import { DocumentVerdictView } from '../../ui/DocumentVerdict'
import { BackRow } from './BackRow'

/**
 * A resident shows the receipt's QR: main checks the seal offline, and when this device holds the
 * dossier the screen says so too. The status from the city comes with sync.
 */
export function LookupView({ verdict, onDone }: { verdict: OperationOutput<'verifyDocument'>; onDone: () => void }) {
  const { store } = useApp()
  const { t } = useI18n()
  const received = useLiveQuery(async () => {
    if (!verdict.code) return undefined
    const day = /-(\d{2})(\d{2})(\d{2})-/.exec(verdict.code)
    return day ? (await readDossiers(store, `20${day[1]}-${day[2]}-${day[3]}`)).find((dossier) => dossier.code === verdict.code) : undefined
  }, [store, verdict])
  return (
    <section className="lookup">
      <h2>{t('lookup.title')}</h2>
      <DocumentVerdictView verdict={verdict} />
      {received && (
        <p role="status">{t('lookup.localStatus', { code: received.code, when: vietnameseDateTime(received.returnAt) })}</p>
      )}
      <BackRow onBack={onDone} primary />
    </section>
  )
}
