import { IcaoError } from '../icao/errors'
import { TlvError, decodeTlv, type ConstructedTlv, type Tlv } from '../icao/tlv'

/** The logical data structure of an eMRTD (ICAO 9303 Part 10): file identifiers, tags and shared decoding helpers. */

export type DataGroupErrorCode =
  | 'malformed'
  | 'unexpectedTag'
  | 'missingField'
  | 'invalidDate'
  | 'invalidMrz'
  | 'unsupportedImage'
  | 'unsupportedAlgorithm'

export class DataGroupError extends IcaoError<DataGroupErrorCode> {}

/** The eMRTD application (ICAO 9303 Part 10, 3.1). */
export const EMRTD_AID = Buffer.from('A0000002471001', 'hex')
export const EF_COM = { fileId: 0x011e, tag: 0x60 } as const
export const EF_SOD = { fileId: 0x011d, tag: 0x77 } as const

// Part 10, table 34: DG1 61, DG2 75, DG3 63, DG4 76, DG5-DG16 65-70.
const DATA_GROUP_TAGS = [0x61, 0x75, 0x63, 0x76, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f, 0x70] as const

export function dataGroupTag(dataGroup: number): number {
  const tag = DATA_GROUP_TAGS[dataGroup - 1]
  if (tag === undefined) throw new DataGroupError('unexpectedTag', `there is no data group ${dataGroup}`)
  return tag
}

/** The data group a tag of EF.COM's tag list names, or undefined for a tag outside DG1-DG16. */
export function dataGroupOfTag(tag: number): number | undefined {
  const index = DATA_GROUP_TAGS.findIndex((candidate) => candidate === tag)
  return index === -1 ? undefined : index + 1
}

/** DG1 is 0101, DG2 0102 ... DG16 0110. */
export function dataGroupFileId(dataGroup: number): number {
  dataGroupTag(dataGroup)
  return 0x0100 + dataGroup
}

/** Decodes one file's outer TLV, expecting `tag`; decoding errors become DataGroupError so callers see one type. */
export function decodeFile(bytes: Uint8Array, tag: number, name: string): ConstructedTlv {
  let file: Tlv
  try {
    file = decodeTlv(bytes)
  } catch (error) {
    if (!(error instanceof TlvError)) throw error
    throw new DataGroupError('malformed', `${name}: ${error.message}`, { cause: error })
  }
  if (file.tag !== tag || !file.constructed) {
    throw new DataGroupError('unexpectedTag', `${name} starts with tag ${file.tag.toString(16)}, expected constructed ${tag.toString(16)}`)
  }
  return file
}

export function childWithTag(parent: Tlv, tag: number, name: string): Tlv {
  const child = parent.constructed ? parent.children.find((candidate) => candidate.tag === tag) : undefined
  if (!child) throw new DataGroupError('malformed', `${name}: no data object ${tag.toString(16)}`)
  return child
}

export function constructedChildren(node: Tlv | undefined, name: string): Tlv[] {
  if (!node?.constructed) throw new DataGroupError('malformed', `${name} is not a constructed object`)
  return node.children
}

const ASN1_INTEGER = 0x02
const ASN1_OID = 0x06
const MAX_SMALL_INTEGER_BYTES = 4

/** A non-negative DER INTEGER small enough for a version or data group number. */
export function readSmallInteger(node: Tlv | undefined, name: string): number {
  if (node?.tag !== ASN1_INTEGER || node.value.length === 0 || node.value.length > MAX_SMALL_INTEGER_BYTES || (node.value[0] ?? 0) > 0x7f) {
    throw new DataGroupError('malformed', `${name} is not a small non-negative INTEGER`)
  }
  return node.value.readUIntBE(0, node.value.length)
}

/** Dotted OBJECT IDENTIFIER text: the first byte packs two arcs, the rest are base-128 with a continuation bit. */
export function readOid(node: Tlv | undefined, name: string): string {
  const value = node?.tag === ASN1_OID ? node.value : undefined
  const last = value?.[value.length - 1]
  if (!value || last === undefined || (last & 0x80) !== 0) throw new DataGroupError('malformed', `${name} is not an OBJECT IDENTIFIER`)
  const arcs: number[] = []
  let arc = 0
  for (const byte of value) {
    arc = arc * 128 + (byte & 0x7f)
    if (!Number.isSafeInteger(arc)) throw new DataGroupError('malformed', `${name} has an arc that is too large`)
    if ((byte & 0x80) === 0) {
      arcs.push(arc)
      arc = 0
    }
  }
  const [first = 0, ...rest] = arcs
  const top = Math.min(Math.floor(first / 40), 2)
  return [top, first - top * 40, ...rest].join('.')
}
