import { toNfc } from '../text'
import { isCccdQrShaped, parseCccdQr, type CccdQrData, type CccdQrError, type CccdQrOptions } from './cccd-qr'
import { parseProcedureCode } from './procedure-code'
import { trimScannerFraming, type ParseResult } from './scan-input'
import { looksMangledByWedge } from './wedge-mangling'

/** Longer than any code we read (a card QR is a few hundred characters); refused before any parsing. */
export const MAX_SCAN_LENGTH = 4096

export type ScanContent =
  | { readonly kind: 'cccd'; readonly card: CccdQrData }
  | { readonly kind: 'procedure'; readonly code: string }
  | { readonly kind: 'text'; readonly text: string }
// Our own signed codes ('appointment', 'receipt') join as members of ScanContent once their issue defines them.

/** wedgeMangled: the scanner is in keyboard mode and may have damaged letters; see WEDGE_MANGLED_MESSAGE_VI. */
export type ClassifiedScan = ScanContent & { readonly wedgeMangled: boolean }

export type ScanError =
  | { readonly code: 'empty'; readonly message: string }
  | { readonly code: 'tooLong'; readonly message: string }
  /** Laid out like a card QR but not a valid one; wedgeMangled tells whether the scanner mode is to blame. */
  | { readonly code: 'invalidCccd'; readonly cccd: CccdQrError; readonly wedgeMangled: boolean; readonly message: string }

/** What a scan is: a card QR, a procedure code, or other text. Never throws. */
export function classifyScan(text: string, options: CccdQrOptions = {}): ParseResult<ClassifiedScan, ScanError> {
  if (text.length > MAX_SCAN_LENGTH) {
    return { ok: false, error: { code: 'tooLong', message: `The scan is ${text.length} characters; at most ${MAX_SCAN_LENGTH} are read` } }
  }
  const trimmed = trimScannerFraming(text)
  if (trimmed === '') return { ok: false, error: { code: 'empty', message: 'The scan is empty' } }
  const wedgeMangled = looksMangledByWedge(trimmed)

  if (isCccdQrShaped(trimmed)) {
    const card = parseCccdQr(trimmed, options)
    if (!card.ok) return { ok: false, error: { code: 'invalidCccd', cccd: card.error, wedgeMangled, message: `Card QR: ${card.error.message}` } }
    return { ok: true, value: { kind: 'cccd', card: card.value, wedgeMangled } }
  }
  const procedure = parseProcedureCode(trimmed)
  if (procedure.ok) return { ok: true, value: { kind: 'procedure', code: procedure.value, wedgeMangled } }
  return { ok: true, value: { kind: 'text', text: toNfc(trimmed), wedgeMangled } }
}
