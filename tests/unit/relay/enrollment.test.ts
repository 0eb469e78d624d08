import { createHmac } from 'node:crypto'
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { loadEnrollmentCodes } from '../../../src/relay/server/enrollment'

describe('enrolment codes', () => {
  const dirs: string[] = []
  const folder = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'motcua-enrol-'))
    dirs.push(dir)
    return dir
  }
  afterAll(async () => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))))

  it('is base32 of HMAC-SHA256(secret, "enroll:" + ward), 16 characters, from a 0600 secret made once', async () => {
    const dir = await folder()
    const codes = await loadEnrollmentCodes(dir)
    const secretPath = join(dir, 'relay-secret.key')
    expect((await stat(secretPath)).mode & 0o777).toBe(0o600)
    const secret = Buffer.from((await readFile(secretPath, 'utf8')).trim(), 'hex')
    const mac = createHmac('sha256', secret).update('enroll:20194').digest()
    // RFC 4648 base32 of the first 10 bytes is exactly 16 characters.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
    let bits = ''
    for (const byte of mac.subarray(0, 10)) bits += byte.toString(2).padStart(8, '0')
    const expected = bits.match(/.{5}/g)!.map((chunk) => alphabet[parseInt(chunk, 2)]).join('')
    expect(codes.codeFor('20194')).toBe(expected)
    expect(codes.matches('20194', expected)).toBe(true)
    expect(codes.matches('20195', expected)).toBe(false)
    expect(codes.matches('20194', expected.toLowerCase())).toBe(false)
    expect((await loadEnrollmentCodes(dir)).codeFor('20194')).toBe(expected)
  })

  it('gives different codes on different servers', async () => {
    expect((await loadEnrollmentCodes(await folder())).codeFor('20194')).not.toBe((await loadEnrollmentCodes(await folder())).codeFor('20194'))
  })

  it('refuses to read codes from a folder with no secret when told not to create one', async () => {
    await expect(loadEnrollmentCodes(join(await folder(), 'missing'), { create: false })).rejects.toThrow(/not a relay server/)
  })
})
