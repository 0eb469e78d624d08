import { useState } from 'react'
import { parseAppointmentSlipQr } from '../../../../shared/domain/appointments/slip-qr'
import { useApp } from '../../app/app-context'
import { checkIn, type IssuedTicket } from '../../data/queue'
import { useI18n } from '../../i18n/i18n'
import { Banner } from '../../ui/Banner'
import { describeError } from '../../ui/error-message'
import { ScanInput } from '../../ui/ScanInput'

/** Check-in: the slip's QR (or its code typed) becomes a priority ticket inside the appointment's window. */
export function CheckInFlow({ onTicket, onCancel }: { onTicket: (issued: IssuedTicket) => void; onCancel: () => void }) {
  const { setup, store, device } = useApp()
  const { t } = useI18n()
  const [error, setError] = useState<string>()
  const { earlyMinutes: early, lateMinutes: late } = setup.appointmentRules

  const onScan = async (text: string): Promise<void> => {
    setError(undefined)
    const slip = parseAppointmentSlipQr(text)
    if (!slip.ok) {
      setError(t('checkIn.unknown'))
      return
    }
    try {
      const outcome = await checkIn(store, slip.code, setup.services, device.config.ticketBlock, { queue: setup.queueRules, appointments: setup.appointmentRules })
      if (outcome.verdict === 'ok') onTicket(outcome.ticket)
      else setError(t(`checkIn.${outcome.verdict}`, { early, late }))
    } catch (failure) {
      setError(describeError(failure, t))
    }
  }

  return (
    <section className="check-in">
      <h2>{t('kiosk.checkIn')}</h2>
      {error && <Banner tone="error">{error}</Banner>}
      <ScanInput label={t('checkIn.scan')} onScan={(text) => void onScan(text)} />
      <div className="kiosk-actions">
        <button type="button" className="touch-button" onClick={onCancel}>
          {t('kiosk.back')}
        </button>
      </div>
    </section>
  )
}
