import { compareEvents, eventKey, type EventEnvelope } from '../eventlog/envelope'
import { addWorkingDays, isWorkingDay, NATIONAL_CALENDAR, type WorkingCalendar } from '../calendar/workdays'
import type { QueueState } from '../queue/fold'
import { vietnamClock, vietnamDay, vietnamDayStartMs } from '../time'
import { AppointmentBookedSchema, AppointmentCancelledSchema, AppointmentEvent, type AppointmentBooked } from './events'
import type { AppointmentRules } from './rules'

export type AppointmentStatus = 'booked' | 'cancelled' | 'checkedIn'

export interface Appointment extends AppointmentBooked {
  readonly status: AppointmentStatus
  readonly ticketId?: string
  readonly bookedBy: string
}

/**
 * Appointments as a fold of the log (booked here, at another kiosk, or by the city). The queue
 * state says which were checked in: a check-in is the priority ticket issued for it.
 */
export function foldAppointments(events: readonly EventEnvelope[], queue?: QueueState): Map<string, Appointment> {
  const ordered = [...new Map(events.map((event) => [eventKey(event), event])).values()].sort(compareEvents)
  const appointments = new Map<string, Appointment>()
  for (const event of ordered) {
    if (event.v !== 1) continue
    if (event.type === AppointmentEvent.booked) {
      const parsed = AppointmentBookedSchema.safeParse(event.payload)
      if (parsed.success && !appointments.has(parsed.data.appointmentId)) {
        appointments.set(parsed.data.appointmentId, { ...parsed.data, status: 'booked', bookedBy: event.deviceId })
      }
    } else if (event.type === AppointmentEvent.cancelled) {
      const parsed = AppointmentCancelledSchema.safeParse(event.payload)
      const appointment = parsed.success ? appointments.get(parsed.data.appointmentId) : undefined
      if (appointment?.status === 'booked') appointments.set(appointment.appointmentId, { ...appointment, status: 'cancelled' })
    }
  }
  for (const ticket of queue?.tickets ?? []) {
    const appointment = ticket.appointmentId ? appointments.get(ticket.appointmentId) : undefined
    if (appointment && appointment.status !== 'cancelled') appointments.set(appointment.appointmentId, { ...appointment, status: 'checkedIn', ticketId: ticket.ticketId })
  }
  return appointments
}

export interface Slot {
  readonly time: string
  readonly remaining: number
}

/**
 * The slots of a service on a day that a resident can still book: working days only, from
 * today to `daysAhead` working days ahead, times not yet past, capacity left.
 */
export function bookableSlots(
  appointments: ReadonlyMap<string, Appointment>,
  serviceId: string,
  day: string,
  rules: AppointmentRules,
  now: number,
  calendar: WorkingCalendar = NATIONAL_CALENDAR,
): Slot[] {
  const today = vietnamDay(now)
  if (day < today || !isWorkingDay(day, calendar) || day > addWorkingDays(today, rules.daysAhead, calendar)) return []
  const taken = new Map<string, number>()
  for (const appointment of appointments.values()) {
    if (appointment.serviceId === serviceId && appointment.day === day && appointment.status !== 'cancelled') {
      taken.set(appointment.time, (taken.get(appointment.time) ?? 0) + 1)
    }
  }
  const clock = day === today ? vietnamClock(now) : ''
  return rules.slotTimes
    .filter((time) => time > clock)
    .map((time) => ({ time, remaining: rules.capacityPerSlot - (taken.get(time) ?? 0) }))
    .filter((slot) => slot.remaining > 0)
}

/** The working days a resident may choose, today first. */
export function bookableDays(rules: AppointmentRules, now: number, calendar: WorkingCalendar = NATIONAL_CALENDAR): string[] {
  const days: string[] = []
  for (let offset = 0; offset <= rules.daysAhead; offset++) days.push(addWorkingDays(vietnamDay(now), offset, calendar))
  return [...new Set(days)]
}

export type CheckInVerdict = 'ok' | 'unknown' | 'cancelled' | 'alreadyCheckedIn' | 'wrongDay' | 'tooEarly' | 'tooLate'

/** Whether an appointment may turn into a priority ticket now. */
export function checkInVerdict(appointment: Appointment | undefined, rules: AppointmentRules, now: number): CheckInVerdict {
  if (!appointment) return 'unknown'
  if (appointment.status === 'cancelled') return 'cancelled'
  if (appointment.status === 'checkedIn') return 'alreadyCheckedIn'
  if (appointment.day !== vietnamDay(now)) return 'wrongDay'
  const [hours, minutes] = appointment.time.split(':').map(Number) as [number, number]
  const slotStart = vietnamDayStartMs(appointment.day) + (hours * 60 + minutes) * 60_000
  if (now < slotStart - rules.earlyMinutes * 60_000) return 'tooEarly'
  if (now > slotStart + rules.lateMinutes * 60_000) return 'tooLate'
  return 'ok'
}

export function findByCode(appointments: ReadonlyMap<string, Appointment>, code: string): Appointment | undefined {
  for (const appointment of appointments.values()) if (appointment.code === code) return appointment
  return undefined
}
