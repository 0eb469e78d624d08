import { readFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import sharp from 'sharp'
import { z } from 'zod'
import { IcaoError } from '../icao/errors'

/** A card profile for the emulator: `{"mrz": [3 lines], "dg13": {...printed values}, "face": "face.jpg"}`. */

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
}

export type CardProfileErrorCode = 'unreadableProfile' | 'invalidProfile' | 'invalidFace'

export class CardProfileError extends IcaoError<CardProfileErrorCode> {}

const text = z.string()
/** A field a card may leave empty (no religion, no spouse, no old number...): a profile may omit it. */
const optionalText = text.default('')
const printedDg13Schema = z.object({
  idNumber: text,
  fullName: text,
  dateOfBirth: text,
  sex: text,
  nationality: optionalText,
  ethnicity: optionalText,
  religion: optionalText,
  hometown: optionalText,
  residence: optionalText,
  identifyingFeatures: optionalText,
  issueDate: text,
  expiryDate: text,
  fatherName: optionalText,
  motherName: optionalText,
  spouseName: optionalText,
  oldIdNumber: optionalText,
})
const profileSchema = z.object({ mrz: z.tuple([text, text, text]), dg13: printedDg13Schema, face: text })

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
  return { mrz: parsed.mrz, dg13: parsed.dg13, face: { jpeg, width, height } }
}
