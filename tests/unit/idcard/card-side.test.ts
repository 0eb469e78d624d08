import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ApduError, decodeCommandApdu, encodeCommandApdu, type CommandApdu } from '../../../src/main/services/idcard/icao/apdu'
import { SecureMessagingChannel, SecureMessagingError, des3SecureMessagingCipher } from '../../../src/main/services/idcard/icao/secure-messaging'
import { APPENDIX_D, FUZZ_RUNS, bytes, toHex } from './appendix-d'

const sessionKeys = { encryption: bytes(APPENDIX_D.ksEnc), mac: bytes(APPENDIX_D.ksMac) }
const channel = () => new SecureMessagingChannel(des3SecureMessagingCipher(sessionKeys), bytes(APPENDIX_D.ssc))

describe('command APDU decoding', () => {
  const command = fc.record({
    cla: fc.integer({ min: 0, max: 255 }),
    ins: fc.integer({ min: 0, max: 255 }),
    p1: fc.integer({ min: 0, max: 255 }),
    p2: fc.integer({ min: 0, max: 255 }),
    data: fc.option(fc.uint8Array({ minLength: 1, maxLength: 600 }), { nil: undefined }),
    ne: fc.option(fc.integer({ min: 1, max: 65536 }), { nil: undefined }),
  })

  it('reads back every command the encoder writes, short and extended', () => {
    fc.assert(
      fc.property(command, (original) => {
        const decoded = decodeCommandApdu(encodeCommandApdu(original))
        expect({ ...decoded, data: decoded.data && toHex(decoded.data) }).toEqual(
          Object.fromEntries(Object.entries({ ...original, data: original.data && toHex(original.data) }).filter(([, value]) => value !== undefined)),
        )
      }),
      { numRuns: FUZZ_RUNS },
    )
  })

  it.each([
    ['three bytes', '00A400'],
    ['an Lc longer than the data', '00A4020C0501'],
    ['an extended marker with one length byte', '00B000000000'],
    ['an extended Lc with the wrong count', '00D60000000003AABB'],
  ])('rejects %s', (_name, hex) => {
    expect(() => decodeCommandApdu(bytes(hex))).toThrow(ApduError)
  })
})

describe('secure messaging, card side (Appendix D)', () => {
  it('unprotects the published SELECT EF.COM and protects the published answer', () => {
    const card = channel()
    const command = card.unprotectCommand(bytes(APPENDIX_D.selectEfCom.command))
    expect({ ...command, data: toHex(command.data ?? Buffer.alloc(0)) }).toEqual({ cla: 0x00, ins: 0xa4, p1: 0x02, p2: 0x0c, data: '011E' })
    expect(toHex(card.protectResponse({ data: Buffer.alloc(0), sw: 0x9000 }))).toBe(APPENDIX_D.selectEfCom.response)

    const read = card.unprotectCommand(bytes(APPENDIX_D.readBinaryFirst4.command))
    expect(read).toEqual({ cla: 0x00, ins: 0xb0, p1: 0x00, p2: 0x00, ne: 4 })
    expect(toHex(card.protectResponse({ data: bytes(APPENDIX_D.readBinaryFirst4.plaintext), sw: 0x9000 }))).toBe(APPENDIX_D.readBinaryFirst4.response)
  })

  it('round-trips any command and response between a terminal and a card', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 1, max: 65536 }), fc.uint8Array({ maxLength: 300 }), (data, ne, answer) => {
        const terminal = channel()
        const card = channel()
        const sent: CommandApdu = { cla: 0x00, ins: 0xd6, p1: 0x01, p2: 0x02, ne, ...(data.length > 0 ? { data } : {}) }
        const received = card.unprotectCommand(terminal.protectCommand(sent))
        expect({ ...received, data: received.data && toHex(received.data) }).toEqual({ ...sent, data: sent.data && toHex(sent.data) })
        const response = terminal.unprotectResponse(card.protectResponse({ data: Buffer.from(answer), sw: 0x6282 }))
        expect({ data: toHex(response.data), sw: response.sw }).toEqual({ data: toHex(answer), sw: 0x6282 })
      }),
      { numRuns: Math.min(FUZZ_RUNS, 500) },
    )
  })

  it.each([
    ['a flipped MAC bit', APPENDIX_D.selectEfCom.command.slice(0, -4) + 'F900', 'wrongMac'],
    ['no DO8E', '0CA4020C0B8709016375432908C044F600', 'missingMac'],
    ['a header that is not an APDU', '0CA4', 'malformed'],
  ])('rejects a command with %s', (_name, hex, code) => {
    expect(() => channel().unprotectCommand(bytes(hex))).toThrow(expect.objectContaining({ code }))
    expect(() => channel().unprotectCommand(bytes(hex))).toThrow(SecureMessagingError)
  })
})
