import { randomBytes } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { parseEfCom } from '../../../src/main/services/idcard/datagroups/ef-com'
import { parseCardAccess } from '../../../src/main/services/idcard/datagroups/security-infos'
import { DEFAULT_PACE_INFO, createCardEmulator, type CardEmulator } from '../../../src/main/services/idcard/emulator/card-emulator'
import { encodeCommandApdu, type CommandApdu } from '../../../src/main/services/idcard/icao/apdu'
import { establishPace, paceParameters } from '../../../src/main/services/idcard/icao/pace'
import type { CardProfile } from '../../../src/main/services/idcard/emulator/profile'
import { completeBacAuthentication, deriveBacKeys, startBacAuthentication } from '../../../src/main/services/idcard/icao/bac'
import { bacMrzInformation } from '../../../src/main/services/idcard/icao/mrz'
import { SecureMessagingChannel, aesSecureMessagingCipher, des3SecureMessagingCipher } from '../../../src/main/services/idcard/icao/secure-messaging'
import { accessKeyFromMrz } from '../../../src/main/services/idcard/access-keys'
import { SAMPLE_MRZ, sampleProfile } from '../../helpers/idcard-card'
import { bytes, toHex } from './appendix-d'

let profile: CardProfile
beforeAll(async () => {
  profile = await sampleProfile()
})

const SELECT_APPLICATION = '00A4040C07A0000002471001'
const sw = (response: Buffer): string => toHex(response.subarray(-2))

/** Selects the application and runs BAC against the emulator, returning the terminal's side of the session. */
function authenticated(card: CardEmulator): SecureMessagingChannel {
  card.transmit(bytes(SELECT_APPLICATION))
  const keys = deriveBacKeys(bacMrzInformation(accessKeyFromMrz(SAMPLE_MRZ)))
  const challenge = card.transmit(bytes('0084000008'))
  const terminal = startBacAuthentication(keys, challenge.subarray(0, 8))
  const answer = card.transmit(Buffer.concat([bytes('0082000028'), terminal.commandData, bytes('28')]))
  const session = completeBacAuthentication(keys, terminal, answer.subarray(0, -2))
  return new SecureMessagingChannel(des3SecureMessagingCipher(session.keys), session.ssc)
}

function protectedStatus(card: CardEmulator, channel: SecureMessagingChannel, command: Parameters<SecureMessagingChannel['protectCommand']>[0]): number {
  return channel.unprotectResponse(card.transmit(channel.protectCommand(command))).sw
}

describe('card emulator', () => {
  it('answers as the Vietnamese cards do before authentication', () => {
    const card = createCardEmulator(profile)
    expect(sw(card.transmit(bytes('00A4000C023F00')))).toBe('6D00')
    expect(sw(card.transmit(bytes('0084000008')))).toBe('6985')
    expect(sw(card.transmit(bytes('00A4040C07A0000002471002')))).toBe('6A82')
    expect(sw(card.transmit(bytes(SELECT_APPLICATION)))).toBe('9000')
    expect(sw(card.transmit(bytes('00A4020C02011E')))).toBe('6982')
    expect(sw(card.transmit(bytes('00B0000004')))).toBe('6982')
    expect(sw(card.transmit(bytes('0082000028' + '00'.repeat(40) + '28')))).toBe('6985')
    expect(sw(card.transmit(bytes('0084000004')))).toBe('6700')
    expect(sw(card.transmit(bytes('0084000008')))).toBe('9000')
    expect(sw(card.transmit(bytes('0082000028' + '00'.repeat(40) + '28')))).toBe('6300')
    expect(sw(card.transmit(bytes('80CA000000')))).toBe('6E00')
    expect(sw(card.transmit(bytes('0CB0000004')))).toBe('6982')
  })

  it('serves files under secure messaging with real status words', () => {
    const card = createCardEmulator(profile, { maxReadLength: 100 })
    const channel = authenticated(card)
    const read = (offset: number, ne: number) => ({ cla: 0, ins: 0xb0, p1: offset >> 8, p2: offset & 0xff, ne })
    expect(protectedStatus(card, channel, read(0, 4))).toBe(0x6985)
    expect(protectedStatus(card, channel, { cla: 0, ins: 0xa4, p1: 2, p2: 0x0c, data: bytes('0103') })).toBe(0x6982)
    expect(protectedStatus(card, channel, { cla: 0, ins: 0xa4, p1: 2, p2: 0x0c, data: bytes('0104') })).toBe(0x6a82)
    expect(protectedStatus(card, channel, { cla: 0, ins: 0xa4, p1: 2, p2: 0x0c, data: bytes('011E') })).toBe(0x9000)
    const header = channel.unprotectResponse(card.transmit(channel.protectCommand(read(0, 2))))
    expect(toHex(header.data)).toMatch(/^60/)
    expect(protectedStatus(card, channel, read(0, 101))).toBe(0x6700)
    expect(protectedStatus(card, channel, read(0x1000, 4))).toBe(0x6b00)
    expect(protectedStatus(card, channel, read(0, 100))).toBe(0x6282)
    expect(protectedStatus(card, channel, { cla: 0, ins: 0x88, p1: 0, p2: 0, data: bytes('01020304') })).toBe(0x6700)
    expect(protectedStatus(card, channel, { cla: 0, ins: 0x70, p1: 0, p2: 0 })).toBe(0x6d00)
  })

  it('keeps EF.CardAccess readable in the clear, by short file identifier or after SELECT, and only it', () => {
    const card = createCardEmulator(profile)
    const bySfi = card.transmit(bytes('00B09C0000'))
    expect(sw(bySfi)).toBe('6282')
    expect(parseCardAccess(bySfi.subarray(0, -2))).toEqual({ pace: [DEFAULT_PACE_INFO] })
    expect(sw(card.transmit(bytes('00A4020C02011C')))).toBe('9000')
    expect(card.transmit(bytes('00B0000004')).equals(Buffer.concat([bySfi.subarray(0, 4), bytes('9000')]))).toBe(true)
    expect(sw(card.transmit(bytes('00B09D0004')))).toBe('6A82')

    const bacOnly = createCardEmulator(profile, { pace: false })
    expect(sw(bacOnly.transmit(bytes('00B09C0000')))).toBe('6A82')
    expect(sw(bacOnly.transmit(bytes('00A4020C02011C')))).toBe('6A82')
    expect(sw(bacOnly.transmit(bytes('0022C1A40F800A04007F00070202040202830101')))).toBe('6D00')
  })

  it('lists DG14 and DG15 when it does Active Authentication, and not otherwise', () => {
    const fileList = (card: CardEmulator) => {
      const channel = authenticated(card)
      protectedStatus(card, channel, { cla: 0, ins: 0xa4, p1: 2, p2: 0x0c, data: bytes('011E') })
      return parseEfCom(channel.unprotectResponse(card.transmit(channel.protectCommand({ cla: 0, ins: 0xb0, p1: 0, p2: 0, ne: 256 }))).data).dataGroups
    }
    expect(fileList(createCardEmulator(profile))).toEqual([1, 2, 3, 13, 14, 15])
    expect(fileList(createCardEmulator(profile, { activeAuthentication: false }))).toEqual([1, 2, 3, 13, 14])
    expect(fileList(createCardEmulator(profile, { activeAuthentication: false, pace: false }))).toEqual([1, 2, 3, 13])
  })

  it('drops the session on a wrong MAC, answering 6988 in plain', () => {
    const card = createCardEmulator(profile)
    const channel = authenticated(card)
    const command = channel.protectCommand({ cla: 0, ins: 0xa4, p1: 2, p2: 0x0c, data: bytes('011E') })
    command.writeUInt8(command.readUInt8(command.length - 2) ^ 0x01, command.length - 2)
    expect(toHex(card.transmit(command))).toBe('6988')
    expect(toHex(card.transmit(channel.protectCommand({ cla: 0, ins: 0xa4, p1: 2, p2: 0x0c, data: bytes('011E') })))).toBe('6982')
  })

  it('refuses extended APDUs when told to, and forgets everything on reset', () => {
    const card = createCardEmulator(profile, { extendedLength: false })
    const channel = authenticated(card)
    channel.protectCommand({ cla: 0, ins: 0xa4, p1: 2, p2: 0x0c, data: bytes('011E') })
    expect(toHex(card.transmit(channel.protectCommand({ cla: 0, ins: 0xb0, p1: 0, p2: 0, ne: 1000 })))).toBe('6700')
    card.reset()
    expect(sw(card.transmit(bytes('0084000008')))).toBe('6985')
  })
})

describe('the emulated chip running PACE', () => {
  const exchangeWith = (card: CardEmulator) => async (command: CommandApdu) => {
    const response = card.transmit(encodeCommandApdu(command))
    return { data: response.subarray(0, -2), sw: response.readUInt16BE(response.length - 2) }
  }
  const parameters = paceParameters(DEFAULT_PACE_INFO)!
  const mrz = accessKeyFromMrz(SAMPLE_MRZ)

  it('opens AES secure messaging with the CAN or the MRZ, then serves the application', async () => {
    for (const password of [{ can: profile.can! }, { mrz }]) {
      const card = createCardEmulator(profile)
      const session = await establishPace(exchangeWith(card), parameters, password, randomBytes)
      const channel = new SecureMessagingChannel(aesSecureMessagingCipher(session.keys), session.ssc)
      expect(protectedStatus(card, channel, { cla: 0, ins: 0xa4, p1: 2, p2: 0x0c, data: bytes('011E') })).toBe(0x6a82)
      expect(protectedStatus(card, channel, { cla: 0, ins: 0xa4, p1: 4, p2: 0x0c, data: bytes('A0000002471001') })).toBe(0x9000)
      expect(protectedStatus(card, channel, { cla: 0, ins: 0xa4, p1: 2, p2: 0x0c, data: bytes('011E') })).toBe(0x9000)
    }
  })

  it('runs on NIST P-256 too', async () => {
    const info = { ...DEFAULT_PACE_INFO, parameterId: 12 }
    const card = createCardEmulator(profile, { pace: info })
    await expect(establishPace(exchangeWith(card), paceParameters(info)!, { mrz }, randomBytes)).resolves.toMatchObject({ ssc: Buffer.alloc(16) })
  })

  it('answers a wrong CAN with 6300 at the token, and refuses the CAN when the profile has none', async () => {
    const wrong = establishPace(exchangeWith(createCardEmulator(profile)), parameters, { can: '999999' }, randomBytes)
    await expect(wrong).rejects.toMatchObject({ code: 'wrongPassword' })
    const { can: _can, ...withoutCan } = profile
    const noCan = establishPace(exchangeWith(createCardEmulator(withoutCan)), parameters, { can: profile.can! }, randomBytes)
    await expect(noCan).rejects.toMatchObject({ code: 'notAccepted' })
  })

  it('refuses MSE:Set AT for another protocol or parameter set, and GENERAL AUTHENTICATE out of turn', () => {
    const card = createCardEmulator(profile)
    expect(sw(card.transmit(bytes('0022C1A40F800A04007F00070202040204830101')))).toBe('6A80')
    expect(sw(card.transmit(bytes('0022C1A412800A04007F0007020204020283010184010C')))).toBe('6A80')
    expect(sw(card.transmit(bytes('0022C1A40F800A04007F00070202040202830103')))).toBe('6A88')
    expect(sw(card.transmit(bytes('0022C1A403800A04')))).toBe('6A80')
    expect(sw(card.transmit(bytes('10860000027C0000')))).toBe('6985')
    expect(sw(card.transmit(bytes('0022C1A40F800A04007F00070202040202830101')))).toBe('9000')
    expect(sw(card.transmit(bytes('10860000057C03810100')))).toBe('6A80')
    // A failed step sends the chip back to the start.
    expect(sw(card.transmit(bytes('10860000027C0000')))).toBe('6985')
  })
})
