import { createCipheriv, createDecipheriv } from 'node:crypto'

/**
 * Block-cipher primitives shared by BAC and 3DES secure messaging (ICAO 9303 Part 11, 9.8 and Appendix D).
 * Node 20's OpenSSL 3 has no single DES in its default provider, so single-DES steps run as two-key EDE with
 * K1 = K2 (E_K D_K E_K = E_K).
 */

export const DES_BLOCK_SIZE = 8
export const DES3_KEY_LENGTH = 16

/** A two-key 3DES key for encryption and one for the retail MAC (K_enc/K_mac, or KS_enc/KS_mac). */
export interface Des3KeyPair {
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
