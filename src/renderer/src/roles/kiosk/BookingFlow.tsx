import { useMemo, useState } from 'react'
import type { Service } from '../../../../shared/contract/schemas'
import { bookableDays, bookableSlots } from '../../../../shared/domain/appointments/appointments'
import type { AppointmentBooked } from '../../../../shared/domain/appointments/events'
import { appointmentSlipQr, newAppointmentCode } from '../../../../shared/domain/appointments/slip-qr'
import { WorkingCalendar } from '../../../../shared/domain/calendar/workdays'
import { vietnameseDate } from '../../../../shared/domain/time'
import { classifyScan } from '../../../../shared/domain/scan/classify'
import { useApp } from '../../app/app-context'
import { useAppointments, useNow } from '../../app/use-queue'
import { bookAppointment } from '../../data/queue'
import { useI18n } from '../../i18n/i18n'
import { Banner } from '../../ui/Banner'
import { describeError } from '../../ui/error-message'
import { Keypad } from '../../ui/Keypad'
import { QrCode } from '../../ui/QrCode'
import { CameraView } from '../../scan/CameraView'
import { useScans } from '../../scan/scans'
import { ScanInput } from '../../ui/ScanInput'
import type { CardHolder } from './card-holder'
import { IdCardFlow } from './IdCardFlow'
import { ServicePicker } from './ServicePicker'
import { BackRow } from './BackRow'

interface Holder {
  readonly identifiedBy: AppointmentBooked['identifiedBy']
  readonly name: string
  readonly fields: Record<string, string>
  /** A chip whose signer is not in the trust list: booked, with a notice on the slip. */
  readonly unverified?: boolean
}

const VIETNAMESE_MOBILE = /^0\d{9}$/

/** Booking at the kiosk: service, day, time, who (CCCD QR or phone), then the slip with its QR. */
export function BookingFlow({ onDone }: { onDone: () => void }) {
  const { api, setup, store } = useApp()
  const { t, language } = useI18n()
  const now = useNow()
  const appointments = useAppointments()
  const [service, setService] = useState<Service>()
  const [day, setDay] = useState<string>()
  const [time, setTime] = useState<string>()
  const [phone, setPhone] = useState('')
  const [error, setError] = useState<string>()
  const [booked, setBooked] = useState<{ code: string; holderName: string; unverified: boolean }>()
  const [readingCard, setReadingCard] = useState(false)
  const calendar = useMemo(() => new WorkingCalendar(setup.calendarOverrides), [setup])
  const days = useMemo(() => bookableDays(setup.appointmentRules, now, calendar), [setup, now, calendar])
  const slots = service && day && appointments ? bookableSlots(appointments, service.id, day, setup.appointmentRules, now, calendar) : []

  const book = async (holder: Holder): Promise<void> => {
    if (!service || !day || !time) return
    setError(undefined)
    try {
      const code = newAppointmentCode(crypto.getRandomValues(new Uint8Array(8)))
      const sealed = await api.sealPersonalData({ fields: holder.fields })
      await bookAppointment(store, { appointmentId: crypto.randomUUID(), code, serviceId: service.id, day, time, identifiedBy: holder.identifiedBy, holder: sealed })
      setBooked({ code, holderName: holder.name, unverified: holder.unverified ?? false })
    } catch (failure) {
      setError(describeError(failure, t))
    }
  }

  const onCardQr = (text: string): void => {
    const scan = classifyScan(text)
    if (!scan.ok || scan.value.kind !== 'cccd') {
      const mangled = scan.ok ? scan.value.wedgeMangled : scan.error.code === 'invalidCccd' && scan.error.wedgeMangled
      setError(t(mangled ? 'scan.wedgeMangled' : 'booking.invalidCccd'))
      return
    }
    const { card } = scan.value
    void book({ identifiedBy: 'cccdQr', name: card.fullName, fields: { idNumber: card.id, fullName: card.fullName, dateOfBirth: card.dateOfBirth } })
  }

  // The chip's data matches its signature (IdCardFlow hands over no tampered card): the strongest identity the kiosk can take.
  const onChipCard = (holder: CardHolder): void => {
    setReadingCard(false)
    const fields = { idNumber: holder.idNumber, fullName: holder.fullName, dateOfBirth: holder.dateOfBirth }
    void book({ identifiedBy: 'chipCard', name: holder.fullName, fields, unverified: holder.verdict === 'unknownCsca' })
  }

  const onPhone = (): void => {
    if (!VIETNAMESE_MOBILE.test(phone)) {
      setError(t('booking.invalidPhone'))
      return
    }
    void book({ identifiedBy: 'phone', name: `${phone.slice(0, 3)}****${phone.slice(7)}`, fields: { phone } })
  }

  if (booked && service && day && time) {
    const qr = appointmentSlipQr(booked.code)
    return (
      <section className="slip" aria-live="assertive">
        <h2>{t('booking.done')}</h2>
        <p className="ticket-service">{language === 'vi' ? service.name : service.nameEn}</p>
        <p className="slip-when">{t('booking.when', { time, day: vietnameseDate(day) })}</p>
        <p>{t('booking.holder', { name: booked.holderName })}</p>
        {booked.unverified && <Banner tone="info">{t('idCard.notVerified')}</Banner>}
        <QrCode text={qr} size={220} label={t('booking.code')} />
        <p>
          {t('booking.code')}: <strong data-testid="appointment-code">{booked.code}</strong>
        </p>
        <p className="ticket-hint">{t('booking.bringSlip', { early: setup.appointmentRules.earlyMinutes, late: setup.appointmentRules.lateMinutes })}</p>
        <div className="kiosk-actions">
          <button type="button" className="touch-button" onClick={() => window.print()}>
            {t('booking.print')}
          </button>
          <button type="button" className="touch-button primary" onClick={onDone}>
            {t('kiosk.takeAnother')}
          </button>
        </div>
      </section>
    )
  }

  return (
    <section className="booking">
      {error && <Banner tone="error">{error}</Banner>}
      {!service && <ServicePicker prompt={t('booking.chooseService')} onPick={setService} />}
      {service && !time && (
        <>
          <h2>{t('booking.chooseDay')}</h2>
          <div className="choice-row">
            {days.map((candidate) => (
              <button key={candidate} type="button" className="touch-button" aria-pressed={candidate === day} onClick={() => setDay(candidate)}>
                {vietnameseDate(candidate)}
              </button>
            ))}
          </div>
          {day && (
            <>
              <h2>{t('booking.chooseTime')}</h2>
              {slots.length === 0 && <p role="status">{t('booking.noSlots')}</p>}
              <div className="choice-row">
                {slots.map((slot) => (
                  <button key={slot.time} type="button" className="touch-button" onClick={() => setTime(slot.time)}>
                    {slot.time} <small>({t('booking.slotRemaining', { count: slot.remaining })})</small>
                  </button>
                ))}
              </div>
            </>
          )}
        </>
      )}
      {service && day && time && (
        <>
          <h2>{t('booking.identify')}</h2>
          {readingCard ? (
            <IdCardFlow onDone={() => setReadingCard(false)} onIdentity={onChipCard} />
          ) : (
            <>
              <IdentityScan onScan={onCardQr} />
              <ScanInput label={t('booking.scanCccd')} onScan={onCardQr} />
              <button type="button" className="touch-button" onClick={() => setReadingCard(true)}>
                {t('booking.useChipCard')}
              </button>
            </>
          )}
          <h3>{t('booking.orPhone')}</h3>
          <Keypad value={phone} onChange={setPhone} maxLength={10} label={t('booking.orPhone')} />
          <button type="button" className="touch-button primary" disabled={phone.length === 0} onClick={onPhone}>
            {t('booking.usePhone')}
          </button>
        </>
      )}
      <BackRow onBack={onDone} />
    </section>
  )
}

/** The camera, and every scanner, take the card QR only while the identity step is on screen. */
function IdentityScan({ onScan }: { onScan: (text: string) => void }) {
  useScans((scan) => onScan(scan.text))
  return <CameraView />
}
