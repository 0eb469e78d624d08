import { describe, expect, it } from 'vitest'
import { NO_EXPIRY_MRZ_DATE, accessKeyCandidatesFromQr, accessKeyFromMrz } from '../../../src/main/services/idcard/access-keys'
import { MrzError } from '../../../src/main/services/idcard/icao/mrz'
import { SAMPLE_MRZ } from '../../helpers/idcard-card'

const expiries = (dateOfBirth: string, issueDate: string): string[] =>
  accessKeyCandidatesFromQr({ id: '048090012345', dateOfBirth, issueDate }).map((candidate) => candidate.dateOfExpiry)

describe('access keys from the MRZ', () => {
  it('takes the nine-digit document number and both dates', () => {
    expect(accessKeyFromMrz(SAMPLE_MRZ)).toEqual({ documentNumber: '090012345', dateOfBirth: '900315', dateOfExpiry: '300315' })
  })

  it('reads the published sample card', () => {
    const sample = 'IDVNM0930470641001093047064<<2\n9301054M3301052VNM<<<<<<<<<<<8\nNGUYEN<<VAN<A<<<<<<<<<<<<<<<<<'
    expect(accessKeyFromMrz(sample)).toEqual({ documentNumber: '093047064', dateOfBirth: '930105', dateOfExpiry: '330105' })
  })

  it('refuses an MRZ whose check digits fail', () => {
    expect(() => accessKeyFromMrz(SAMPLE_MRZ.replace('9003152', '9003153'))).toThrow(MrzError)
  })
})

describe('access key candidates from the QR', () => {
  it('takes the document number from the last nine digits of the ID and the birth date as YYMMDD', () => {
    const [first] = accessKeyCandidatesFromQr({ id: '048090012345', dateOfBirth: '1990-03-15', issueDate: '2021-08-10' })
    expect(first).toEqual({ documentNumber: '090012345', dateOfBirth: '900315', dateOfExpiry: '300315' })
  })

  it.each([
    ['issued at 31: the 40th birthday', '1990-03-15', '2021-08-10', '300315'],
    ['issued at 20: the 25th birthday', '2001-06-01', '2021-06-01', '260601'],
    ['issued within two years before 25: the 40th birthday', '1997-06-01', '2021-06-02', '370601'],
    ['issued at 59: no expiry', '1962-06-01', '2021-06-01', NO_EXPIRY_MRZ_DATE],
    ['issued at 45: the 60th birthday', '1976-06-01', '2021-06-01', '360601'],
    ['a new card issued at 10: the 14th birthday', '2015-06-01', '2025-06-01', '290601'],
    ['a new card issued at 13: the 25th birthday', '2012-06-01', '2025-06-01', '370601'],
    ['born on 29 February, expiring in a common year: the 28th', '1996-02-29', '2015-06-01', '210228'],
  ])('puts first the rule for a card %s', (_name, dateOfBirth, issueDate, expected) => {
    expect(expiries(dateOfBirth, issueDate)[0]).toBe(expected)
  })

  it('follows with the expiry without the two-year grace and the other law, without duplicates', () => {
    // Issued within two years before 25 under the 2014 law: grace gives 40, no grace 25; the 2023 law agrees.
    expect(expiries('1997-06-01', '2021-06-02')).toEqual(['370601', '220601'])
    expect(expiries('1962-06-01', '2021-06-01')).toEqual([NO_EXPIRY_MRZ_DATE, '220601'])
    // Issued at 13 under the 2014 law: 25 either way; only the 2023 law without grace gives the 14th birthday.
    expect(expiries('2008-06-01', '2021-06-01')).toEqual(['330601', '220601'])
  })
})
