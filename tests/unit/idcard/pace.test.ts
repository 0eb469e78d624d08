import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeCommandApdu, encodeCommandApdu, type CommandApdu, type ResponseApdu } from '../../../src/main/services/idcard/icao/apdu'
import { BRAINPOOL_P256R1, decodePoint, encodePoint } from '../../../src/main/services/idcard/icao/elliptic-curve'
import {
  PaceError,
  authenticationToken,
  decryptNonce,
  establishPace,
  mapGenerator,
  mappingPoint,
  paceParameters,
  passwordKey,
  passwordKeySeed,
  sessionKeysFrom,
  sharedSecret,
  type PaceErrorCode,
  type PaceParameters,
} from '../../../src/main/services/idcard/icao/pace'
import { SecureMessagingChannel, SecureMessagingError, aesSecureMessagingCipher } from '../../../src/main/services/idcard/icao/secure-messaging'
import { parseCardAccess } from '../../../src/main/services/idcard/datagroups/security-infos'
import { bytes, toHex } from './appendix-d'
import { APPENDIX_G1 as G1, APPENDIX_G1_APDUS, APPENDIX_G1_SELECT_APPLICATION, appendixG1Random } from './appendix-g'

const curve = BRAINPOOL_P256R1
const point = (hex: string) => decodePoint(curve, bytes(hex))
const big = (hex: string) => BigInt(`0x${hex}`)

function g1Parameters(): PaceParameters {
  const [info] = parseCardAccess(bytes(G1.cardAccess)).pace
  const parameters = info && paceParameters(info)
  if (!parameters) throw new Error('the example EF.CardAccess offers nothing this reader runs')
  return parameters
}

/** A chip that plays back the example: each command must be the expected one, byte for byte. */
function scriptedChip(script: readonly (readonly [string, string])[]) {
  let step = 0
  return async (command: CommandApdu): Promise<ResponseApdu> => {
    const [expected, answer] = script[step++] ?? ['', '']
    expect(toHex(encodeCommandApdu(command))).toBe(expected)
    const response = bytes(answer)
    return { data: response.subarray(0, -2), sw: response.readUInt16BE(response.length - 2) }
  }
}

describe('ICAO 9303 Part 11 Appendix G.1 (PACE, ECDH generic mapping, brainpoolP256r1, AES-128)', () => {
  it('reads the PACEInfo of EF.CardAccess', () => {
    expect(parseCardAccess(bytes(G1.cardAccess))).toEqual({ pace: [{ protocol: G1.protocol, version: 2, parameterId: 13 }] })
    expect(g1Parameters()).toMatchObject({ curve, keyLength: 16, parameterId: 13 })
  })

  it('derives K from the MRZ and K_pi from K, and decrypts the nonce', () => {
    expect(toHex(passwordKeySeed({ mrz: G1.mrz }))).toBe(G1.passwordSeed)
    expect(toHex(passwordKey({ mrz: G1.mrz }, 16))).toBe(G1.kPi)
    expect(toHex(decryptNonce(bytes(G1.kPi), bytes(G1.encryptedNonce)))).toBe(G1.nonce)
  })

  it("maps the nonce: H from the mapping keys (either side's view) and G' = s*G + H", () => {
    const h = mappingPoint(curve, big(G1.terminalMappingPrivateKey), point(G1.chipMappingPublicKey))
    expect(toHex(encodePoint(curve, h))).toBe(G1.h)
    expect(toHex(encodePoint(curve, mapGenerator(curve, bytes(G1.nonce), h)))).toBe(G1.mappedGenerator)
  })

  it('agrees on the shared secret, the session keys and both tokens', () => {
    const secret = sharedSecret(curve, big(G1.terminalAgreementPrivateKey), point(G1.chipAgreementPublicKey))
    expect(toHex(secret)).toBe(G1.sharedSecret)
    const keys = sessionKeysFrom(secret, 16)
    expect([toHex(keys.encryption), toHex(keys.mac)]).toEqual([G1.ksEnc, G1.ksMac])
    expect(toHex(authenticationToken(keys.mac, G1.protocol, bytes(G1.chipAgreementPublicKey)))).toBe(G1.terminalToken)
    expect(toHex(authenticationToken(keys.mac, G1.protocol, bytes(G1.terminalAgreementPublicKey)))).toBe(G1.chipToken)
  })

  it("replays the terminal's side of the exchange byte for byte, then protects SELECT with AES secure messaging", async () => {
    const session = await establishPace(scriptedChip(APPENDIX_G1_APDUS), g1Parameters(), { mrz: G1.mrz }, appendixG1Random())
    expect([toHex(session.keys.encryption), toHex(session.keys.mac), toHex(session.ssc)]).toEqual([G1.ksEnc, G1.ksMac, '00'.repeat(16)])

    const channel = new SecureMessagingChannel(aesSecureMessagingCipher(session.keys), session.ssc)
    const select = channel.protectCommand({ cla: 0x00, ins: 0xa4, p1: 0x04, p2: 0x0c, data: bytes('A0000002471001') })
    expect(toHex(select)).toBe(APPENDIX_G1_SELECT_APPLICATION.command)
    expect(channel.unprotectResponse(bytes(APPENDIX_G1_SELECT_APPLICATION.response))).toEqual({ data: Buffer.alloc(0), sw: 0x9000 })
  })

  it('and a card can unprotect that command and protect its answer the same way', () => {
    const card = new SecureMessagingChannel(aesSecureMessagingCipher({ encryption: bytes(G1.ksEnc), mac: bytes(G1.ksMac) }), Buffer.alloc(16))
    expect(card.unprotectCommand(bytes(APPENDIX_G1_SELECT_APPLICATION.command))).toMatchObject({ ins: 0xa4, p1: 0x04, data: bytes('A0000002471001') })
    expect(toHex(card.protectResponse({ data: Buffer.alloc(0), sw: 0x9000 }))).toBe(APPENDIX_G1_SELECT_APPLICATION.response)
  })
})

describe('PACE failures', () => {
  /** The example with one answer replaced. */
  function withAnswer(step: number, answer: string) {
    return APPENDIX_G1_APDUS.map(([command, original], index) => [command, index === step ? answer : original] as const)
  }

  async function failure(script: readonly (readonly [string, string])[]): Promise<PaceErrorCode | undefined> {
    const error = await establishPace(scriptedChip(script), g1Parameters(), { mrz: G1.mrz }, appendixG1Random()).then(
      () => undefined,
      (thrown: unknown) => thrown,
    )
    expect(error).toBeInstanceOf(PaceError)
    return (error as PaceError).code
  }

  it.each([
    ['the card refuses our token (6300)', 4, '6300', 'wrongPassword'],
    ['the card refuses our token with a retry counter (63C2)', 4, '63C2', 'wrongPassword'],
    ['MSE:Set AT is refused', 0, '6A80', 'notAccepted'],
    ['a GENERAL AUTHENTICATE step is refused', 2, '6A80', 'refused'],
    ['the nonce is not whole blocks', 1, '7C0580030102039000', 'malformed'],
    ['the answer is not a 7C template', 1, '8010' + G1.encryptedNonce + '9000', 'malformed'],
    ["the chip's mapping key is off the curve", 2, `7C438241${G1.chipMappingPublicKey.slice(0, -2)}559000`, 'invalidPoint'],
    ["the chip's token does not verify", 4, '7C0A86080000000000000000' + '9000', 'tokenMismatch'],
  ] as const)('%s', async (_case, step, answer, code) => {
    const script = withAnswer(step, answer)
    expect(await failure(script.slice(0, step + 1))).toBe(code)
  })

  it("refuses a chip that sends our own ephemeral key back", async () => {
    const echo = withAnswer(3, `7C438441${G1.terminalAgreementPublicKey}9000`)
    expect(await failure(echo.slice(0, 4))).toBe('invalidPoint')
  })

  it('runs only what it supports: ECDH generic mapping with AES on P-256 or brainpoolP256r1', () => {
    expect(paceParameters({ protocol: G1.protocol, parameterId: 12 })?.curve.nodeName).toBe('prime256v1')
    expect(paceParameters({ protocol: '0.4.0.127.0.7.2.2.4.2.4', parameterId: 13 })?.keyLength).toBe(32)
    expect(paceParameters({ protocol: '0.4.0.127.0.7.2.2.4.1.2', parameterId: 13 })).toBeUndefined()
    expect(paceParameters({ protocol: G1.protocol, parameterId: 0 })).toBeUndefined()
    expect(paceParameters({ protocol: G1.protocol })).toBeUndefined()
  })

  it('sends the decoded commands the card side expects', () => {
    expect(decodeCommandApdu(bytes(APPENDIX_G1_APDUS[1]![0]))).toEqual({ cla: 0x10, ins: 0x86, p1: 0, p2: 0, data: bytes('7C00'), ne: 256 })
  })
})

describe('AES secure messaging', () => {
  it.each([16, 24, 32])('round-trips commands and responses between terminal and card with %i-byte keys', (keyLength) => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: keyLength * 2, maxLength: keyLength * 2 }), fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 300 }), (keyBytes, data, answer) => {
        const keys = { encryption: Buffer.from(keyBytes.subarray(0, keyLength)), mac: Buffer.from(keyBytes.subarray(keyLength)) }
        const terminal = new SecureMessagingChannel(aesSecureMessagingCipher(keys), Buffer.alloc(16))
        const card = new SecureMessagingChannel(aesSecureMessagingCipher(keys), Buffer.alloc(16))
        const received = card.unprotectCommand(terminal.protectCommand({ cla: 0, ins: 0xb0, p1: 0, p2: 0, ne: 256, ...(data.length > 0 && { data }) }))
        expect(received.data && toHex(received.data)).toBe(data.length > 0 ? toHex(data) : undefined)
        expect(terminal.unprotectResponse(card.protectResponse({ data: Buffer.from(answer), sw: 0x9000 }))).toEqual({ data: Buffer.from(answer), sw: 0x9000 })
      }),
      { numRuns: 50 },
    )
  })

  it('refuses keys that are not AES keys, or of different lengths', () => {
    expect(() => aesSecureMessagingCipher({ encryption: Buffer.alloc(8), mac: Buffer.alloc(8) })).toThrow(SecureMessagingError)
    expect(() => aesSecureMessagingCipher({ encryption: Buffer.alloc(16), mac: Buffer.alloc(32) })).toThrow(SecureMessagingError)
  })
})
