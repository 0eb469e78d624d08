import { describe, expect, it } from 'vitest'
import { createCardEmulator, type CardEmulator } from '../../../src/main/services/idcard/emulator/card-emulator'
import { accessKeysFor, readIdCardFromReader, readIdCardOver } from '../../../src/main/services/idcard/id-card-reading'
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

describe('the log of a failed read', () => {
  /** Reads `card` as if it lay on a PC/SC reader, collecting the log. */
  async function logOfReading(card: CardEmulator): Promise<{ reason: string; log: string[] }> {
    const log: string[] = []
    const readers = {
      waitForCard: async () => 'Reader 0',
      connect: async (readerName: string) => ({ readerName, atr: Buffer.alloc(0), protocol: 'T1' as const, disconnect: async () => undefined, ...channelTo(card) }),
    }
    const reading = await readIdCardFromReader({ readers, accessKey: { mrz: SAMPLE_MRZ }, trustList: [], waitForCardMs: 100, log: (line) => log.push(line) })
    return { reason: reading.status === 'failed' ? reading.reason : reading.status, log }
  }

  it('names the damaged DG13 but none of its values', async () => {
    const profile = await sampleProfile()
    const badDate = '31/02/1990'
    const { reason, log } = await logOfReading(createCardEmulator({ ...profile, dg13: { ...profile.dg13, dateOfBirth: badDate } }))
    expect(reason).toBe('readFailed')
    expect(log.join('\n')).toMatch(/DG13.*invalidDate/)
    for (const value of [badDate, '1990', profile.dg13.idNumber, profile.dg13.fullName]) expect(log.join('\n')).not.toContain(value)
  })

  it('names the damaged DG1 but none of the MRZ', async () => {
    const { reason, log } = await logOfReading(createCardEmulator(await sampleProfile(), { tamper: 'dg1' }))
    expect(reason).toBe('readFailed')
    expect(log.join('\n')).toMatch(/DG1.*invalidMrz/)
    for (const value of [...SAMPLE_MRZ.split('\n').map((line) => line.slice(0, 15)), 'NGUYEN', '090012345', '900315']) expect(log.join('\n')).not.toContain(value)
  })
})
