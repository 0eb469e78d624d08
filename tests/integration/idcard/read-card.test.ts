import { X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { beforeAll, describe, expect, it } from 'vitest'
import { parseCccdQr } from '../../../src/shared/domain/scan/cccd-qr'
import { accessKeyCandidatesFromQr, accessKeyFromMrz } from '../../../src/main/services/idcard/access-keys'
import { createCardEmulator, type CardEmulatorOptions } from '../../../src/main/services/idcard/emulator/card-emulator'
import type { CardProfile } from '../../../src/main/services/idcard/emulator/profile'
import { verifyPassiveAuthentication } from '../../../src/main/services/idcard/passive-authentication'
import { CardReadError, readCard, type CardChannel, type CardReadErrorCode, type CardReadOptions, type ReadProgress } from '../../../src/main/services/idcard/reader'
import { CSCA_VN_PATH, SAMPLE_DG13, SAMPLE_MRZ, SAMPLE_QR, channelTo, sampleProfile } from '../../helpers/idcard-card'

let profile: CardProfile
beforeAll(async () => {
  profile = await sampleProfile()
})

const byMrz = (): CardReadOptions => ({ accessKeys: [accessKeyFromMrz(SAMPLE_MRZ)] })
const wrongKey = { documentNumber: '090012345', dateOfBirth: '900315', dateOfExpiry: '400315' }

async function expectReadError(promise: Promise<unknown>, code: CardReadErrorCode): Promise<CardReadError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  )
  expect(error).toBeInstanceOf(CardReadError)
  expect((error as CardReadError).code).toBe(code)
  return error as CardReadError
}

function emulator(options: CardEmulatorOptions = {}) {
  return createCardEmulator(profile, options)
}

describe('reading the emulated card', () => {
  it('reads everything by the MRZ, and passive authentication passes with the test CSCA trusted', async () => {
    const card = emulator()
    const progress: ReadProgress[] = []
    const result = await readCard(channelTo(card), { ...byMrz(), onProgress: (step) => progress.push(step) })

    expect(result.personalData).toEqual(SAMPLE_DG13)
    expect(result.mrz).toMatchObject({ format: 'TD1', documentNumber: '090012345', vietnameseIdNumber: '048090012345', dateOfExpiry: '300315' })
    expect(result.face.format).toBe('jpeg')
    expect(result.face.image.equals(profile.face.jpeg)).toBe(true)
    expect(result.com).toEqual({ ldsVersion: '1.7', unicodeVersion: '4.0.0', dataGroups: [1, 2, 3, 13, 15] })
    // DG3 is listed but restricted; DG15 is read because EF.COM lists it.
    expect([...result.dataGroups.keys()].sort((a, b) => a - b)).toEqual([1, 2, 13, 15])
    expect(verifyPassiveAuthentication(result.sod, result.dataGroups, [card.csca])).toMatchObject({ verdict: 'valid' })

    const face = progress.filter((step) => step.file === 'DG2')
    expect(face.at(-1)).toEqual({ file: 'DG2', bytesRead: face.at(-1)?.totalBytes, totalBytes: result.dataGroups.get(2)?.length })
    expect(face.map((step) => step.bytesRead)).toEqual([...face.map((step) => step.bytesRead)].sort((a, b) => a - b))
  })

  it('opens the card from the QR code alone, after a wrong candidate', async () => {
    const qr = parseCccdQr(SAMPLE_QR, { today: '2025-01-01' })
    if (!qr.ok) throw new Error(qr.error.message)
    const candidates = accessKeyCandidatesFromQr(qr.value)
    const result = await readCard(channelTo(emulator()), { accessKeys: [wrongKey, ...candidates] })
    expect(result.accessKey).toEqual(candidates[0])
    expect(result.personalData).toEqual(SAMPLE_DG13)
  })

  it('says wrongKey once every candidate has failed', async () => {
    const card = emulator()
    let apdus = 0
    const counting: CardChannel = { transmit: async (apdu) => (apdus++, card.transmit(apdu)) }
    await expectReadError(readCard(counting, { accessKeys: [wrongKey, { ...wrongKey, dateOfExpiry: '991231' }] }), 'wrongKey')
    // SELECT, then GET CHALLENGE and EXTERNAL AUTHENTICATE per candidate.
    expect(apdus).toBe(5)
  })

  it('uses extended length when allowed: fewer APDUs', async () => {
    const short = await readCard(channelTo(emulator()), byMrz())
    const extended = await readCard(channelTo(emulator()), { ...byMrz(), extendedLength: true })
    expect(extended.personalData).toEqual(SAMPLE_DG13)
    expect(extended.statistics.apdus).toBeLessThan(short.statistics.apdus)
  })

  it('falls back to short APDUs when the card refuses extended ones, authenticating again', async () => {
    const result = await readCard(channelTo(emulator({ extendedLength: false })), { ...byMrz(), extendedLength: true })
    expect(result.face.image.equals(profile.face.jpeg)).toBe(true)
  })

  it.each([160, 100, 20])('adapts to a card that answers at most %i bytes per READ BINARY', async (maxReadLength) => {
    const result = await readCard(channelTo(emulator({ maxReadLength })), byMrz())
    expect(result.face.image.equals(profile.face.jpeg)).toBe(true)
    expect(verifyPassiveAuthentication(result.sod, result.dataGroups, [])).toEqual({ verdict: 'unknownCsca' })
  })
})

describe('passive authentication of what was read', () => {
  it("is 'unknownCsca' with only the real Vietnamese CSCA in the trust list", async () => {
    const result = await readCard(channelTo(emulator()), byMrz())
    const vietnam = new X509Certificate(readFileSync(CSCA_VN_PATH))
    expect(verifyPassiveAuthentication(result.sod, result.dataGroups, [vietnam])).toEqual({ verdict: 'unknownCsca' })
  })

  it("is 'hashMismatch' on DG13 when the card serves a DG13 changed after signing", async () => {
    const card = emulator({ tamper: 'dg13' })
    const result = await readCard(channelTo(card), byMrz())
    expect(verifyPassiveAuthentication(result.sod, result.dataGroups, [card.csca])).toEqual({ verdict: 'hashMismatch', dataGroup: 13 })
  })

  it("is 'signatureInvalid' when the SOD's signature is damaged", async () => {
    const card = emulator({ tamper: 'sod' })
    const result = await readCard(channelTo(card), byMrz())
    expect(verifyPassiveAuthentication(result.sod, result.dataGroups, [card.csca])).toEqual({ verdict: 'signatureInvalid' })
  })
})

describe('misbehaving cards and readers', () => {
  /** Passes APDUs to the emulator and lets `mangle` change the n-th response (0-based). */
  function mangling(at: number, mangle: (response: Buffer) => Buffer): CardChannel {
    const card = emulator()
    let count = 0
    return { transmit: async (apdu) => (count++ === at ? mangle(card.transmit(apdu)) : card.transmit(apdu)) }
  }
  // APDU 0 is SELECT, 1-2 BAC, 3 SELECT EF.COM, 4 its header, 5 the rest of EF.COM.
  const firstRead = 4

  it.each<[string, (response: Buffer) => Buffer]>([
    ['a wrong MAC', (response) => Buffer.concat([response.subarray(0, -3), Buffer.from([response[response.length - 3]! ^ 1]), response.subarray(-2)])],
    ['a corrupted TLV length', (response) => Buffer.concat([Buffer.from([response[0]!, 0x7f]), response.subarray(2)])],
    ['a truncated response', (response) => Buffer.concat([response.subarray(0, 10), response.subarray(-2)])],
    ['a lone status byte', () => Buffer.from([0x90])],
    ['a plain 6988', () => Buffer.from('6988', 'hex')],
  ])('turns %s into readFailed', async (_name, mangle) => {
    await expectReadError(readCard(mangling(firstRead, mangle), byMrz()), 'readFailed')
  })

  it('turns a garbled authentication answer into readFailed', async () => {
    const flipFirst = (response: Buffer) => Buffer.concat([Buffer.from([response[0]! ^ 1]), response.subarray(1)])
    await expectReadError(readCard(mangling(2, flipFirst), byMrz()), 'readFailed')
  })

  it('says unsupportedCard when there is no eMRTD application or no BAC', async () => {
    await expectReadError(readCard({ transmit: async () => Buffer.from('6A82', 'hex') }, byMrz()), 'unsupportedCard')
    await expectReadError(readCard(mangling(1, () => Buffer.from('6D00', 'hex')), byMrz()), 'unsupportedCard')
  })

  it('says timeout when the card stops answering', async () => {
    const silent: CardChannel = { transmit: () => new Promise<Buffer>(() => undefined) }
    await expectReadError(readCard(silent, { ...byMrz(), commandTimeoutMs: 20 }), 'timeout')
  })

  it('passes on cardRemoved from the channel, and wraps other transport failures as readFailed', async () => {
    const removed: CardChannel = { transmit: async () => Promise.reject(new CardReadError('cardRemoved', 'SCARD_W_REMOVED_CARD')) }
    await expectReadError(readCard(removed, byMrz()), 'cardRemoved')
    const broken: CardChannel = { transmit: async () => Promise.reject(new Error('SCardTransmit 0x80100016')) }
    await expectReadError(readCard(broken, byMrz()), 'readFailed')
  })
})
