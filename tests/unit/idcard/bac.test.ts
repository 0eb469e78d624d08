import { describe, expect, it } from 'vitest'
import {
  BacError,
  adjustDesParity,
  bacKeySeed,
  completeBacAuthentication,
  deriveBacKeys,
  deriveBacSession,
  openAuthenticationMessage,
  sealAuthenticationMessage,
  startBacAuthentication,
  type BacErrorCode,
} from '../../../src/main/services/idcard/icao/bac'
import { APPENDIX_D, appendixDRandom, bytes, toHex } from './appendix-d'

function expectBacError(action: () => unknown, code: BacErrorCode): void {
  try {
    action()
  } catch (error) {
    expect(error).toBeInstanceOf(BacError)
    expect((error as BacError).code).toBe(code)
    return
  }
  expect.fail(`expected BacError ${code}`)
}

describe('BAC key derivation (Appendix D)', () => {
  it('derives K_seed, K_enc and K_mac from the MRZ information', () => {
    expect(toHex(bacKeySeed(APPENDIX_D.mrzInformation))).toBe(APPENDIX_D.keySeed)
    const keys = deriveBacKeys(APPENDIX_D.mrzInformation)
    expect(toHex(keys.encryption)).toBe(APPENDIX_D.kEnc)
    expect(toHex(keys.mac)).toBe(APPENDIX_D.kMac)
  })

  it('gives every key byte odd parity and leaves the other seven bits alone', () => {
    const adjusted = adjustDesParity(Uint8Array.from({ length: 256 }, (_, index) => index))
    adjusted.forEach((byte, index) => {
      let ones = 0
      for (let rest = byte; rest !== 0; rest >>= 1) ones += rest & 1
      expect(ones % 2).toBe(1)
      expect(byte & 0xfe).toBe(index & 0xfe)
    })
  })
})

describe('BAC mutual authentication (Appendix D)', () => {
  const keys = deriveBacKeys(APPENDIX_D.mrzInformation)

  it('builds the EXTERNAL AUTHENTICATE data E_IFD || M_IFD', () => {
    const state = startBacAuthentication(keys, bytes(APPENDIX_D.rndIcc), appendixDRandom())
    expect(toHex(state.rndIfd)).toBe(APPENDIX_D.rndIfd)
    expect(toHex(state.kIfd)).toBe(APPENDIX_D.kIfd)
    expect(toHex(state.commandData)).toBe(APPENDIX_D.eIfd + APPENDIX_D.mIfd)
  })

  it("checks the card's answer and derives KS_enc, KS_mac and the SSC", () => {
    const state = startBacAuthentication(keys, bytes(APPENDIX_D.rndIcc), appendixDRandom())
    const session = completeBacAuthentication(keys, state, bytes(APPENDIX_D.externalAuthenticateResponse))
    expect(toHex(session.keys.encryption)).toBe(APPENDIX_D.ksEnc)
    expect(toHex(session.keys.mac)).toBe(APPENDIX_D.ksMac)
    expect(toHex(session.ssc)).toBe(APPENDIX_D.ssc)
  })

  it("recovers K.ICC from the card's answer, and the card side seals that answer the same way", () => {
    const cardPlaintext = Buffer.concat([bytes(APPENDIX_D.rndIcc), bytes(APPENDIX_D.rndIfd), bytes(APPENDIX_D.kIcc)])
    expect(toHex(openAuthenticationMessage(keys, bytes(APPENDIX_D.externalAuthenticateResponse)))).toBe(toHex(cardPlaintext))
    expect(toHex(sealAuthenticationMessage(keys, cardPlaintext))).toBe(APPENDIX_D.externalAuthenticateResponse)
    const cardSession = deriveBacSession(bytes(APPENDIX_D.kIfd), bytes(APPENDIX_D.kIcc), bytes(APPENDIX_D.rndIcc), bytes(APPENDIX_D.rndIfd))
    expect(toHex(cardSession.keys.encryption)).toBe(APPENDIX_D.ksEnc)
  })

  it('rejects an answer whose MAC does not verify', () => {
    const state = startBacAuthentication(keys, bytes(APPENDIX_D.rndIcc), appendixDRandom())
    const tampered = bytes(APPENDIX_D.externalAuthenticateResponse)
    tampered[3] = (tampered[3] ?? 0) ^ 0x01
    expectBacError(() => completeBacAuthentication(keys, state, tampered), 'wrongMac')
  })

  it('rejects an answer computed with the wrong document keys', () => {
    const state = startBacAuthentication(keys, bytes(APPENDIX_D.rndIcc), appendixDRandom())
    const otherCard = deriveBacKeys('093047064193010543301052')
    expectBacError(() => completeBacAuthentication(otherCard, state, bytes(APPENDIX_D.externalAuthenticateResponse)), 'wrongMac')
  })

  it('rejects an answer that does not echo our challenge', () => {
    const state = startBacAuthentication(keys, bytes(APPENDIX_D.rndIcc), appendixDRandom())
    const replayed = sealAuthenticationMessage(keys, Buffer.concat([bytes(APPENDIX_D.rndIcc), Buffer.alloc(8), bytes(APPENDIX_D.kIcc)]))
    expectBacError(() => completeBacAuthentication(keys, state, replayed), 'challengeMismatch')
  })

  it('rejects a truncated answer and a challenge of the wrong size', () => {
    const state = startBacAuthentication(keys, bytes(APPENDIX_D.rndIcc), appendixDRandom())
    const truncated = bytes(APPENDIX_D.externalAuthenticateResponse).subarray(0, 39)
    expectBacError(() => completeBacAuthentication(keys, state, truncated), 'invalidLength')
    expectBacError(() => startBacAuthentication(keys, bytes('4608F919887022'), appendixDRandom()), 'invalidLength')
  })
})
