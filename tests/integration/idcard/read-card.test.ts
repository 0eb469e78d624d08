import { X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { beforeAll, describe, expect, it } from 'vitest'
import { parseCccdQr } from '../../../src/shared/domain/scan/cccd-qr'
import { accessKeyCandidatesFromQr, accessKeyFromMrz } from '../../../src/main/services/idcard/access-keys'
import { DEFAULT_PACE_INFO, createCardEmulator, type CardEmulatorOptions } from '../../../src/main/services/idcard/emulator/card-emulator'
import type { CardProfile } from '../../../src/main/services/idcard/emulator/profile'
import { verifyPassiveAuthentication } from '../../../src/main/services/idcard/passive-authentication'
import { CardReadError, readCard, type CardChannel, type CardReadErrorCode, type CardReadOptions, type ReadProgress } from '../../../src/main/services/idcard/reader'
import { CSCA_VN_PATH, SAMPLE_DG13, SAMPLE_MRZ, SAMPLE_QR, channelTo, sampleProfile } from '../../helpers/idcard-card'

let profile: CardProfile
beforeAll(async () => {
  profile = await sampleProfile()
})

const byMrz = (): CardReadOptions => ({ accessKeys: [accessKeyFromMrz(SAMPLE_MRZ)] })
const byCan = (can: string): CardReadOptions => ({ accessKeys: [{ can }] })
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
    expect(result.com).toEqual({ ldsVersion: '1.7', unicodeVersion: '4.0.0', dataGroups: [1, 2, 3, 13, 14, 15] })
    // DG3 is listed but restricted; DG14 and DG15 are read because EF.COM lists them.
    expect([...result.dataGroups.keys()].sort((a, b) => a - b)).toEqual([1, 2, 13, 14, 15])
    expect(verifyPassiveAuthentication(result.sod, result.dataGroups, [card.csca])).toMatchObject({ verdict: 'valid' })
    // The card offers PACE in EF.CardAccess, so the MRZ opens it by PACE; DG15 is there, so Active Authentication runs.
    expect(result.accessControl).toBe('PACE')
    expect(result.activeAuthentication).toBe('passed')

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

  it('says wrongKey once every candidate has failed, by PACE or by BAC, never trying BAC after a wrong PACE password', async () => {
    const accessKeys = [wrongKey, { ...wrongKey, dateOfExpiry: '991231' }]
    for (const [pace, expectedApdus] of [
      // EF.CardAccess (SELECT, its header, the rest), then MSE:Set AT and four GENERAL AUTHENTICATE per candidate.
      [undefined, 13],
      // EF.CardAccess (none), SELECT, then GET CHALLENGE and EXTERNAL AUTHENTICATE per candidate.
      [false, 6],
    ] as const) {
      const card = emulator(pace === false ? { pace } : {})
      let apdus = 0
      const counting: CardChannel = { transmit: async (apdu) => (apdus++, card.transmit(apdu)) }
      await expectReadError(readCard(counting, { accessKeys }), 'wrongKey')
      expect(apdus).toBe(expectedApdus)
    }
  })

  it('reads a BAC-only card (no EF.CardAccess) by BAC', async () => {
    const result = await readCard(channelTo(emulator({ pace: false })), byMrz())
    expect(result.accessControl).toBe('BAC')
    expect(result.personalData).toEqual(SAMPLE_DG13)
  })

  it('reads a card that runs PACE on NIST P-256', async () => {
    const result = await readCard(channelTo(emulator({ pace: { ...DEFAULT_PACE_INFO, parameterId: 12 } })), byMrz())
    expect(result.accessControl).toBe('PACE')
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

  // BAC-only cards, whose sessions EXTERNAL AUTHENTICATE counts. PACE reopening is covered by the extended-length fallback above.
  it.each(['6B00', '6282', '6988', '6700'])('asks for less after a plain %s to a protected READ BINARY, authenticating again', async (status) => {
    const card = emulator({ pace: false, maxReadLength: 100, tooLongStatus: Number.parseInt(status, 16), plainErrors: true })
    let authentications = 0
    const counting: CardChannel = { transmit: async (apdu) => (apdu[1] === 0x82 && authentications++, card.transmit(apdu)) }
    const result = await readCard(counting, byMrz())
    expect(result.face.image.equals(profile.face.jpeg)).toBe(true)
    // Once at the start, then once per refused length (223, 160, 128) before 64 fits under 100 bytes.
    expect(authentications).toBe(4)
  })

  it('takes a DG15 refused in plain as absent, and reads on with secure messaging opened again', async () => {
    const result = await readCard(channelTo(emulator({ plainErrors: true, restrictedDataGroups: [3, 15] })), byMrz())
    expect([...result.dataGroups.keys()].sort((a, b) => a - b)).toEqual([1, 2, 13, 14])
    expect(result.activeAuthentication).toBe('notSupported')
  })

  it.each([160, 100, 20])('adapts to a card that answers at most %i bytes per READ BINARY', async (maxReadLength) => {
    const result = await readCard(channelTo(emulator({ maxReadLength })), byMrz())
    expect(result.face.image.equals(profile.face.jpeg)).toBe(true)
    expect(verifyPassiveAuthentication(result.sod, result.dataGroups, [])).toEqual({ verdict: 'unknownCsca' })
  })
})

describe('the card access number (PACE only)', () => {
  it('opens the card with its CAN', async () => {
    const result = await readCard(channelTo(emulator()), byCan(profile.can!))
    expect(result).toMatchObject({ accessControl: 'PACE', accessKey: { can: profile.can }, personalData: SAMPLE_DG13, activeAuthentication: 'passed' })
  })

  it('says wrongKey for another CAN, after one PACE attempt', async () => {
    const card = emulator()
    let apdus = 0
    await expectReadError(readCard({ transmit: async (apdu) => (apdus++, card.transmit(apdu)) }, byCan('999999')), 'wrongKey')
    expect(apdus).toBe(8)
  })

  it('says canNotSupported for a card without PACE, or one that does not take its CAN', async () => {
    await expectReadError(readCard(channelTo(emulator({ pace: false })), byCan(profile.can!)), 'canNotSupported')
    const { can: _can, ...withoutCan } = profile
    await expectReadError(readCard(channelTo(createCardEmulator(withoutCan)), byCan(profile.can!)), 'canNotSupported')
  })

  it('says readFailed when PACE breaks down with a CAN, which has no BAC to fall back on', async () => {
    const card = emulator()
    let count = 0
    // APDUs 0-2 read EF.CardAccess, 3 is MSE:Set AT, 4 asks for the nonce.
    const refusing: CardChannel = { transmit: async (apdu) => (count++ === 4 ? Buffer.from('6A80', 'hex') : card.transmit(apdu)) }
    await expectReadError(readCard(refusing, byCan(profile.can!)), 'readFailed')
  })

  it('falls back to BAC with the MRZ when PACE fails for a reason other than the password', async () => {
    // MSE:Set AT, and the last GENERAL AUTHENTICATE (after the three APDUs reading EF.CardAccess).
    for (const failingApdu of [3, 7]) {
      const card = emulator()
      let count = 0
      const failing: CardChannel = { transmit: async (apdu) => (count++ === failingApdu ? Buffer.from('6A80', 'hex') : card.transmit(apdu)) }
      const result = await readCard(failing, byMrz())
      expect(result.accessControl).toBe('BAC')
      expect(result.personalData).toEqual(SAMPLE_DG13)
    }
  })
})

describe('EF.CardAccess, read in the clear before PACE', () => {
  it.each([
    [223, '6700'],
    [128, '6B00'],
    // Below EF.CardAccess's 22 bytes: its plain read itself has to ask for less.
    [8, '6282'],
    [8, '6988'],
  ])('is read behind a reader that refuses over %i bytes with %s, so the card opens by PACE with its CAN or its MRZ', async (maxReadLength, status) => {
    const card = emulator({ maxReadLength, tooLongStatus: Number.parseInt(status, 16) })
    for (const options of [byCan(profile.can!), byMrz()]) {
      card.reset()
      const result = await readCard(channelTo(card), options)
      expect(result.accessControl).toBe('PACE')
      expect(result.face.image.equals(profile.face.jpeg)).toBe(true)
    }
  })

  it('is absent on a BAC-only card behind such a reader: BAC with the MRZ, canNotSupported with a CAN', async () => {
    const card = emulator({ pace: false, maxReadLength: 128 })
    expect((await readCard(channelTo(card), byMrz())).accessControl).toBe('BAC')
    await expectReadError(readCard(channelTo(card), byCan(profile.can!)), 'canNotSupported')
  })

  it.each([
    ['SELECT', 0, '6985'],
    ['the header', 1, '6F00'],
    // A length refusal even at the shortest length: the reads after it keep their lengths.
    ['the header', 1, '6B00'],
    ['the rest', 2, '6A80'],
  ])('failing at %s (not 6A82) is readFailed with a CAN, not "no PACE"; the MRZ still opens the card by BAC', async (_step, failingApdu, status) => {
    // APDU 0 selects EF.CardAccess, 1 reads its header, 2 the rest.
    const failing = (): CardChannel => {
      const card = emulator()
      let count = 0
      return { transmit: async (apdu) => (count++ === failingApdu ? Buffer.from(status, 'hex') : card.transmit(apdu)) }
    }
    await expectReadError(readCard(failing(), byCan(profile.can!)), 'readFailed')
    const result = await readCard(failing(), byMrz())
    expect(result.accessControl).toBe('BAC')
    // About 50 APDUs at 223 bytes per READ BINARY; thousands byte by byte.
    expect(result.statistics.apdus).toBeLessThan(100)
  })
})

describe('active authentication', () => {
  it("is 'failed' when the chip's signature does not verify", async () => {
    const result = await readCard(channelTo(emulator({ tamper: 'activeAuthentication' })), byMrz())
    expect(result.activeAuthentication).toBe('failed')
  })

  it("is 'notSupported' for a chip without DG15", async () => {
    const result = await readCard(channelTo(emulator({ activeAuthentication: false })), byMrz())
    expect(result.activeAuthentication).toBe('notSupported')
  })

  it("is 'failed' when a chip with DG15 refuses INTERNAL AUTHENTICATE", async () => {
    const card = emulator()
    const refusing: CardChannel = {
      transmit: async (apdu) => (apdu[1] === 0x88 ? Buffer.from('6D00', 'hex') : card.transmit(apdu)),
    }
    // INTERNAL AUTHENTICATE goes under secure messaging: INS 88 stays readable in the protected header.
    const result = await readCard(refusing, byMrz())
    expect(result.activeAuthentication).toBe('failed')
  })
})

describe('calling a read off', () => {
  it("ends with 'cancelled' before the first APDU when already aborted, and mid-read when aborted then", async () => {
    const aborted = new AbortController()
    aborted.abort()
    let apdus = 0
    const card = emulator()
    await expectReadError(readCard({ transmit: async (apdu) => (apdus++, card.transmit(apdu)) }, { ...byMrz(), signal: aborted.signal }), 'cancelled')
    expect(apdus).toBe(0)

    const midway = new AbortController()
    await expectReadError(readCard(channelTo(emulator()), { ...byMrz(), signal: midway.signal, onProgress: () => midway.abort() }), 'cancelled')
  })

  it('does not wait for an APDU the card never answers', async () => {
    const cancel = new AbortController()
    const silent: CardChannel = { transmit: () => (cancel.abort(), new Promise<Buffer>(() => undefined)) }
    await expectReadError(readCard(silent, { ...byMrz(), signal: cancel.signal, commandTimeoutMs: 60_000 }), 'cancelled')
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

describe('an SOD this reader cannot parse', () => {
  it("keeps the data read, with passive authentication 'signatureInvalid'", async () => {
    const card = emulator({ tamper: 'sodUnparsable' })
    const result = await readCard(channelTo(card), byMrz())
    expect(result.personalData).toEqual(SAMPLE_DG13)
    expect(result.sod).toBeUndefined()
    expect(verifyPassiveAuthentication(result.sod, result.dataGroups, [card.csca])).toEqual({ verdict: 'signatureInvalid' })
  })
})

describe('misbehaving cards and readers', () => {
  /** Passes APDUs to a BAC-only emulator and lets `mangle` change the n-th response (0-based). */
  function mangling(at: number, mangle: (response: Buffer) => Buffer): CardChannel {
    const card = emulator({ pace: false })
    let count = 0
    return { transmit: async (apdu) => (count++ === at ? mangle(card.transmit(apdu)) : card.transmit(apdu)) }
  }
  // APDU 0 selects EF.CardAccess, 1 is SELECT, 2-3 BAC, 4 SELECT EF.COM, 5 its header, 6 the rest of EF.COM.
  const firstRead = 5

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
    await expectReadError(readCard(mangling(3, flipFirst), byMrz()), 'readFailed')
  })

  it('says unsupportedCard when there is no eMRTD application or no BAC', async () => {
    await expectReadError(readCard({ transmit: async () => Buffer.from('6A82', 'hex') }, byMrz()), 'unsupportedCard')
    await expectReadError(readCard(mangling(2, () => Buffer.from('6D00', 'hex')), byMrz()), 'unsupportedCard')
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
