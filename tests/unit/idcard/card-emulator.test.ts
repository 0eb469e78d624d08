import { beforeAll, describe, expect, it } from 'vitest'
import { createCardEmulator, type CardEmulator } from '../../../src/main/services/idcard/emulator/card-emulator'
import type { CardProfile } from '../../../src/main/services/idcard/emulator/profile'
import { completeBacAuthentication, deriveBacKeys, startBacAuthentication } from '../../../src/main/services/idcard/icao/bac'
import { bacMrzInformation } from '../../../src/main/services/idcard/icao/mrz'
import { SecureMessagingChannel, des3SecureMessagingCipher } from '../../../src/main/services/idcard/icao/secure-messaging'
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
    expect(sw(card.transmit(bytes('00A4020C02011C')))).toBe('6A82')
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
    expect(protectedStatus(card, channel, { cla: 0, ins: 0x88, p1: 0, p2: 0, data: bytes('0102030405060708') })).toBe(0x6d00)
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
