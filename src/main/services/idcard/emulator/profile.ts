import { readFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import sharp from 'sharp'
import { z } from 'zod'
import { IdCardPersonalDataSchema } from '../../../../shared/contract/idcard-schemas'
import { IcaoError } from '../icao/errors'

/** A card profile for the emulator: `{"mrz": [3 lines], "dg13": {...printed values}, "face": "face.jpg", "can": "123456"}`. */

/** DG13 values as printed on the card: dates dd/mm/yyyy, the expiry possibly "Không thời hạn". */
export type PrintedDg13 = z.infer<typeof printedDg13Schema>

export interface FacePhoto {
  jpeg: Buffer
  width: number
  height: number
}

export interface CardProfile {
  mrz: [string, string, string]
  dg13: PrintedDg13
  face: FacePhoto
  /** The card access number printed on the card; without it the card refuses PACE with a CAN. */
  can?: string
}

export type CardProfileErrorCode = 'unreadableProfile' | 'invalidProfile' | 'invalidFace'

export class CardProfileError extends IcaoError<CardProfileErrorCode> {}

/** A field a card may leave empty (no religion, no spouse, no old number...): a profile may omit it. */
const optionalText = z.string().default('')
/** The contract's DG13 keys, every value as printed: dates dd/mm/yyyy, the expiry possibly "Không thời hạn". */
const printedDg13Schema = IdCardPersonalDataSchema.extend({
  dateOfBirth: z.string(),
  issueDate: z.string(),
  expiryDate: z.string(),
  nationality: optionalText,
  ethnicity: optionalText,
  religion: optionalText,
  hometown: optionalText,
  residence: optionalText,
  identifyingFeatures: optionalText,
  fatherName: optionalText,
  motherName: optionalText,
  spouseName: optionalText,
  oldIdNumber: optionalText,
})
const text = z.string()
const profileSchema = z.object({
  mrz: z.tuple([text, text, text]),
  dg13: printedDg13Schema,
  face: text,
  can: z.string().regex(/^\d{6}$/, 'the CAN is 6 digits').optional(),
})

async function readOrThrow(path: string, code: CardProfileErrorCode): Promise<Buffer> {
  try {
    return await readFile(path)
  } catch (error) {
    throw new CardProfileError(code, `cannot read ${path}: ${String(error)}`, { cause: error })
  }
}

/** Reads a profile JSON and its face JPEG (path relative to the profile), measuring the JPEG for DG2's header. */
export async function loadCardProfile(profilePath: string): Promise<CardProfile> {
  let parsed: z.infer<typeof profileSchema>
  try {
    parsed = profileSchema.parse(JSON.parse((await readOrThrow(profilePath, 'unreadableProfile')).toString('utf8')))
  } catch (error) {
    if (error instanceof CardProfileError) throw error
    throw new CardProfileError('invalidProfile', `${profilePath}: ${String(error)}`, { cause: error })
  }
  const jpeg = await readOrThrow(resolve(dirname(profilePath), parsed.face), 'invalidFace')
  const { format, width, height } = await sharp(jpeg)
    .metadata()
    .catch((error: unknown) => {
      throw new CardProfileError('invalidFace', `${parsed.face}: ${String(error)}`, { cause: error })
    })
  if (format !== 'jpeg' || !width || !height) throw new CardProfileError('invalidFace', `${parsed.face} is not a JPEG`)
  return { mrz: parsed.mrz, dg13: parsed.dg13, face: { jpeg, width, height }, ...(parsed.can !== undefined && { can: parsed.can }) }
}
