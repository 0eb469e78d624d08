/** What a file the clerk imports is, by its first bytes (a name or a MIME type can lie). */
export type ImportedFileKind = 'jpeg' | 'png' | 'tiff' | 'webp' | 'pdf' | 'other'

const startsWith = (bytes: Uint8Array, signature: readonly number[], at = 0): boolean => signature.every((byte, index) => bytes[at + index] === byte)
const ascii = (text: string): number[] => [...text].map((char) => char.charCodeAt(0))

export function kindOfFile(head: Uint8Array): ImportedFileKind {
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'jpeg'
  if (startsWith(head, [0x89, ...ascii('PNG'), 0x0d, 0x0a, 0x1a, 0x0a])) return 'png'
  if (startsWith(head, [...ascii('II'), 42, 0]) || startsWith(head, [...ascii('MM'), 0, 42])) return 'tiff'
  if (startsWith(head, ascii('RIFF')) && startsWith(head, ascii('WEBP'), 8)) return 'webp'
  if (startsWith(head, ascii('%PDF-'))) return 'pdf'
  return 'other'
}
