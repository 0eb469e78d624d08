import type { ReadIdCardOutput } from '../../../../shared/contract/idcard-schemas'

type Reading = Extract<ReadIdCardOutput, { status: 'read' }>
type Verdict = Reading['passiveAuthentication']['verdict']

/** Verdicts under which the chip's data may stand for the resident: signed by a known issuer, or by one not in our trust list. */
export type TrustedVerdict = Extract<Verdict, 'valid' | 'unknownCsca'>

/** Who the chip says the resident is, and how far its signature vouches for it. */
export interface CardHolder {
  readonly fullName: string
  readonly idNumber: string
  readonly dateOfBirth: string
  readonly verdict: TrustedVerdict
}

/**
 * The holder a read identifies, or 'tampered' when the data does not match the issuer's signature (changed data, or
 * a forged signature): then it identifies no one. An unknown issuer (a CSCA missing from the trust list) is accepted
 * with a notice: the data is intact, only its signer is not known here.
 */
export function cardHolderOf({ dg13, passiveAuthentication: { verdict } }: Reading): CardHolder | 'tampered' {
  if (verdict === 'hashMismatch' || verdict === 'signatureInvalid') return 'tampered'
  return { fullName: dg13.fullName, idNumber: dg13.idNumber, dateOfBirth: dg13.dateOfBirth, verdict }
}
