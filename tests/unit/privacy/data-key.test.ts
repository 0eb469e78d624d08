import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DataKey, FILE_ONLY_WRAPPER } from '../../../src/main/services/privacy/data-key'
import { SealedBlobSchema } from '../../../src/shared/domain/eventlog/envelope'

const freshKey = (): DataKey => new DataKey(mkdtempSync(join(tmpdir(), 'motcua-data-key-')), FILE_ONLY_WRAPPER)
const page = Buffer.from(Array.from({ length: 70_000 }, (_unused, index) => (index * 31) % 256))

describe('the device data key on files (sealBytes/openBytes)', () => {
  it('seals a file so that only the ciphertext shows and opens it back byte for byte', async () => {
    const key = freshKey()
    const sealed = await key.sealBytes(page)
    expect(SealedBlobSchema.parse(sealed)).toEqual(sealed)
    expect(Buffer.from(sealed.ct, 'base64').includes(page.subarray(0, 64))).toBe(false)
    expect(Buffer.from(sealed.ct, 'base64').length).toBe(page.length + 16)
    expect(await key.openBytes(sealed)).toEqual(page)
  })

  it('uses a fresh nonce each time: the same page sealed twice gives two ciphertexts', async () => {
    const key = freshKey()
    const [first, second] = [await key.sealBytes(page), await key.sealBytes(page)]
    expect(first.iv).not.toBe(second.iv)
    expect(first.ct).not.toBe(second.ct)
  })

  it('keeps one key for fields and files, read from the same key file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'motcua-data-key-'))
    const sealed = await new DataKey(dir, FILE_ONLY_WRAPPER).sealBytes(page)
    const fields = await new DataKey(dir, FILE_ONLY_WRAPPER).seal({ fullName: 'Nguyễn Văn A' })
    expect(fields.kid).toBe(sealed.kid)
    expect(JSON.parse(readFileSync(join(dir, 'data-key.json'), 'utf8')).kid).toBe(sealed.kid)
    expect(await new DataKey(dir, FILE_ONLY_WRAPPER).openBytes(sealed)).toEqual(page)
  })

  it('refuses an altered file, a truncated one, and one sealed by another device, and says which', async () => {
    const key = freshKey()
    const sealed = await key.sealBytes(page)
    const bytes = Buffer.from(sealed.ct, 'base64')
    bytes[100]! ^= 1
    await expect(key.openBytes({ ...sealed, ct: bytes.toString('base64') })).rejects.toMatchObject({ code: 'invalidInput' })
    await expect(key.openBytes({ ...sealed, ct: Buffer.alloc(8).toString('base64') })).rejects.toMatchObject({ code: 'invalidInput' })
    await expect(key.openBytes({ ...sealed, kid: 'another-device-key' })).rejects.toMatchObject({ code: 'forbidden' })
  })

  it('never opens a sealed field as a file or a file as fields (the purpose is bound in)', async () => {
    const key = freshKey()
    const fields = await key.seal({ fullName: 'Nguyễn Văn A' })
    await expect(key.openBytes(fields)).rejects.toMatchObject({ code: 'invalidInput' })
    const file = await key.sealBytes(Buffer.from(JSON.stringify({ fullName: 'x' })))
    await expect(key.open(file)).rejects.toMatchObject({ code: 'invalidInput' })
  })
})
