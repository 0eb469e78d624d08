import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MOCK_MAX_HEIGHT_300THS, MOCK_MAX_WIDTH_300THS, mockPage, startMockEsclScanner, type MockEsclScanner } from '../../helpers/mock-escl-scanner'
import { requireScanimage, saneConfigDir, saneEnv } from '../../helpers/sane-config'

/**
 * The mock eSCL scanner is only worth testing our client against if a client we did not write scans from
 * it too: Debian's sane-airscan, driven by scanimage.
 */

let mock: MockEsclScanner
let jpegOnly: MockEsclScanner
let env: NodeJS.ProcessEnv
beforeAll(async () => {
  requireScanimage()
  const red = await mockPage({ r: 220, g: 40, b: 40 })
  const green = await mockPage({ r: 40, g: 200, b: 40 })
  mock = await startMockEsclScanner({ platen: red, feeder: [{ front: red, back: green }, { front: green }] })
  // Our client asks for JPEG, sane-airscan for PNG when it may: this one makes it take JPEG too.
  jpegOnly = await startMockEsclScanner({ platen: green, formats: ['image/jpeg'] })
  const devices = `[devices]\n"Mock" = ${mock.url}, eSCL\n"MockJpeg" = ${jpegOnly.url}, eSCL\n`
  env = saneEnv(saneConfigDir({ 'dll.conf': 'airscan\n', 'airscan.conf': `${devices}\n[options]\ndiscovery = disable\n` }))
})
afterAll(async () => {
  await mock?.close()
  await jpegOnly?.close()
})

function scanimage(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('scanimage', args, { env })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

const pixelsAt = (length300ths: number, dpi: number): number => Math.floor((length300ths * dpi) / 300)

describe("Debian's eSCL client (sane-airscan) scans from the mock scanner", () => {
  it('lists it and reads its options: the glass, the feeder, duplex, the resolutions', async () => {
    const listed = await scanimage(['-L'])
    expect(listed.stdout).toContain("`airscan:e0:Mock'")
    expect(listed.stdout).toContain("`airscan:e1:MockJpeg'")
    const options = await scanimage(['-d', 'airscan:e0:Mock', '-A'])
    expect(options.code, options.stderr).toBe(0)
    expect(options.stdout).toMatch(/--source Flatbed\|ADF\|ADF Duplex/)
    expect(options.stdout).toMatch(/--resolution 75\|100\|150\|200\|300\|600dpi/)
    expect(options.stdout).toMatch(/--mode Color\|Gray/)
  })

  it('scans the glass in colour: a valid image of the whole area at the resolution asked for', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'motcua-airscan-')), 'page.png')
    const result = await scanimage(['-d', 'airscan:e0:Mock', '--format=png', '--resolution', '100', '--mode', 'Color', '-o', out])
    expect(result.code, result.stderr).toBe(0)
    const metadata = await sharp(out).metadata()
    expect({ format: metadata.format, width: metadata.width, height: metadata.height, channels: metadata.channels }).toEqual({
      format: 'png',
      width: pixelsAt(MOCK_MAX_WIDTH_300THS, 100),
      height: pixelsAt(MOCK_MAX_HEIGHT_300THS, 100),
      channels: 3,
    })
    const [red, green] = (await sharp(out).stats()).channels.map((channel) => channel.mean)
    expect(red!).toBeGreaterThan(green! + 100)
  })

  it('scans JPEG pages too: the image airscan decoded has the size asked for', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'motcua-airscan-')), 'page.png')
    const result = await scanimage(['-d', 'airscan:e1:MockJpeg', '--format=png', '--resolution', '150', '--mode', 'Color', '-o', out])
    expect(result.code, result.stderr).toBe(0)
    expect(jpegOnly.jobs).toEqual([expect.objectContaining({ format: 'image/jpeg', resolution: 150 })])
    const metadata = await sharp(out).metadata()
    expect({ width: metadata.width, height: metadata.height }).toEqual({ width: pixelsAt(MOCK_MAX_WIDTH_300THS, 150), height: pixelsAt(MOCK_MAX_HEIGHT_300THS, 150) })
    const [red, green] = (await sharp(out).stats()).channels.map((channel) => channel.mean)
    expect(green!).toBeGreaterThan(red! + 100)
  })

  it('takes the region airscan asks for (-l -t -x -y in mm) and cuts it out of the glass', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'motcua-airscan-')), 'page.png')
    const result = await scanimage(['-d', 'airscan:e0:Mock', '--format=png', '--resolution', '75', '--mode', 'Color', '-l', '10', '-t', '20', '-x', '100', '-y', '150', '-o', out])
    expect(result.code, result.stderr).toBe(0)
    const job = mock.jobs.at(-1)!
    const in300ths = (mm: number): number => (mm / 25.4) * 300
    for (const [length, mm] of [[job.region.x, 10], [job.region.y, 20], [job.region.width, 100], [job.region.height, 150]] as const) expect(Math.abs(length - in300ths(mm))).toBeLessThanOrEqual(1)
    const metadata = await sharp(out).metadata()
    expect({ width: metadata.width, height: metadata.height }).toEqual({ width: job.widthPx, height: job.heightPx })
  })

  it('scans both sides of two sheets from the feeder in grey: four pages, then the feeder is empty', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'motcua-airscan-'))
    const result = await scanimage(['-d', 'airscan:e0:Mock', '--format=png', '--resolution', '75', '--mode', 'Gray', '--source', 'ADF Duplex', `--batch=${join(dir, 'p%d.png')}`])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toContain('4 pages scanned')
    expect(readdirSync(dir).sort()).toEqual(['p1.png', 'p2.png', 'p3.png', 'p4.png'])
    for (const name of readdirSync(dir)) {
      const metadata = await sharp(join(dir, name)).metadata()
      expect({ width: metadata.width, height: metadata.height, channels: metadata.channels }).toEqual({ width: pixelsAt(MOCK_MAX_WIDTH_300THS, 75), height: pixelsAt(MOCK_MAX_HEIGHT_300THS, 75), channels: 1 })
    }
    const job = mock.jobs.at(-1)!
    expect(job).toMatchObject({ inputSource: 'Feeder', duplex: true, colorMode: 'Grayscale8', resolution: 75 })
  })
})
