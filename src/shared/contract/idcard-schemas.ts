import { z } from 'zod'

/** The chip ID card through the contract: the key a resident hands over, what the chip says, readers and cards. */

const MAX_KEY_TEXT = 500

/** What opens the chip: the MRZ (three lines, joined by newlines or not), the card's QR text, or the 6-digit CAN. */
export const IdCardAccessKeySchema = z.union([
  z.object({ mrz: z.string().min(1).max(MAX_KEY_TEXT) }).strict(),
  z.object({ cccdQr: z.string().min(1).max(MAX_KEY_TEXT) }).strict(),
  z.object({ can: z.string().regex(/^\d{6}$/, 'the CAN is 6 digits') }).strict(),
])
export type IdCardAccessKey = z.infer<typeof IdCardAccessKeySchema>

export const ReadIdCardInputSchema = z.object({ accessKey: IdCardAccessKeySchema }).strict()

const text = z.string().max(1000)

export const IdCardMrzSchema = z
  .object({
    documentCode: text,
    issuingState: text,
    documentNumber: text,
    /** The 12-digit ID when the MRZ carries it. */
    idNumber: text.nullable(),
    /** YYMMDD as in the MRZ. */
    dateOfBirth: text,
    sex: text,
    dateOfExpiry: text,
    nationality: text,
    primaryIdentifier: text,
    secondaryIdentifier: text,
  })
  .strict()

/** DG13 with dates as YYYY-MM-DD: the one list of its keys (the parser's type, the emulator's card profiles). */
export const IdCardPersonalDataSchema = z
  .object({
    /** The 12-digit personal identification number. */
    idNumber: text,
    fullName: text,
    /** YYYY-MM-DD, or YYYY-MM / YYYY when the record knows only part of the date (printed with 00). */
    dateOfBirth: text,
    sex: text,
    nationality: text,
    ethnicity: text,
    religion: text,
    hometown: text,
    residence: text,
    identifyingFeatures: text,
    /** YYYY-MM-DD */
    issueDate: text,
    /** YYYY-MM-DD; null when the card has no expiry (it prints "Không thời hạn" instead of a date). */
    expiryDate: text.nullable(),
    fatherName: text,
    motherName: text,
    /** Empty when the card records no spouse. */
    spouseName: text,
    /** The old 9-digit identity card (CMND) number; empty when there is none. */
    oldIdNumber: text,
  })
  .strict()
export type IdCardPersonalData = z.infer<typeof IdCardPersonalDataSchema>

export const PASSIVE_AUTHENTICATION_VERDICTS = ['valid', 'signatureInvalid', 'hashMismatch', 'unknownCsca'] as const

/** Whether the chip proved it holds DG15's private key (not a copy); 'notSupported' when it has no DG15. */
export const ACTIVE_AUTHENTICATION_RESULTS = ['passed', 'failed', 'notSupported'] as const

/** The longest face image passed on (real cards hold 15-25 kB). */
const MAX_FACE_BYTES = 200_000

export const IdCardFaceSchema = z
  .object({
    mime: z.enum(['image/jpeg', 'image/jp2']),
    base64: z.base64().max(Math.ceil(MAX_FACE_BYTES / 3) * 4),
    /** False for JPEG 2000, which neither this build's image library nor the browsers decode: shown as a placeholder. */
    displayable: z.boolean(),
  })
  .strict()

export const ID_CARD_FAILURES = [
  'wrongKey',
  'invalidKey',
  /** A CAN was given for a card that cannot be opened with one (no PACE, or PACE without the CAN): use the QR or MRZ. */
  'canNotSupported',
  'cardRemoved',
  'readerUnplugged',
  'unsupportedCard',
  'timeout',
  'readFailed',
  'noCard',
  'noReader',
  'pcscUnavailable',
  'busy',
  /** The kiosk called the read off (the resident left): cancelIdCardRead. */
  'cancelled',
] as const
export type IdCardFailure = (typeof ID_CARD_FAILURES)[number]

/** A failed read is an answer, not an error: the screen tells the resident what to do and tries again. */
export const ReadIdCardOutputSchema = z.discriminatedUnion('status', [
  z
    .object({
      status: z.literal('read'),
      mrz: IdCardMrzSchema,
      dg13: IdCardPersonalDataSchema,
      face: IdCardFaceSchema,
      passiveAuthentication: z.object({ verdict: z.enum(PASSIVE_AUTHENTICATION_VERDICTS), dataGroup: z.number().int().optional() }).strict(),
      activeAuthentication: z.enum(ACTIVE_AUTHENTICATION_RESULTS),
      apduCount: z.number().int().nonnegative(),
      timingMs: z.number().nonnegative(),
    })
    .strict(),
  z.object({ status: z.literal('failed'), reason: z.enum(ID_CARD_FAILURES) }).strict(),
])
export type ReadIdCardOutput = z.infer<typeof ReadIdCardOutputSchema>

export const CancelIdCardReadOutputSchema = z.object({ cancelled: z.boolean() }).strict()

/** The readers main sees and whether a card is on each; 'service' tells whether PC/SC (pcscd) answers at all. */
export const IdCardPresenceSchema = z
  .object({
    service: z.enum(['starting', 'running', 'noService', 'noLibrary']),
    readers: z.array(z.object({ name: z.string().max(200), cardPresent: z.boolean() }).strict()).max(16),
  })
  .strict()
export type IdCardPresence = z.infer<typeof IdCardPresenceSchema>

/** While the face (DG2, the largest file) is read. */
export const IdCardProgressSchema = z.object({ bytesRead: z.number().int().nonnegative(), totalBytes: z.number().int().positive() }).strict()
export type IdCardProgress = z.infer<typeof IdCardProgressSchema>
