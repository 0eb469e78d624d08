import { useI18n } from '../../i18n/i18n'

/** The row under a kiosk flow with its "Quay lại" button; `primary` where going back is the screen's main action. */
export function BackRow({ onBack, primary = false }: { onBack: () => void; primary?: boolean }) {
  const { t } = useI18n()
  return (
    <div className="kiosk-actions">
      <button type="button" className={primary ? 'touch-button primary' : 'touch-button'} onClick={onBack}>
        {t('kiosk.back')}
      </button>
    </div>
  )
}
