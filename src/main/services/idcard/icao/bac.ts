import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { DES3_KEY_LENGTH, retailMac, tripleDesCbcDecrypt, tripleDesCbcEncrypt, type CipherKeys } from './block-cipher'
import { IcaoError } from './errors'

/** Basic Access Control, ICAO 9303 Part 11 section 4.3 and Appendix D. */

export type BacErrorCode = 'invalidLength' | 'wrongMac' | 'challengeMismatch'

export class BacError extends IcaoError<BacErrorCode> {}

/** Supplies random bytes; tests inject fixed values to reproduce the Appendix D example. */
export type RandomSource = (length: number) => Uint8Array

/** The counter appended to the key seed selects which key the KDF derives (ICAO 9303 Part 11, 9.7.1). */
export const KDF_COUNTER = { encryption: 1, mac: 2, password: 3 } as const

export interface BacSession {
  keys: CipherKeys
  /** The send sequence counter secure messaging starts from. */
  ssc: Buffer
}

/** What the terminal must remember between sending EXTERNAL AUTHENTICATE and checking the card's answer. */
export interface BacTerminalState {
  rndIcc: Buffer
  rndIfd: Buffer
  kIfd: Buffer
  /** E_IFD || M_IFD, the data field of EXTERNAL AUTHENTICATE. */
  commandData: Buffer
}

/** RND.ICC and RND.IFD: what GET CHALLENGE returns and EXTERNAL AUTHENTICATE carries. */
export const CHALLENGE_LENGTH = 8
const CRYPTOGRAM_LENGTH = 32
const MAC_LENGTH = 8
const KEY_SEED_LENGTH = 16

/** Sets the lowest bit of each byte so the byte has odd parity, as DES keys require. */
export function adjustDesParity(key: Uint8Array): Buffer {
  return Buffer.from(
    key.map((byte) => {
      const keyBits = byte & 0xfe
      let ones = 0
      for (let rest = keyBits; rest !== 0; rest >>= 1) ones += rest & 1
      return keyBits | (ones % 2 === 0 ? 1 : 0)
    }),
  )
}

/** KDF for two-key 3DES: the first 16 bytes of SHA-1(K_seed || counter as 32-bit big-endian), parity-adjusted. */
export function deriveDes3Key(keySeed: Uint8Array, counter: number): Buffer {
  const counterBytes = Buffer.alloc(4)
  counterBytes.writeUInt32BE(counter)
  const digest = createHash('sha1').update(keySeed).update(counterBytes).digest()
  return adjustDesParity(digest.subarray(0, DES3_KEY_LENGTH))
}

function deriveDes3Keys(keySeed: Uint8Array): CipherKeys {
  return { encryption: deriveDes3Key(keySeed, KDF_COUNTER.encryption), mac: deriveDes3Key(keySeed, KDF_COUNTER.mac) }
}

/** K_seed: the first 16 bytes of SHA-1 over the MRZ information (see bacMrzInformation). */
export function bacKeySeed(mrzInformation: string): Buffer {
  return createHash('sha1').update(mrzInformation, 'latin1').digest().subarray(0, KEY_SEED_LENGTH)
}

/** The document basic access keys K_enc and K_mac. */
export function deriveBacKeys(mrzInformation: string): CipherKeys {
  return deriveDes3Keys(bacKeySeed(mrzInformation))
}

function requireLength(bytes: Uint8Array, length: number, what: string): void {
  if (bytes.length !== length) throw new BacError('invalidLength', `${what} is ${bytes.length} bytes, expected ${length}`)
}

/**
 * Encrypts the 32-byte S and appends its MAC: E || M. Both sides of mutual authentication build their message
 * this way (the terminal from RND.IFD || RND.ICC || K.IFD, the card from RND.ICC || RND.IFD || K.ICC).
 */
export function sealAuthenticationMessage(keys: CipherKeys, plaintext: Uint8Array): Buffer {
  requireLength(plaintext, CRYPTOGRAM_LENGTH, 'authentication plaintext')
  const cryptogram = tripleDesCbcEncrypt(keys.encryption, plaintext)
  return Buffer.concat([cryptogram, retailMac(keys.mac, cryptogram)])
}

/** Verifies the MAC of an E || M message and returns the decrypted 32 bytes. */
export function openAuthenticationMessage(keys: CipherKeys, message: Uint8Array): Buffer {
  requireLength(message, CRYPTOGRAM_LENGTH + MAC_LENGTH, 'authentication message')
  const cryptogram = message.subarray(0, CRYPTOGRAM_LENGTH)
  if (!timingSafeEqual(retailMac(keys.mac, cryptogram), message.subarray(CRYPTOGRAM_LENGTH))) {
    throw new BacError('wrongMac', 'the MAC of the authentication message does not verify')
  }
  return tripleDesCbcDecrypt(keys.encryption, cryptogram)
}

/** Builds the EXTERNAL AUTHENTICATE data from the card's GET CHALLENGE answer (RND.ICC). */
export function startBacAuthentication(keys: CipherKeys, rndIcc: Uint8Array, random: RandomSource = randomBytes): BacTerminalState {
  requireLength(rndIcc, CHALLENGE_LENGTH, 'RND.ICC')
  const rndIfd = Buffer.from(random(CHALLENGE_LENGTH))
  const kIfd = Buffer.from(random(DES3_KEY_LENGTH))
  const rndIccCopy = Buffer.from(rndIcc)
  return { rndIcc: rndIccCopy, rndIfd, kIfd, commandData: sealAuthenticationMessage(keys, Buffer.concat([rndIfd, rndIccCopy, kIfd])) }
}

/**
 * Session keys from K.IFD xor K.ICC, and SSC = the last four bytes of RND.ICC || the last four of RND.IFD.
 * The card side derives the same from the same values.
 */
export function deriveBacSession(kIfd: Uint8Array, kIcc: Uint8Array, rndIcc: Uint8Array, rndIfd: Uint8Array): BacSession {
  const keySeed = Buffer.from(kIfd.map((byte, index) => byte ^ (kIcc[index] ?? 0)))
  return {
    keys: deriveDes3Keys(keySeed),
    ssc: Buffer.concat([rndIcc.subarray(CHALLENGE_LENGTH - 4), rndIfd.subarray(CHALLENGE_LENGTH - 4)]),
  }
}

/** Checks the card's EXTERNAL AUTHENTICATE answer (without status word) and derives the session. */
export function completeBacAuthentication(keys: CipherKeys, state: BacTerminalState, responseData: Uint8Array): BacSession {
  const plaintext = openAuthenticationMessage(keys, responseData)
  const rndIcc = plaintext.subarray(0, CHALLENGE_LENGTH)
  const rndIfd = plaintext.subarray(CHALLENGE_LENGTH, 2 * CHALLENGE_LENGTH)
  // The card proves it decrypted our message by returning our challenge; its own must be the one it gave us.
  if (!rndIfd.equals(state.rndIfd) || !rndIcc.equals(state.rndIcc)) {
    throw new BacError('challengeMismatch', 'the card did not return the challenges of this authentication')
  }
  return deriveBacSession(state.kIfd, plaintext.subarray(2 * CHALLENGE_LENGTH), state.rndIcc, state.rndIfd)
}
