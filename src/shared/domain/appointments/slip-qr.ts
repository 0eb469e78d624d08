import { openSeal, SEAL_PREFIX } from '../../seal/seal'
import { AppointmentCodeSchema } from './events'

/**
 * What the appointment slip's QR says. Its format is the signed seal (shared/seal), which main issues;
 * until the booking flow asks main for one, the kiosk prints the unsigned MCAPT1: code, and check-in
 * reads both, and the code typed. Either way the code is looked up in the ward's replicated
 * appointments, so a forged code finds nothing; check-in needs no signature check.
 */
const PREFIX = 'MCAPT1:'
const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'

export function appointmentSlipQr(code: string): string {
  return `${PREFIX}${code}`
}

export function parseAppointmentSlipQr(text: string): { ok: true; code: string } | { ok: false } {
  const trimmed = text.trim().toUpperCase()
  if (trimmed.startsWith(SEAL_PREFIX)) {
    const opened = openSeal(trimmed)
    return opened.ok && opened.value.fields.kind === 'appointment' ? { ok: true, code: opened.value.fields.code } : { ok: false }
  }
  const candidate = trimmed.startsWith(PREFIX) ? trimmed.slice(PREFIX.length) : trimmed
  return AppointmentCodeSchema.safeParse(candidate).success ? { ok: true, code: candidate } : { ok: false }
}

/** A fresh code a resident can also read out or type: 8 characters without 0/O, 1/I. */
export function newAppointmentCode(randomBytes: Uint8Array): string {
  if (randomBytes.length < 8) throw new RangeError('need 8 random bytes')
  return Array.from(randomBytes.slice(0, 8), (byte) => CODE_ALPHABET[byte % CODE_ALPHABET.length]).join('')
}
