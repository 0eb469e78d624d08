import { createHash, randomBytes } from 'node:crypto'
import { appendFile, mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BlobStaging } from '../../../src/main/services/sync/blob-staging'
import { DataKey, FILE_ONLY_WRAPPER } from '../../../src/main/services/privacy/data-key'

let dir: string
let key: DataKey

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'motcua-staging-'))
  key = new DataKey(join(dir, 'key'), FILE_ONLY_WRAPPER)
})
afterAll(() => rm(dir, { recursive: true, force: true }))

/** A sealed blob as the screen holds it, and its slices as the engine hands them over. */
async function sealedBlob(size: number) {
  const plaintext = randomBytes(size)
  const sealed = await key.sealBytes(plaintext)
  const ciphertext = Buffer.from(sealed.ct, 'base64')
  const sha256 = createHash('sha256').update(plaintext).digest('hex')
  const slice = (offset: number, end = ciphertext.length) => ({ sha256, kid: sealed.kid, iv: sealed.iv, sealedLength: ciphertext.length, offset, slice: ciphertext.subarray(offset, end) })
  return { plaintext, ciphertext, sha256, slice }
}

describe('blob staging in main survives crashes', () => {
  it('finishes a part that holds the whole ciphertext when a crash came before the check and rename', async () => {
    const staging = new BlobStaging(join(dir, 'crash'), key)
    const blob = await sealedBlob(5000)
    await staging.stage(blob.slice(0, 3000))
    // The last slice reached the disk, then the process died before verify + rename.
    await appendFile(join(dir, 'crash', `${blob.sha256}.part`), blob.ciphertext.subarray(3000))
    await expect(staging.progress(blob.sha256)).resolves.toEqual({ staged: blob.ciphertext.length, ready: true })
    expect((await staging.read(blob.sha256, 0, 5000)).equals(blob.plaintext)).toBe(true)
  })

  it('finishes such a part on the next stage call too, instead of waiting for a slice that never comes', async () => {
    const staging = new BlobStaging(join(dir, 'crash-stage'), key)
    const blob = await sealedBlob(4000)
    await staging.stage(blob.slice(0, 3000))
    await appendFile(join(dir, 'crash-stage', `${blob.sha256}.part`), blob.ciphertext.subarray(3000))
    await expect(staging.stage(blob.slice(blob.ciphertext.length))).resolves.toEqual({ staged: blob.ciphertext.length, ready: true })
  })

  it('starts over, with a new meta file, when the meta file went missing', async () => {
    const folder = join(dir, 'lost-meta')
    const staging = new BlobStaging(folder, key)
    const blob = await sealedBlob(6000)
    await staging.stage(blob.slice(0, 3000))
    await rm(join(folder, `${blob.sha256}.json`))
    // Bytes it cannot open count as nothing: the engine stages again from 0.
    await expect(staging.progress(blob.sha256)).resolves.toEqual({ staged: 0, ready: false })
    await expect(staging.stage(blob.slice(0, 3000))).resolves.toEqual({ staged: 3000, ready: false })
    await expect(staging.stage(blob.slice(3000))).resolves.toEqual({ staged: blob.ciphertext.length, ready: true })
    expect((await staging.read(blob.sha256, 0, 6000)).equals(blob.plaintext)).toBe(true)
    // Written whole through a temporary file, which is gone again.
    expect((await readdir(folder)).sort()).toEqual([`${blob.sha256}.json`, `${blob.sha256}.sealed`])
  })
})
