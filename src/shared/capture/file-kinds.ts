/** What a file is, by its first bytes (a name, a MIME type or a Content-Type can lie): the one place files are sniffed. */
export type FileKind = 'jpeg' | 'png' | 'tiff' | 'webp' | 'pdf' | 'other'

/** PDF readers accept the %PDF- header anywhere in the first 1024 bytes (some writers put junk before it). */
export const SNIFF_BYTES = 1024

const startsWith = (bytes: Uint8Array, signature: readonly number[], at = 0): boolean => signature.every((byte, index) => bytes[at + index] === byte)
const ascii = (text: string): number[] => [...text].map((char) => char.charCodeAt(0))
const PDF_HEADER = ascii('%PDF-')

function hasPdfHeader(head: Uint8Array): boolean {
  const end = Math.min(head.length, SNIFF_BYTES) - PDF_HEADER.length
  for (let at = 0; at <= end; at++) if (startsWith(head, PDF_HEADER, at)) return true
  return false
}

/** The kind of a file from its first SNIFF_BYTES bytes (fewer is fine; more are ignored). */
export function kindOfFile(head: Uint8Array): FileKind {
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'jpeg'
  if (startsWith(head, [0x89, ...ascii('PNG'), 0x0d, 0x0a, 0x1a, 0x0a])) return 'png'
  if (startsWith(head, [...ascii('II'), 42, 0]) || startsWith(head, [...ascii('MM'), 0, 42])) return 'tiff'
  if (startsWith(head, ascii('RIFF')) && startsWith(head, ascii('WEBP'), 8)) return 'webp'
  if (hasPdfHeader(head)) return 'pdf'
  return 'other'
}
