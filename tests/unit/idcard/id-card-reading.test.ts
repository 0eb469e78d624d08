import { describe, expect, it } from 'vitest'
import { createCardEmulator } from '../../../src/main/services/idcard/emulator/card-emulator'
import { accessKeysFor, readIdCardOver } from '../../../src/main/services/idcard/id-card-reading'
import { ReadIdCardOutputSchema, type IdCardProgress } from '../../../src/shared/contract/idcard-schemas'
import { SAMPLE_DG13, SAMPLE_MRZ, SAMPLE_QR, channelTo, sampleProfile } from '../../helpers/idcard-card'

describe('the access key a resident hands over', () => {
  it('is the MRZ, the candidates from the QR, or the CAN; a bad one is a failure to tell', () => {
    expect(accessKeysFor({ mrz: SAMPLE_MRZ.replaceAll('\n', '') })).toEqual([{ documentNumber: '090012345', dateOfBirth: '900315', dateOfExpiry: '300315' }])
    expect(accessKeysFor({ cccdQr: SAMPLE_QR })).toContainEqual({ documentNumber: '090012345', dateOfBirth: '900315', dateOfExpiry: '300315' })
    expect(accessKeysFor({ mrz: 'IDVNM<<<' })).toBe('invalidKey')
    expect(accessKeysFor({ cccdQr: 'not|a|card' })).toBe('invalidKey')
    expect(accessKeysFor({ can: '123456' })).toEqual([{ can: '123456' }])
  })
})

describe('a read as the screen receives it', () => {
  it('fits the contract: personal data, the JPEG face, the verdict, progress on DG2 only', async () => {
    const profile = await sampleProfile()
    const card = createCardEmulator(profile)
    const progress: IdCardProgress[] = []
    const keys = accessKeysFor({ mrz: SAMPLE_MRZ })
    if (!Array.isArray(keys)) throw new Error(keys)
    const reading = ReadIdCardOutputSchema.parse(await readIdCardOver(channelTo(card), keys, { trustList: [card.csca], onProgress: (step) => progress.push(step) }))
    if (reading.status !== 'read') throw new Error(reading.reason)
    expect(reading.dg13).toEqual(SAMPLE_DG13)
    expect(reading.face).toEqual({ mime: 'image/jpeg', base64: profile.face.jpeg.toString('base64'), displayable: true })
    expect(reading.passiveAuthentication).toEqual({ verdict: 'valid' })
    expect(reading.activeAuthentication).toBe('passed')
    expect(progress.at(-1)).toEqual({ bytesRead: progress.at(-1)?.totalBytes, totalBytes: expect.any(Number) })
    expect(progress.at(-1)!.totalBytes).toBeGreaterThan(profile.face.jpeg.length)
  })

  it("reports the first tampered data group in the verdict", async () => {
    const card = createCardEmulator(await sampleProfile(), { tamper: 'dg13' })
    const keys = accessKeysFor({ mrz: SAMPLE_MRZ }) as Exclude<ReturnType<typeof accessKeysFor>, string>
    const reading = await readIdCardOver(channelTo(card), keys, { trustList: [card.csca] })
    expect(reading.status === 'read' && reading.passiveAuthentication).toEqual({ verdict: 'hashMismatch', dataGroup: 13 })
  })
})
