import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { completeBacAuthentication, deriveBacKeys, startBacAuthentication } from '../../../src/main/services/idcard/icao/bac'
import {
  padIso9797Method2,
  retailMac,
  tripleDesCbcDecrypt,
  tripleDesCbcEncrypt,
  unpadIso9797Method2,
} from '../../../src/main/services/idcard/icao/block-cipher'
import {
  SecureMessagingChannel,
  SecureMessagingError,
  des3SecureMessagingCipher,
  type SecureMessagingErrorCode,
} from '../../../src/main/services/idcard/icao/secure-messaging'
import { decodeTlvList, encodeTlv } from '../../../src/main/services/idcard/icao/tlv'
import { APPENDIX_D, FUZZ_RUNS, appendixDRandom, bytes, toHex } from './appendix-d'

const sessionKeys = { encryption: bytes(APPENDIX_D.ksEnc), mac: bytes(APPENDIX_D.ksMac) }
const SELECT_EF_COM = { cla: 0x00, ins: 0xa4, p1: 0x02, p2: 0x0c, data: bytes('011E') }
const READ_BINARY = { cla: 0x00, ins: 0xb0, p1: 0x00 }

function channelAt(ssc: string): SecureMessagingChannel {
  return new SecureMessagingChannel(des3SecureMessagingCipher(sessionKeys), bytes(ssc))
}

/** A channel that has just sent the Appendix D SELECT EF.COM and awaits its answer (SSC ...27 used, ...28 next). */
function channelAwaitingSelectResponse(): SecureMessagingChannel {
  const channel = channelAt(APPENDIX_D.ssc)
  channel.protectCommand(SELECT_EF_COM)
  return channel
}

/** Builds a response the way a card would: the given data objects, a retail MAC over SSC || them, and 9000. */
function cardResponse(ssc: string, dataObjects: readonly Buffer[]): Buffer {
  const body = Buffer.concat(dataObjects)
  return Buffer.concat([body, encodeTlv(0x8e, retailMac(sessionKeys.mac, Buffer.concat([bytes(ssc), body]))), bytes('9000')])
}

function expectSmError(action: () => unknown, code: SecureMessagingErrorCode): SecureMessagingError {
  try {
    action()
  } catch (error) {
    expect(error).toBeInstanceOf(SecureMessagingError)
    expect((error as SecureMessagingError).code).toBe(code)
    return error as SecureMessagingError
  }
  expect.fail(`expected SecureMessagingError ${code}`)
}

describe('ISO 9797-1 padding method 2', () => {
  it('always pads, up to the next block', () => {
    expect(toHex(padIso9797Method2(bytes('0102'), 8))).toBe('0102800000000000')
    expect(toHex(padIso9797Method2(bytes('0102030405060708'), 8))).toBe('01020304050607088000000000000000')
  })

  it.each([
    ['no 80 marker', '0102030405060700'],
    ['data that is not whole blocks', '01028000000000'],
    ['nothing', ''],
    ['zeros after the marker for more than a block', '8000000000000000' + '0000000000000000'],
  ])('finds no padding in %s', (_name, hex) => {
    expect(unpadIso9797Method2(bytes(hex), 8)).toBeUndefined()
  })
})

describe('secure messaging (Appendix D)', () => {
  it('runs the whole worked example: BAC, then SELECT EF.COM and two READ BINARYs', () => {
    const keys = deriveBacKeys(APPENDIX_D.mrzInformation)
    const terminal = startBacAuthentication(keys, bytes(APPENDIX_D.rndIcc), appendixDRandom())
    const session = completeBacAuthentication(keys, terminal, bytes(APPENDIX_D.externalAuthenticateResponse))
    const channel = new SecureMessagingChannel(des3SecureMessagingCipher(session.keys), session.ssc)

    expect(toHex(channel.protectCommand(SELECT_EF_COM))).toBe(APPENDIX_D.selectEfCom.command)
    expect(channel.unprotectResponse(bytes(APPENDIX_D.selectEfCom.response))).toEqual({ data: Buffer.alloc(0), sw: 0x9000 })

    expect(toHex(channel.protectCommand({ ...READ_BINARY, p2: 0x00, ne: 4 }))).toBe(APPENDIX_D.readBinaryFirst4.command)
    const header = channel.unprotectResponse(bytes(APPENDIX_D.readBinaryFirst4.response))
    expect({ data: toHex(header.data), sw: header.sw }).toEqual({ data: APPENDIX_D.readBinaryFirst4.plaintext, sw: 0x9000 })

    expect(toHex(channel.protectCommand({ ...READ_BINARY, p2: 0x04, ne: 0x12 }))).toBe(APPENDIX_D.readBinaryNext18.command)
    const rest = channel.unprotectResponse(bytes(APPENDIX_D.readBinaryNext18.response))
    expect({ data: toHex(rest.data), sw: rest.sw }).toEqual({ data: APPENDIX_D.readBinaryNext18.plaintext, sw: 0x9000 })

    expect(toHex(channel.sendSequenceCounter)).toBe('887022120C06C22C')
  })

  it('builds responses the way the card does (checks the test helper against the published APDU)', () => {
    const published = bytes(APPENDIX_D.readBinaryFirst4.response)
    const [encrypted, status] = decodeTlvList(published.subarray(0, -2))
    if (!encrypted || !status) throw new Error('expected DO87 and DO99')
    expect(toHex(cardResponse('887022120C06C22A', [encrypted.encoded, status.encoded]))).toBe(APPENDIX_D.readBinaryFirst4.response)
  })
})

describe('protecting commands', () => {
  it('sends case 1 with only a MAC over SSC and the padded header', () => {
    const apdu = channelAt(APPENDIX_D.ssc).protectCommand({ cla: 0x00, ins: 0x84, p1: 0x00, p2: 0x00 })
    const mac = retailMac(sessionKeys.mac, Buffer.concat([bytes('887022120C06C227'), bytes('0C84000080000000')]))
    expect(toHex(apdu)).toBe('0C8400000A8E08' + toHex(mac) + '00')
  })

  it('encodes Ne 256 in DO97 as 00 and Ne above 256 as two bytes in an extended APDU ending 0000', () => {
    const short = channelAt(APPENDIX_D.ssc).protectCommand({ ...READ_BINARY, p2: 0, ne: 256 })
    expect(toHex(short).slice(0, 16)).toBe('0CB000000D970100')
    const extended = channelAt(APPENDIX_D.ssc).protectCommand({ ...READ_BINARY, p2: 0, ne: 1000 })
    expect(toHex(extended.subarray(0, 11))).toBe('0CB00000' + '00000E' + '970203E8')
    expect(toHex(extended.subarray(-2))).toBe('0000')
    expect(extended.length).toBe(4 + 3 + 14 + 2)
  })

  it('goes extended when the protected data outgrows a short Lc, and the data decrypts back', () => {
    const plaintext = Buffer.alloc(300, 0x5a)
    const apdu = channelAt(APPENDIX_D.ssc).protectCommand({ cla: 0x00, ins: 0xd6, p1: 0x00, p2: 0x00, data: plaintext })
    expect(toHex(apdu.subarray(0, 7))).toBe('0CD60000' + '00013F')
    expect(toHex(apdu.subarray(-2))).toBe('0000')
    const [encrypted, mac] = decodeTlvList(apdu.subarray(7, -2))
    expect(encrypted?.tag).toBe(0x87)
    expect(mac?.tag).toBe(0x8e)
    const decrypted = unpadIso9797Method2(tripleDesCbcDecrypt(sessionKeys.encryption, encrypted?.value.subarray(1) ?? Buffer.alloc(0)), 8)
    expect(decrypted?.equals(plaintext)).toBe(true)
  })

  it('carries the send sequence counter over byte boundaries and wraps at the top', () => {
    const carrying = channelAt('00000000000000FF')
    carrying.protectCommand(SELECT_EF_COM)
    expect(toHex(carrying.sendSequenceCounter)).toBe('0000000000000100')
    const wrapping = channelAt('FFFFFFFFFFFFFFFF')
    wrapping.protectCommand(SELECT_EF_COM)
    expect(toHex(wrapping.sendSequenceCounter)).toBe('0000000000000000')
  })

  it('refuses keys that are not two-key 3DES', () => {
    expectSmError(() => des3SecureMessagingCipher({ encryption: Buffer.alloc(8), mac: Buffer.alloc(16) }), 'invalidKey')
  })
})

describe('unprotecting responses', () => {
  const select = APPENDIX_D.selectEfCom.response

  it.each<[string, string, SecureMessagingErrorCode]>([
    ['a flipped MAC bit', select.slice(0, -6) + 'EC' + '9000', 'wrongMac'],
    ['a changed status word inside DO99', '99026A82' + select.slice(8), 'wrongMac'],
    ['a short MAC', select.slice(0, 8) + '8E07' + select.slice(12, -6) + '9000', 'wrongMac'],
    ['no DO99', select.slice(8), 'missingStatus'],
    ['no DO8E', '990290009000', 'missingMac'],
    ['a bare 9000', '9000', 'missingMac'],
    ['DO8E before DO99', select.slice(8, -4) + '99029000' + '9000', 'unexpectedDataObject'],
    ['an unknown data object', '850100' + select, 'unexpectedDataObject'],
    ['a constructed data object', '7F0100' + select, 'malformed'],
    ['a MAC cut short', select.slice(0, -12) + '9000', 'truncated'],
    ['a single byte', '90', 'truncated'],
    ['nothing', '', 'truncated'],
  ])('rejects %s', (_name, hex, code) => {
    expectSmError(() => channelAwaitingSelectResponse().unprotectResponse(bytes(hex)), code)
  })

  it('passes on a status word the card sent without secure messaging', () => {
    const error = expectSmError(() => channelAwaitingSelectResponse().unprotectResponse(bytes('6982')), 'unprotectedStatus')
    expect(error.statusWord).toBe(0x6982)
  })

  it('rejects an answer to an earlier command (replay: the SSC has moved on)', () => {
    const channel = channelAwaitingSelectResponse()
    channel.unprotectResponse(bytes(select))
    channel.protectCommand(SELECT_EF_COM)
    expectSmError(() => channel.unprotectResponse(bytes(select)), 'wrongMac')
  })

  it('rejects every truncation of a response with data', () => {
    const full = bytes(APPENDIX_D.readBinaryNext18.response)
    for (let length = 0; length < full.length - 2; length += 1) {
      const cut = Buffer.concat([full.subarray(0, length), bytes('9000')])
      expect(() => channelAt('887022120C06C22B').unprotectResponse(cut)).toThrow(SecureMessagingError)
    }
  })

  describe('with a valid MAC over bad content', () => {
    const ssc = '887022120C06C228'
    const status = encodeTlv(0x99, bytes('9000'))
    const encrypted = (indicator: string, plaintext: string, cut = 0) =>
      encodeTlv(0x87, Buffer.concat([bytes(indicator), tripleDesCbcEncrypt(sessionKeys.encryption, bytes(plaintext)).subarray(cut)]))

    it.each<[string, Buffer[], SecureMessagingErrorCode]>([
      ['plaintext without padding', [encrypted('01', '60145F0100000000'), status], 'badPadding'],
      ['padding indicator 02', [encrypted('02', '60145F0180000000'), status], 'malformed'],
      ['a cryptogram of 7 bytes', [encrypted('01', '60145F0180000000', 1), status], 'malformed'],
      ['an empty DO87', [encodeTlv(0x87, Buffer.alloc(0)), status], 'malformed'],
      ['a three-byte DO99', [encodeTlv(0x99, bytes('900000'))], 'malformed'],
    ])('rejects %s', (_name, dataObjects, code) => {
      expectSmError(() => channelAwaitingSelectResponse().unprotectResponse(cardResponse(ssc, dataObjects)), code)
    })

    it('returns DO99, not the unauthenticated outer status word', () => {
      const response = cardResponse(ssc, [encodeTlv(0x99, bytes('6282'))])
      response.writeUInt16BE(0x9000, response.length - 2)
      expect(channelAwaitingSelectResponse().unprotectResponse(response).sw).toBe(0x6282)
    })
  })
})

describe('secure messaging properties', () => {
  const throwsOnlySecureMessagingErrors = (response: Uint8Array): void => {
    try {
      channelAwaitingSelectResponse().unprotectResponse(response)
    } catch (error) {
      if (!(error instanceof SecureMessagingError)) throw error
    }
  }

  it('throws nothing but SecureMessagingError on random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), throwsOnlySecureMessagingErrors), { numRuns: FUZZ_RUNS })
  })

  it('throws nothing but SecureMessagingError on random sequences of SM data objects', () => {
    const dataObject = fc
      .tuple(fc.constantFrom(0x85, 0x87, 0x97, 0x99, 0x8e), fc.uint8Array({ maxLength: 40 }))
      .map(([tag, value]) => encodeTlv(tag, value))
    const response = fc
      .tuple(fc.array(dataObject, { maxLength: 4 }), fc.uint8Array({ minLength: 2, maxLength: 2 }))
      .map(([objects, sw]) => Buffer.concat([...objects, sw]))
    fc.assert(fc.property(response, throwsOnlySecureMessagingErrors), { numRuns: FUZZ_RUNS })
  })

  it('rejects any single changed bit in the protected part of a response', () => {
    const published = bytes(APPENDIX_D.readBinaryFirst4.response)
    fc.assert(
      fc.property(fc.nat({ max: (published.length - 2) * 8 - 1 }), (bit) => {
        const tampered = Buffer.from(published)
        tampered[bit >> 3] = (tampered[bit >> 3] ?? 0) ^ (1 << (bit & 7))
        expect(() => channelAt('887022120C06C229').unprotectResponse(tampered)).toThrow(SecureMessagingError)
      }),
      { numRuns: Math.min(FUZZ_RUNS, (published.length - 2) * 8) },
    )
  })
})
