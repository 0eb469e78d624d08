import { describe, expect, it } from 'vitest'
import type { ReadIdCardOutput } from '../../../src/shared/contract/idcard-schemas'
import { cardHolderOf } from '../../../src/renderer/src/roles/kiosk/card-holder'

type Reading = Extract<ReadIdCardOutput, { status: 'read' }>

function readingWith(passiveAuthentication: Reading['passiveAuthentication']): Reading {
  const dg13 = {
    idNumber: '048090012345', fullName: 'Nguyễn Văn Mẫu', dateOfBirth: '1990-03-15', sex: 'Nam', nationality: 'Việt Nam', ethnicity: 'Kinh', religion: 'Không',
    hometown: '', residence: '', identifyingFeatures: '', issueDate: '2021-08-10', expiryDate: '2030-03-15', fatherName: '', motherName: '', spouseName: '', oldIdNumber: '',
  }
  const mrz = { documentCode: 'ID', issuingState: 'VNM', documentNumber: '090012345', idNumber: '048090012345', dateOfBirth: '900315', sex: 'M', dateOfExpiry: '300315', nationality: 'VNM', primaryIdentifier: 'NGUYEN', secondaryIdentifier: 'VAN MAU' }
  return { status: 'read', mrz, dg13, face: { mime: 'image/jpeg', base64: '', displayable: true }, passiveAuthentication, activeAuthentication: 'passed', apduCount: 1, timingMs: 1 }
}

describe('whom a chip card read identifies', () => {
  it.each(['valid', 'unknownCsca'] as const)('the holder, carrying the verdict, when it is %s', (verdict) => {
    expect(cardHolderOf(readingWith({ verdict }))).toEqual({ fullName: 'Nguyễn Văn Mẫu', idNumber: '048090012345', dateOfBirth: '1990-03-15', verdict })
  })

  it.each([{ verdict: 'hashMismatch', dataGroup: 13 }, { verdict: 'signatureInvalid' }] as const)('no one when the data does not match its signature ($verdict)', (passiveAuthentication) => {
    expect(cardHolderOf(readingWith(passiveAuthentication))).toBe('tampered')
  })
})
