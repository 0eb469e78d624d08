import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { loadOrCreateDataFile } from './data-file'

/**
 * Enrolment codes: base32(HMAC-SHA256(secret, "enroll:" + wardCode)), first 16 characters. The
 * secret is made in the data folder on first start and never leaves it; the operator hands a
 * ward's code to its technician (`motcua city enroll-code`, or the hub's technician screen).
 */
const SECRET_FILE = 'relay-secret.key'
const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'

export interface EnrollmentCodes {
  codeFor(wardCode: string): string
  matches(wardCode: string, code: string): boolean
}

/** `create: false` (the enroll-code command): a folder with no secret is a mistake to report, not one to paper over. */
export async function loadEnrollmentCodes(dataDir: string, options: { create: boolean } = { create: true }): Promise<EnrollmentCodes> {
  const secret = await loadOrCreateSecret(dataDir, options.create)
  const codeFor = (wardCode: string): string => base32(createHmac('sha256', secret).update(`enroll:${wardCode}`).digest()).slice(0, 16)
  return {
    codeFor,
    matches: (wardCode, code) => {
      const expected = Buffer.from(codeFor(wardCode))
      const given = Buffer.from(code)
      return given.length === expected.length && timingSafeEqual(given, expected)
    },
  }
}

function loadOrCreateSecret(dataDir: string, create: boolean): Promise<Buffer> {
  return loadOrCreateDataFile(dataDir, SECRET_FILE, {
    create,
    make: () => `${randomBytes(32).toString('hex')}\n`,
    parse: (text) => {
      const secret = Buffer.from(text.trim(), 'hex')
      return secret.length === 32 ? secret : undefined
    },
    what: 'a 32-byte hex secret (or remove it to issue new enrolment codes)',
  })
}

/** RFC 4648 base32, no padding. */
function base32(bytes: Buffer): string {
  let bits = 0
  let value = 0
  let output = ''
  for (const byte of bytes) {
    value = (value << 8) | byte
    bits += 8
    while (bits >= 5) {
      output += BASE32_ALPHABET[(value >>> (bits - 5)) & 31]
      bits -= 5
    }
  }
  if (bits > 0) output += BASE32_ALPHABET[(value << (5 - bits)) & 31]
  return output
}
