import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { DataKey, FILE_ONLY_WRAPPER } from '../../../src/main/services/privacy/data-key'

const dir = mkdtempSync(join(tmpdir(), 'motcua-data-key-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('opening part of a sealed blob (what sync uploads chunk by chunk)', () => {
  const key = new DataKey(dir, FILE_ONLY_WRAPPER)

  it('gives exactly the plaintext bytes at any offset, aligned to the cipher block or not', async () => {
    const plaintext = randomBytes(100_003)
    const sealed = await key.sealBytes(plaintext)
    const ciphertext = Buffer.from(sealed.ct, 'base64')
    for (const [offset, length] of [[0, 16], [0, 100_003], [1, 15], [15, 2], [16, 16], [4095, 8193], [100_000, 3]] as const) {
      expect((await key.openBytesFrom(sealed, offset, ciphertext.subarray(offset, offset + length))).equals(plaintext.subarray(offset, offset + length))).toBe(true)
    }
  })

  it('checks the whole blob as a stream: the tag fails on one flipped bit', async () => {
    const sealed = await key.sealBytes(randomBytes(5000))
    const data = Buffer.from(sealed.ct, 'base64')
    const body = data.subarray(0, data.length - 16)
    const tag = data.subarray(data.length - 16)
    const intact = await key.openBytesStream(sealed, tag)
    intact.update(body)
    expect(() => intact.final()).not.toThrow()
    const flipped = Buffer.from(body)
    flipped[1234]! ^= 0x10
    const damaged = await key.openBytesStream(sealed, tag)
    damaged.update(flipped)
    expect(() => damaged.final()).toThrow()
  })

  it("refuses a blob sealed with another device's key", async () => {
    const sealed = await key.sealBytes(Buffer.from('page'))
    await expect(key.openBytesFrom({ ...sealed, kid: 'another-device' }, 0, Buffer.alloc(4))).rejects.toMatchObject({ code: 'forbidden' })
  })
})
