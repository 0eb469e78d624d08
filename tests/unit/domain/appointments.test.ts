import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { bookableDays, bookableSlots, checkInVerdict, findByCode, foldAppointments } from '../../../src/shared/domain/appointments/appointments'
import { AppointmentEvent } from '../../../src/shared/domain/appointments/events'
import { DEFAULT_APPOINTMENT_RULES } from '../../../src/shared/domain/appointments/rules'
import { appointmentSlipQr, newAppointmentCode, parseAppointmentSlipQr } from '../../../src/shared/domain/appointments/slip-qr'
import { foldQueue } from '../../../src/shared/domain/queue/fold'
import { WorkingCalendar } from '../../../src/shared/domain/calendar/workdays'
import { DeviceLog } from '../../helpers/events'

const SEALED = { alg: 'A256GCM' as const, kid: 'k1', iv: 'AAAAAAAAAAAAAAAA', ct: 'AAAAAAAAAAAAAAAAAAAAAAAA' }
// Friday 2026-04-24; Giỗ Tổ falls on Sunday 26 April, so Monday 27 April is a compensatory day off.
const FRIDAY_8AM = Date.parse('2026-04-24T08:00:00+07:00')

function booking(device: DeviceLog, day: string, time: string, now: number, code = 'ABCDEFGH') {
  const payload = { appointmentId: randomUUID(), code, serviceId: 'ho-tich', day, time, identifiedBy: 'cccdQr', holder: SEALED }
  return { event: device.event(AppointmentEvent.booked, payload, now), payload }
}

describe('appointments', () => {
  it('offers working days only, up to the configured number ahead', () => {
    const days = bookableDays({ ...DEFAULT_APPOINTMENT_RULES, daysAhead: 3 }, FRIDAY_8AM)
    // Friday; then past the Giỗ Tổ compensatory Monday; then past 30/4 and 1/5 and the weekend.
    expect(days).toEqual(['2026-04-24', '2026-04-28', '2026-04-29', '2026-05-04'])
  })

  it("follows the city's calendar: an extra day off is never offered", () => {
    const calendar = new WorkingCalendar({ extraDaysOff: [{ date: '2026-04-28', name: 'Nghỉ thêm' }] })
    expect(bookableDays({ ...DEFAULT_APPOINTMENT_RULES, daysAhead: 2 }, FRIDAY_8AM, calendar)).toEqual(['2026-04-24', '2026-04-29', '2026-05-04'])
  })

  it('offers the slots with room left, and none that have passed today', () => {
    const kiosk = new DeviceLog('kiosk-0001')
    const full = [booking(kiosk, '2026-04-24', '09:00', FRIDAY_8AM, 'AAAAAAAA'), booking(kiosk, '2026-04-24', '09:00', FRIDAY_8AM, 'BBBBBBBB'), booking(kiosk, '2026-04-24', '09:30', FRIDAY_8AM, 'CCCCCCCC')]
    const appointments = foldAppointments(full.map((entry) => entry.event))
    const slots = bookableSlots(appointments, 'ho-tich', '2026-04-24', DEFAULT_APPOINTMENT_RULES, FRIDAY_8AM)
    expect(slots.map((slot) => slot.time)).not.toContain('07:30')
    expect(slots.map((slot) => slot.time)).not.toContain('09:00')
    expect(slots.find((slot) => slot.time === '09:30')).toEqual({ time: '09:30', remaining: 1 })
    expect(bookableSlots(appointments, 'ho-tich', '2026-04-27', DEFAULT_APPOINTMENT_RULES, FRIDAY_8AM)).toEqual([]) // a day off
    expect(bookableSlots(appointments, 'ho-tich', '2026-04-23', DEFAULT_APPOINTMENT_RULES, FRIDAY_8AM)).toEqual([]) // the past
  })

  it('checks in inside the early/late window only, once', () => {
    const kiosk = new DeviceLog('kiosk-0001')
    const { event, payload } = booking(kiosk, '2026-04-24', '09:00', FRIDAY_8AM)
    const appointment = foldAppointments([event]).get(payload.appointmentId)
    const at = (clock: string) => Date.parse(`2026-04-24T${clock}:00+07:00`)
    expect(checkInVerdict(appointment, DEFAULT_APPOINTMENT_RULES, at('08:29'))).toBe('tooEarly')
    expect(checkInVerdict(appointment, DEFAULT_APPOINTMENT_RULES, at('08:30'))).toBe('ok')
    expect(checkInVerdict(appointment, DEFAULT_APPOINTMENT_RULES, at('09:15'))).toBe('ok')
    expect(checkInVerdict(appointment, DEFAULT_APPOINTMENT_RULES, at('09:16'))).toBe('tooLate')
    expect(checkInVerdict(appointment, DEFAULT_APPOINTMENT_RULES, Date.parse('2026-04-28T09:00:00+07:00'))).toBe('wrongDay')
    expect(checkInVerdict(undefined, DEFAULT_APPOINTMENT_RULES, at('09:00'))).toBe('unknown')

    const ticket = kiosk.event('queue.ticketIssued', { ticketId: randomUUID(), serviceId: 'ho-tich', day: '2026-04-24', number: 1, label: 'A001', priority: 'appointment', appointmentId: payload.appointmentId }, at('08:50'))
    const checkedIn = foldAppointments([event, ticket], foldQueue([ticket], '2026-04-24')).get(payload.appointmentId)
    expect(checkedIn?.status).toBe('checkedIn')
    expect(checkInVerdict(checkedIn, DEFAULT_APPOINTMENT_RULES, at('08:55'))).toBe('alreadyCheckedIn')
    const cancelled = foldAppointments([event, kiosk.event(AppointmentEvent.cancelled, { appointmentId: payload.appointmentId }, at('08:51'))]).get(payload.appointmentId)
    expect(checkInVerdict(cancelled, DEFAULT_APPOINTMENT_RULES, at('09:00'))).toBe('cancelled')
  })

  it('drops bookings that do not match the schema, such as a holder in clear', () => {
    const kiosk = new DeviceLog('kiosk-0001')
    const { payload } = booking(kiosk, '2026-04-24', '09:00', FRIDAY_8AM)
    const inClear = kiosk.event(AppointmentEvent.booked, { ...payload, holder: { name: 'Nguyễn Văn A' } }, FRIDAY_8AM)
    expect(foldAppointments([inClear]).size).toBe(0)
  })

  it('reads the slip QR it writes, and refuses anything else', () => {
    const code = newAppointmentCode(new Uint8Array([0, 1, 2, 3, 4, 5, 6, 255]))
    expect(code).toMatch(/^[A-HJ-NP-Z2-9]{8}$/)
    expect(parseAppointmentSlipQr(appointmentSlipQr(code))).toEqual({ ok: true, code })
    expect(parseAppointmentSlipQr(` ${code.toLowerCase()}\r\n`)).toEqual({ ok: true, code })
    for (const bad of ['', 'MCAPT1:', 'MCAPT1:ABC', 'MCAPT1:ABCDEFGI', 'MCAPT1:ABCDEFGH0', 'https://evil/?MCAPT1:ABCDEFGH']) expect(parseAppointmentSlipQr(bad)).toEqual({ ok: false })
    expect(findByCode(new Map(), code)).toBeUndefined()
  })
})
