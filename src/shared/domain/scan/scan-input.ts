/** What every scan parser returns. Scanned text is untrusted input, so parsers report and never throw. */
export type ParseResult<T, E> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E }

/**
 * Drops what scanners and QR encoders put around the payload: a UTF-8 BOM, a CR/LF suffix, spaces.
 * String.prototype.trim covers all three (U+FEFF counts as white space in ECMAScript).
 */
export function trimScannerFraming(text: string): string {
  return text.trim()
}
