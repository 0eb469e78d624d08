import { createCipheriv, createDecipheriv } from 'node:crypto'

/**
 * Block-cipher primitives for BAC and 3DES secure messaging (ICAO 9303 Part 11, 9.8 and Appendix D) and for PACE's
 * AES (CBC and CMAC, 9.8.6.2). Node 20's OpenSSL 3 has no single DES in its default provider, so single-DES steps
 * run as two-key EDE with K1 = K2 (E_K D_K E_K = E_K).
 */

export const DES_BLOCK_SIZE = 8
export const DES3_KEY_LENGTH = 16

/** A key for encryption and one for the MAC: K_enc/K_mac or KS_enc/KS_mac, 3DES after BAC, AES after PACE. */
export interface CipherKeys {
  encryption: Buffer
  mac: Buffer
}
const TRIPLE_DES_CBC = 'des-ede-cbc'
const ZERO_IV = Buffer.alloc(DES_BLOCK_SIZE)

/** ISO 9797-1 padding method 2: append 0x80, then zeros up to the next block boundary (always at least one byte). */
export function padIso9797Method2(data: Uint8Array, blockSize: number): Buffer {
  const paddingLength = blockSize - (data.length % blockSize)
  const padding = Buffer.alloc(paddingLength)
  padding[0] = 0x80
  return Buffer.concat([data, padding])
}

/** Removes ISO 9797-1 method 2 padding; undefined when the padding is absent or longer than one block. */
export function unpadIso9797Method2(data: Uint8Array, blockSize: number): Buffer | undefined {
  if (data.length === 0 || data.length % blockSize !== 0) return undefined
  let index = data.length - 1
  while (index >= 0 && data[index] === 0x00) index -= 1
  if (index < 0 || data[index] !== 0x80 || data.length - index > blockSize) return undefined
  return Buffer.from(data.subarray(0, index))
}

function runCbc(encrypt: boolean, key: Uint8Array, data: Uint8Array, iv: Uint8Array): Buffer {
  const cipher = encrypt ? createCipheriv(TRIPLE_DES_CBC, key, iv) : createDecipheriv(TRIPLE_DES_CBC, key, iv)
  cipher.setAutoPadding(false)
  return Buffer.concat([cipher.update(data), cipher.final()])
}

/** Two-key 3DES (16-byte key) in CBC mode on whole blocks; ICAO uses a zero IV for BAC and 3DES SM. */
export function tripleDesCbcEncrypt(key: Uint8Array, data: Uint8Array, iv: Uint8Array = ZERO_IV): Buffer {
  return runCbc(true, key, data, iv)
}

export function tripleDesCbcDecrypt(key: Uint8Array, data: Uint8Array, iv: Uint8Array = ZERO_IV): Buffer {
  return runCbc(false, key, data, iv)
}

/**
 * ISO 9797-1 MAC algorithm 3 ("retail MAC") with DES and padding method 2, keyed with a 16-byte K1 || K2:
 * single-DES CBC under K1 over every block, then the last result decrypted under K2 and encrypted under K1.
 * Encrypting the final block with EDE(K1, K2, K1) chained on the single-DES CBC of the others is the same thing.
 */
export function retailMac(key: Uint8Array, data: Uint8Array): Buffer {
  const padded = padIso9797Method2(data, DES_BLOCK_SIZE)
  const k1 = key.subarray(0, DES_BLOCK_SIZE)
  const leadingBlocks = padded.subarray(0, -DES_BLOCK_SIZE)
  const chained =
    leadingBlocks.length === 0 ? ZERO_IV : runCbc(true, Buffer.concat([k1, k1]), leadingBlocks, ZERO_IV).subarray(-DES_BLOCK_SIZE)
  return runCbc(true, key, padded.subarray(-DES_BLOCK_SIZE), chained)
}

export const AES_BLOCK_SIZE = 16
const AES_KEY_LENGTHS = [16, 24, 32]

function aesMode(key: Uint8Array, mode: 'cbc' | 'ecb'): string {
  if (!AES_KEY_LENGTHS.includes(key.length)) throw new RangeError(`an AES key is 16, 24 or 32 bytes, not ${key.length}`)
  return `aes-${key.length * 8}-${mode}`
}

function runAes(encrypt: boolean, key: Uint8Array, data: Uint8Array, iv: Uint8Array | null): Buffer {
  const algorithm = aesMode(key, iv ? 'cbc' : 'ecb')
  const cipher = encrypt ? createCipheriv(algorithm, key, iv) : createDecipheriv(algorithm, key, iv)
  cipher.setAutoPadding(false)
  return Buffer.concat([cipher.update(data), cipher.final()])
}

const AES_ZERO_IV = Buffer.alloc(AES_BLOCK_SIZE)

/** AES-CBC on whole blocks; PACE decrypts its nonce with a zero IV, secure messaging uses IV = E(KS_enc, SSC). */
export function aesCbcEncrypt(key: Uint8Array, data: Uint8Array, iv: Uint8Array = AES_ZERO_IV): Buffer {
  return runAes(true, key, data, iv)
}

export function aesCbcDecrypt(key: Uint8Array, data: Uint8Array, iv: Uint8Array = AES_ZERO_IV): Buffer {
  return runAes(false, key, data, iv)
}

/** One AES block encrypted on its own (ECB): how AES secure messaging makes its IV from the SSC. */
export function aesEncryptBlock(key: Uint8Array, block: Uint8Array): Buffer {
  return runAes(true, key, block, null)
}

/** Doubling in GF(2^128) as CMAC's subkey generation does it: shift left one bit, fold the carry back with 0x87. */
function doubleSubkey(block: Buffer): Buffer {
  const doubled = Buffer.alloc(AES_BLOCK_SIZE)
  for (let index = 0; index < AES_BLOCK_SIZE; index += 1) {
    doubled[index] = (((block[index] ?? 0) << 1) | ((block[index + 1] ?? 0) >> 7)) & 0xff
  }
  if (((block[0] ?? 0) & 0x80) !== 0) doubled[AES_BLOCK_SIZE - 1] = (doubled[AES_BLOCK_SIZE - 1] ?? 0) ^ 0x87
  return doubled
}

/** AES-CMAC (NIST SP 800-38B, RFC 4493), the full 16 bytes: PACE and AES secure messaging keep the first 8. */
export function aesCmac(key: Uint8Array, data: Uint8Array): Buffer {
  const k1 = doubleSubkey(aesEncryptBlock(key, AES_ZERO_IV))
  const complete = data.length > 0 && data.length % AES_BLOCK_SIZE === 0
  // A message that does not fill its last block gets 80 00.. padding and the second subkey.
  const padded = complete ? Buffer.from(data) : padIso9797Method2(data, AES_BLOCK_SIZE)
  const subkey = complete ? k1 : doubleSubkey(k1)
  const lastStart = padded.length - AES_BLOCK_SIZE
  for (let index = 0; index < AES_BLOCK_SIZE; index += 1) padded[lastStart + index] = (padded[lastStart + index] ?? 0) ^ (subkey[index] ?? 0)
  return runAes(true, key, padded, AES_ZERO_IV).subarray(-AES_BLOCK_SIZE)
}
