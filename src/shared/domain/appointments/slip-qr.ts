import { AppointmentCodeSchema } from './events'

/**
 * What the appointment slip's QR says. The receipt issue's signed seal will replace this format;
 * until then it lives behind these two functions only. The code is looked up in the ward's
 * replicated appointments, so a forged code finds nothing.
 */
const PREFIX = 'MCAPT1:'
const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'

export function appointmentSlipQr(code: string): string {
  return `${PREFIX}${code}`
}

export function parseAppointmentSlipQr(text: string): { ok: true; code: string } | { ok: false } {
  const trimmed = text.trim().toUpperCase()
  const candidate = trimmed.startsWith(PREFIX) ? trimmed.slice(PREFIX.length) : trimmed
  return AppointmentCodeSchema.safeParse(candidate).success ? { ok: true, code: candidate } : { ok: false }
}

/** A fresh code a resident can also read out or type: 8 characters without 0/O, 1/I. */
export function newAppointmentCode(randomBytes: Uint8Array): string {
  if (randomBytes.length < 8) throw new RangeError('need 8 random bytes')
  return Array.from(randomBytes.slice(0, 8), (byte) => CODE_ALPHABET[byte % CODE_ALPHABET.length]).join('')
}
