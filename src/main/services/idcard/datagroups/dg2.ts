import type { Tlv } from '../icao/tlv'
import { DataGroupError, childWithTag, constructedChildren, dataGroupTag, decodeFile } from './lds'

/** DG2: the face, an ISO/IEC 19794-5 facial record inside the biometric templates of ICAO 9303 Part 10. */

export type FaceImageFormat = 'jpeg' | 'jpeg2000'

export interface FaceImage {
  format: FaceImageFormat
  /** The image file as stored, ready to write out or show. */
  image: Buffer
}

export const DG2_TAGS = {
  biometricInformationGroup: 0x7f61,
  biometricInformation: 0x7f60,
  biometricHeader: 0xa1,
  biometricData: 0x5f2e,
  // The same data block when the chip marks it as enciphered: some issuers use it for plain data too.
  biometricDataEnciphered: 0x7f2e,
} as const

/** ISO/IEC 19794-5 (2005) sizes: general header, facial record header, a feature point, image information. */
export const FACE_RECORD = {
  formatIdentifier: Buffer.from('FAC\0', 'latin1'),
  generalHeaderLength: 14,
  facialHeaderLength: 20,
  featurePointLength: 8,
  imageInformationLength: 12,
} as const

const MAGIC_NUMBERS: readonly [FaceImageFormat, Buffer][] = [
  ['jpeg', Buffer.from('FFD8FF', 'hex')],
  // A JP2 file starts with its signature box, a bare JPEG 2000 codestream with SOC and SIZ markers.
  ['jpeg2000', Buffer.from('0000000C6A5020200D0A870A', 'hex')],
  ['jpeg2000', Buffer.from('FF4FFF51', 'hex')],
]

function biometricDataBlock(file: Tlv): Buffer {
  const group = childWithTag(file, DG2_TAGS.biometricInformationGroup, 'DG2')
  const first = childWithTag(group, DG2_TAGS.biometricInformation, 'DG2 group')
  const block = constructedChildren(first, 'DG2 biometric information').find(
    (node) => node.tag === DG2_TAGS.biometricData || node.tag === DG2_TAGS.biometricDataEnciphered,
  )
  if (!block) throw new DataGroupError('malformed', 'DG2 has no biometric data block')
  return block.value
}

/** The image of the first facial record, located through the record's own lengths. */
function firstFaceImage(record: Buffer): Buffer {
  const { formatIdentifier, generalHeaderLength, facialHeaderLength, featurePointLength, imageInformationLength } = FACE_RECORD
  if (record.length < generalHeaderLength + facialHeaderLength || !record.subarray(0, 4).equals(formatIdentifier)) {
    throw new DataGroupError('malformed', 'DG2 biometric data is not an ISO 19794-5 facial record')
  }
  const facialStart = generalHeaderLength
  const blockLength = record.readUInt32BE(facialStart)
  const featurePoints = record.readUInt16BE(facialStart + 4)
  const imageStart = facialStart + facialHeaderLength + featurePoints * featurePointLength + imageInformationLength
  const blockEnd = facialStart + blockLength
  if (blockEnd > record.length || imageStart >= blockEnd) {
    throw new DataGroupError('malformed', `DG2 facial record of ${blockLength} bytes does not fit its ${record.length}-byte block`)
  }
  return record.subarray(imageStart, blockEnd)
}

/** The face image, its format told by its magic number rather than the record's image data type, which issuers get wrong. */
export function parseDg2(bytes: Uint8Array): FaceImage {
  const image = firstFaceImage(biometricDataBlock(decodeFile(bytes, dataGroupTag(2), 'DG2')))
  const format = MAGIC_NUMBERS.find(([, magic]) => image.subarray(0, magic.length).equals(magic))?.[0]
  if (!format) throw new DataGroupError('unsupportedImage', `DG2 image starts ${image.subarray(0, 4).toString('hex')}, neither JPEG nor JPEG 2000`)
  return { format, image: Buffer.from(image) }
}
