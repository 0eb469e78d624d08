import type { RandomSource } from '../../../src/main/services/idcard/icao/bac'

/**
 * ICAO Doc 9303 Part 11 Appendix D worked example, as listed in /work/shared/data/cccd-facts.md.
 * Response APDUs include their status word; the EXTERNAL AUTHENTICATE response is its data field only.
 */
export const APPENDIX_D = {
  mrzInformation: 'L898902C<369080619406236',
  keySeed: '239AB9CB282DAF66231DC5A4DF6BFBAE',
  kEnc: 'AB94FDECF2674FDFB9B391F85D7F76F2',
  kMac: '7962D9ECE03D1ACD4C76089DCE131543',
  rndIcc: '4608F91988702212',
  rndIfd: '781723860C06C226',
  kIfd: '0B795240CB7049B01C19B33E32804F0B',
  eIfd: '72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F2',
  mIfd: '5F1448EEA8AD90A7',
  externalAuthenticateResponse: '46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F2F2D235D074D7449',
  kIcc: '0B4F80323EB3191CB04970CB4052790B',
  ksEnc: '979EC13B1CBFE9DCD01AB0FED307EAE5',
  ksMac: 'F1CB1F1FB5ADF208806B89DC579DC1F8',
  ssc: '887022120C06C226',
  selectEfCom: {
    command: '0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800',
    response: '990290008E08FA855A5D4C50A8ED9000',
  },
  readBinaryFirst4: {
    command: '0CB000000D9701048E08ED6705417E96BA5500',
    response: '8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000',
    plaintext: '60145F01',
  },
  readBinaryNext18: {
    command: '0CB000040D9701128E082EA28A70F3C7B53500',
    response: '871901FB9235F4E4037F2327DCC8964F1F9B8C30F42C8E2FFF224A990290008E08C8B2787EAEA07D749000',
    plaintext: '04303130365F36063034303030305C026175',
  },
} as const

export function bytes(hex: string): Buffer {
  return Buffer.from(hex, 'hex')
}

export function toHex(data: Uint8Array): string {
  return Buffer.from(data).toString('hex').toUpperCase()
}

export const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 2000)

/** The terminal's random values of the example (RND.IFD, then K.IFD), checking each request's length. */
export function appendixDRandom(): RandomSource {
  const queue = [bytes(APPENDIX_D.rndIfd), bytes(APPENDIX_D.kIfd)]
  return (length) => {
    const next = queue.shift()
    if (next?.length !== length) throw new Error(`unexpected request for ${length} random bytes`)
    return next
  }
}
