import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { MAX_FACE_SIDE, jpeg2000Codestream, jpeg2000Size, jpeg2000ToJpeg } from '../../../src/main/services/idcard/face-image'
import { PROJECT_ROOT } from '../../helpers/browser-mode-host'

/** The sample card's face made JPEG 2000 by an independent encoder (ImageMagick with OpenJPEG), as many cards store it. */
function sampleFaceAs(extension: 'jp2' | 'j2k'): Buffer {
  const output = join(mkdtempSync(join(tmpdir(), 'face-')), `face.${extension}`)
  try {
    execFileSync('convert', [join(PROJECT_ROOT, 'resources/idcard/sample-face.jpg'), output])
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('convert (ImageMagick) is not installed; this test needs it to make JPEG 2000 faces')
    throw error
  }
  return readFileSync(output)
}

describe('faces stored as JPEG 2000', () => {
  it.each(['jp2', 'j2k'] as const)('are converted to a JPEG the screen can show (%s)', async (extension) => {
    const jpeg = await jpeg2000ToJpeg(sampleFaceAs(extension))
    expect(jpeg.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]))
    expect(await sharp(jpeg).metadata()).toMatchObject({ format: 'jpeg', width: 240, height: 320 })
  })

  it('finds the codestream inside a JP2 file and leaves a bare codestream as it is', () => {
    const jp2 = sampleFaceAs('jp2')
    const codestream = jpeg2000Codestream(jp2)
    expect(codestream.subarray(0, 2)).toEqual(Buffer.from([0xff, 0x4f])) // SOC marker
    expect(jpeg2000Codestream(codestream)).toBe(codestream)
  })

  it('refuses a damaged image instead of showing garbage', async () => {
    const jp2 = sampleFaceAs('jp2')
    await expect(jpeg2000ToJpeg(jp2.subarray(0, 200))).rejects.toThrow()
    await expect(jpeg2000ToJpeg(Buffer.from('not an image at all'))).rejects.toThrow()
  })
  it('reads the size from SIZ and refuses a forged one beyond the limit before decoding', async () => {
    const codestream = Buffer.from(jpeg2000Codestream(sampleFaceAs('jp2')))
    expect(jpeg2000Size(codestream)).toEqual({ width: 240, height: 320 })
    // Xsiz and Ysiz at 60000: decoding would ask for gigabytes.
    codestream.writeUInt32BE(60_000, 8)
    codestream.writeUInt32BE(60_000, 12)
    await expect(jpeg2000ToJpeg(codestream)).rejects.toThrow(`exceeds ${MAX_FACE_SIDE}`)
    codestream.writeUInt32BE(320, 12)
    await expect(jpeg2000ToJpeg(codestream)).rejects.toThrow(`exceeds ${MAX_FACE_SIDE}`)
  })

  it('decodes again after a damaged image', async () => {
    const jp2 = sampleFaceAs('jp2')
    await expect(jpeg2000ToJpeg(jp2.subarray(0, 200))).rejects.toThrow()
    expect((await jpeg2000ToJpeg(jp2)).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]))
  })
})
