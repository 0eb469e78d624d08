import { isBase45Text } from '../../seal/base45'
import { openSeal, SEAL_PREFIX, type SealFields, type SealProblem } from '../../seal/seal'
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
  /** Our own sealed codes, read but not verified: main checks the signature (services/seal). */
  | { readonly kind: 'receipt' | 'appointment'; readonly seal: SealFields }

/** wedgeMangled: the scanner is in keyboard mode and may have damaged letters; see WEDGE_MANGLED_MESSAGE_VI. */
export type ClassifiedScan = ScanContent & { readonly wedgeMangled: boolean }

export type ScanError =
  | { readonly code: 'empty'; readonly message: string }
  | { readonly code: 'tooLong'; readonly message: string }
  /** Laid out like a card QR but not a valid one; wedgeMangled tells whether the scanner mode is to blame. */
  | { readonly code: 'invalidCccd'; readonly cccd: CccdQrError; readonly wedgeMangled: boolean; readonly message: string }
  /** Starts like a seal but does not decode as one, e.g. a damaged or forged code. */
  | { readonly code: 'invalidSeal'; readonly seal: SealProblem; readonly wedgeMangled: boolean; readonly message: string }

/** What a scan is: a card QR, one of our seals, a procedure code, or other text. Never throws. */
export function classifyScan(text: string, options: CccdQrOptions = {}): ParseResult<ClassifiedScan, ScanError> {
  if (text.length > MAX_SCAN_LENGTH) {
    return { ok: false, error: { code: 'tooLong', message: `The scan is ${text.length} characters; at most ${MAX_SCAN_LENGTH} are read` } }
  }
  const trimmed = trimScannerFraming(text)
  if (trimmed === '') return { ok: false, error: { code: 'empty', message: 'The scan is empty' } }

  if (trimmed.startsWith(SEAL_PREFIX)) {
    const opened = openSeal(trimmed)
    // The text heuristic misfires on Base45; a character outside its alphabet is the scanner's doing.
    if (!opened.ok) {
      const wedgeMangled = !isBase45Text(trimmed.slice(SEAL_PREFIX.length))
      return { ok: false, error: { code: 'invalidSeal', seal: opened.error, wedgeMangled, message: `Seal: ${opened.error.message}` } }
    }
    return { ok: true, value: { kind: opened.value.fields.kind, seal: opened.value.fields, wedgeMangled: false } }
  }
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
