/** ISO 7816-4 status words as the card and the reader use them (one table for both sides). */
export const SW = {
  success: 0x9000,
  endOfFile: 0x6282,
  authenticationFailed: 0x6300,
  wrongLength: 0x6700,
  securityStatusNotSatisfied: 0x6982,
  conditionsNotSatisfied: 0x6985,
  smDataObjectsIncorrect: 0x6988,
  wrongData: 0x6a80,
  fileNotFound: 0x6a82,
  referencedDataNotFound: 0x6a88,
  wrongParameters: 0x6b00,
  insNotSupported: 0x6d00,
  claNotSupported: 0x6e00,
} as const

/** A status word as cards and logs write it: four upper-case hex digits. */
export function formatStatusWord(sw: number): string {
  return sw.toString(16).toUpperCase().padStart(4, '0')
}
