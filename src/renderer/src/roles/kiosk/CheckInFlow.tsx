import { useState } from 'react'
import { parseAppointmentSlipQr } from '../../../../shared/domain/appointments/slip-qr'
import { useApp } from '../../app/app-context'
import { checkIn, type IssuedTicket } from '../../data/queue'
import { useI18n } from '../../i18n/i18n'
import { CameraView } from '../../scan/CameraView'
import { useScans } from '../../scan/scans'
import { Banner } from '../../ui/Banner'
import { describeError } from '../../ui/error-message'
import { ScanInput } from '../../ui/ScanInput'
import { BackRow } from './BackRow'

/**
 * Check-in from a slip's QR or its typed code: a priority ticket inside the appointment's
 * window, or the reason why not, in the screen's language.
 */
export function useCheckIn(onTicket: (issued: IssuedTicket) => void, onError: (message: string) => void): (text: string) => Promise<void> {
  const { setup, store, device } = useApp()
  const { t } = useI18n()
  const { earlyMinutes: early, lateMinutes: late } = setup.appointmentRules
  return async (text) => {
    const slip = parseAppointmentSlipQr(text)
    if (!slip.ok) return onError(t('checkIn.unknown'))
    try {
      const outcome = await checkIn(store, slip.code, setup.services, device.config.ticketBlock, { queue: setup.queueRules, appointments: setup.appointmentRules })
      if (outcome.verdict === 'ok') onTicket(outcome.ticket)
      else onError(t(`checkIn.${outcome.verdict}`, { early, late }))
    } catch (failure) {
      onError(describeError(failure, t))
    }
  }
}

export function CheckInFlow({ onTicket, onCancel }: { onTicket: (issued: IssuedTicket) => void; onCancel: () => void }) {
  const { t } = useI18n()
  const [error, setError] = useState<string>()
  const checkInCode = useCheckIn(onTicket, setError)
  const onScan = (text: string): void => {
    setError(undefined)
    void checkInCode(text)
  }
  useScans((scan) => onScan(scan.text))

  return (
    <section className="check-in">
      <h2>{t('kiosk.checkIn')}</h2>
      {error && <Banner tone="error">{error}</Banner>}
      <CameraView />
      <ScanInput label={t('checkIn.scan')} onScan={onScan} />
      <BackRow onBack={onCancel} />
    </section>
  )
}
