import type { CccdQrData } from '../../../shared/domain/scan/cccd-qr'
import { parseMrz, type BacMrzFields } from './icao/mrz'

/**
 * What BAC needs (document number, birth and expiry dates) from the two things a resident can hand over: the MRZ
 * on the back of the card, or the QR code, which lacks the expiry date, so the expiry is computed from the rules.
 */

/** The expiry an MRZ carries when the card has none (cards issued at 58 or older). */
export const NO_EXPIRY_MRZ_DATE = '991231'

// Law 59/2014 (CCCD): renew at 25, 40 and 60. Law 26/2023 (thẻ căn cước, issued from 1 July 2024) adds 14.
const RENEWAL_AGES_2014 = [25, 40, 60] as const
const RENEWAL_AGES_2023 = [14, 25, 40, 60] as const
const LAW_2023_IN_FORCE = '2024-07-01'
// A card issued within two years before a renewal age stays valid until the next one.
const GRACE_YEARS = 2
const DOCUMENT_NUMBER_LENGTH = 9

/** The key fields of a typed or scanned MRZ (check digits verified). */
export function accessKeyFromMrz(mrzText: string): BacMrzFields {
  const { documentNumber, dateOfBirth, dateOfExpiry } = parseMrz(mrzText)
  return { documentNumber, dateOfBirth, dateOfExpiry }
}

/** The holder's birthday at `age` as YYYY-MM-DD; 29 February falls on the 28th in common years, as date libraries do it. */
function birthdayAt(dateOfBirth: string, age: number): string {
  const year = Number(dateOfBirth.slice(0, 4)) + age
  const monthDay = dateOfBirth.slice(5)
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
  return `${year}-${monthDay === '02-29' && !leap ? '02-28' : monthDay}`
}

/** The expiry under one set of renewal ages, or null for a card valid for life. */
function expiryUnder(renewalAges: readonly number[], dateOfBirth: string, issueDate: string, grace: boolean): string | null {
  for (const age of renewalAges) {
    const renewal = birthdayAt(dateOfBirth, age)
    if (renewal <= issueDate) continue
    if (grace && issueDate >= birthdayAt(dateOfBirth, age - GRACE_YEARS)) continue
    return renewal
  }
  return null
}

function toMrzDate(isoDate: string | null): string {
  return isoDate === null ? NO_EXPIRY_MRZ_DATE : isoDate.slice(2).replaceAll('-', '')
}

/**
 * Candidates from the QR alone, most likely first: the rules of the law the card was issued under, then the same
 * without the two-year grace, then the other law's (cards issued around the changeover). Duplicates removed.
 */
export function accessKeyCandidatesFromQr({ id, dateOfBirth, issueDate }: Pick<CccdQrData, 'id' | 'dateOfBirth' | 'issueDate'>): BacMrzFields[] {
  const newCard = issueDate >= LAW_2023_IN_FORCE
  const laws = newCard ? [RENEWAL_AGES_2023, RENEWAL_AGES_2014] : [RENEWAL_AGES_2014, RENEWAL_AGES_2023]
  const expiries = laws.flatMap((ages) => [true, false].map((grace) => toMrzDate(expiryUnder(ages, dateOfBirth, issueDate, grace))))
  return [...new Set(expiries)].map((dateOfExpiry) => ({
    documentNumber: id.slice(-DOCUMENT_NUMBER_LENGTH),
    dateOfBirth: toMrzDate(dateOfBirth),
    dateOfExpiry,
  }))
}
