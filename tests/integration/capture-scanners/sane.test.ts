import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import { listSaneDevices, parseSaneDeviceList, parseSaneOptions, SaneScanner, saneModeNames, saneSourceNames, type SaneOptions } from '../../../src/main/services/capture/scanners/sane-scanner'
import { DocumentScanError } from '../../../src/main/services/capture/scanners/scanner-errors'
import type { ScannedPage, ScanSettings } from '../../../src/main/services/capture/scanners/scan-source'
import { requireScanimage, saneConfigDir, saneEnv } from '../../helpers/sane-config'

/**
 * SANE through scanimage, against SANE's own `test` backend (a virtual scanner with a glass and a feeder
 * that runs empty after 10 sheets). Debian leaves `test` out of /etc/sane.d/dll.conf, so each test names
 * it in a configuration of its own; test.conf sets the virtual scanner up.
 */

const TEST_CONF = ['number_of_devices 1', 'test-picture "Color pattern"', 'geometry_max 200.0'].join('\n')

function saneWith(testConf: string): SaneOptions {
  return { env: saneEnv(saneConfigDir({ 'dll.conf': 'test\n', 'test.conf': `${testConf}\n` })) }
}

let sane: SaneOptions
beforeAll(() => {
  requireScanimage()
  sane = saneWith(TEST_CONF)
})

const settings = (overrides: Partial<ScanSettings> = {}): ScanSettings => ({ source: 'platen', duplex: false, colorMode: 'color', dpi: 100, ...overrides })

async function scanAll(scanner: SaneScanner, scanSettings: ScanSettings, onPage?: (page: ScannedPage, controller: AbortController) => void): Promise<{ pages: ScannedPage[]; error?: DocumentScanError }> {
  const pages: ScannedPage[] = []
  const controller = new AbortController()
  try {
    await scanner.scan(scanSettings, (page) => {
      pages.push(page)
      onPage?.(page, controller)
    }, controller.signal)
    return { pages }
  } catch (error) {
    expect(error).toBeInstanceOf(DocumentScanError)
    return { pages, error: error as DocumentScanError }
  }
}

/** 200 mm at this resolution, as SANE counts pixels. */
const pixelsFor200mm = (dpi: number): number => Math.floor((200 / 25.4) * dpi)

describe('SANE scanners through scanimage (test backend)', () => {
  it('lists the devices and reads what each can do', async () => {
    expect(await listSaneDevices(sane)).toEqual([{ name: 'test:0', vendor: 'Noname', model: 'frontend-tester', type: 'virtual device' }])
    expect(await new SaneScanner('test:0', sane).capabilities()).toEqual({
      sources: ['platen', 'feeder'],
      colorModes: ['color', 'gray', 'bw'],
      resolutions: [75, 100, 150, 200, 240, 300, 400, 600, 1200],
      maxWidthMm: 200,
      maxHeightMm: 200,
    })
  })

  it('scans the glass in colour: one PNG page of the whole area', async () => {
    const { pages, error } = await scanAll(new SaneScanner('test:0', sane), settings({ dpi: 100 }))
    expect(error).toBeUndefined()
    expect(pages).toHaveLength(1)
    expect(pages[0]).toMatchObject({ mime: 'image/png', dpi: 100 })
    const metadata = await sharp(pages[0]!.bytes).metadata()
    expect({ format: metadata.format, width: metadata.width, height: metadata.height, channels: metadata.channels }).toEqual({ format: 'png', width: pixelsFor200mm(100), height: pixelsFor200mm(100), channels: 3 })
  })

  it('asks for an A4 region (-x 210 -y 297 mm) on a glass larger than A4, and the whole area from the feeder', async () => {
    const large = saneWith(TEST_CONF.replace('geometry_max 200.0', 'geometry_max 400.0'))
    const glass = await scanAll(new SaneScanner('test:0', large), settings({ dpi: 75 }))
    expect(glass.error).toBeUndefined()
    const a4 = await sharp(glass.pages[0]!.bytes).metadata()
    expect({ width: a4.width, height: a4.height }).toEqual({ width: Math.floor((210 / 25.4) * 75), height: Math.floor((297 / 25.4) * 75) })
    const feeder = await scanAll(new SaneScanner('test:0', large), settings({ source: 'feeder', dpi: 75 }), (_page, controller) => controller.abort())
    const sheet = await sharp(feeder.pages[0]!.bytes).metadata()
    expect({ width: sheet.width, height: sheet.height }).toEqual({ width: Math.floor((400 / 25.4) * 75), height: Math.floor((400 / 25.4) * 75) })
  })

  it('scans the feeder until it runs empty, in grey for black-and-white', async () => {
    const { pages, error } = await scanAll(new SaneScanner('test:0', sane), settings({ source: 'feeder', colorMode: 'bw', dpi: 75 }))
    expect(error).toBeUndefined()
    expect(pages).toHaveLength(10)
    const metadata = await sharp(pages[9]!.bytes).metadata()
    expect({ width: metadata.width, channels: metadata.channels }).toEqual({ width: pixelsFor200mm(75), channels: 1 })
  })

  it('stops scanimage when cancelled mid-feeder: no page after the cancel, and the scan ends', async () => {
    // Slow pages (a pause after every read) so that the cancel lands while scanimage is scanning.
    const slow = new SaneScanner('test:0', saneWith(`${TEST_CONF}\nread-limit true\nread-limit-size 16384\nread-delay true\nread-delay-duration 20000`))
    const { pages, error } = await scanAll(slow, settings({ source: 'feeder', colorMode: 'gray', dpi: 75 }), (_page, controller) => controller.abort())
    expect(error?.code).toBe('cancelled')
    expect(pages).toHaveLength(1)
  })

  it('reports a jammed feeder as paperJam, and a busy scanner as scannerBusy', async () => {
    const jammed = await scanAll(new SaneScanner('test:0', saneWith(`${TEST_CONF}\nread-status-code "SANE_STATUS_JAMMED"`)), settings({ source: 'feeder', dpi: 75 }))
    expect(jammed.error?.code).toBe('paperJam')
    expect(jammed.pages).toHaveLength(0)
    const busy = await scanAll(new SaneScanner('test:0', saneWith(`${TEST_CONF}\nread-status-code "SANE_STATUS_DEVICE_BUSY"`)), settings({ dpi: 75 }))
    expect(busy.error?.code).toBe('scannerBusy')
  })

  it('refuses settings the device does not have (duplex) before starting scanimage', async () => {
    const { error } = await scanAll(new SaneScanner('test:0', sane), settings({ source: 'feeder', duplex: true }))
    expect(error?.code).toBe('unsupportedSettings')
  })

  it('reports a device that does not exist as scanFailed', async () => {
    await expect(new SaneScanner('test:9', sane).capabilities()).rejects.toMatchObject({ code: 'scanFailed' })
  })

  it('says saneUnavailable, with what to install, when scanimage is missing', async () => {
    const missing: SaneOptions = { scanimage: '/nonexistent/scanimage' }
    const listing = await listSaneDevices(missing).catch((error: unknown) => error)
    expect(listing).toBeInstanceOf(DocumentScanError)
    expect(listing).toMatchObject({ code: 'saneUnavailable', message: expect.stringContaining('sane-utils') })
    await expect(new SaneScanner('test:0', missing).capabilities()).rejects.toMatchObject({ code: 'saneUnavailable' })
  })
})

describe('a scanimage that names files it was not told to write', () => {
  // Answers the options query, then writes the file named by $NAMED (relative to the batch folder) and prints its path.
  const FAKE_SCANIMAGE = `#!/bin/sh
for arg in "$@"; do
  case "$arg" in
    --all-options) printf '    --mode Color|Gray [Color]\\n    --resolution 100|300dpi [100]\\n'; exit 0;;
    --batch=*) folder=$(dirname "\${arg#--batch=}");;
  esac
done
printf 'not a page' > "$folder/$NAMED"
printf '%s\\n' "$folder/$NAMED"
`

  it.each(['../motcua-outside-the-folder.png', 'notes.txt', 'p1.png.sh'])('is stopped with badResponse, and %s is neither read nor deleted', async (named) => {
    const dir = mkdtempSync(join(tmpdir(), 'motcua-fake-scanimage-'))
    const scanimage = join(dir, 'scanimage')
    writeFileSync(scanimage, FAKE_SCANIMAGE)
    chmodSync(scanimage, 0o755)
    try {
      const result = await scanAll(new SaneScanner('fake:0', { scanimage, env: { ...process.env, NAMED: named } }), settings())
      expect(result.pages).toEqual([])
      expect(result.error).toMatchObject({ code: 'badResponse', message: expect.stringContaining('scanimage named an unexpected file') })
      if (named.startsWith('../')) expect(existsSync(join(tmpdir(), 'motcua-outside-the-folder.png'))).toBe(true)
    } finally {
      rmSync(dir, { recursive: true, force: true })
      rmSync(join(tmpdir(), 'motcua-outside-the-folder.png'), { force: true })
    }
  })
})

describe("reading scanimage's output", () => {
  it('reads the device list, whatever the names hold', () => {
    expect(parseSaneDeviceList("airscan:e0:Canon MF740C (eSCL)\tCanon\tMF740C\teSCL network scanner\nepsonds:libusb:001:004\tEpson\tDS-530\tsheetfed scanner\n\n")).toEqual([
      { name: 'airscan:e0:Canon MF740C (eSCL)', vendor: 'Canon', model: 'MF740C', type: 'eSCL network scanner' },
      { name: 'epsonds:libusb:001:004', vendor: 'Epson', model: 'DS-530', type: 'sheetfed scanner' },
    ])
  })

  it("reads a network scanner's options as sane-airscan gives them", () => {
    const options = parseSaneOptions(`
All options specific to device \`airscan:e0:Mock':
  Standard:
    --resolution 75|100|150|200|300|600dpi [300]
        Sets the resolution of the scanned image.
    --mode Color|Gray [Color]
        Selects the scan mode (e.g., lineart, monochrome, or color).
    --source Flatbed|ADF|ADF Duplex [Flatbed]
        Selects the scan source (such as a document-feeder).
  Geometry:
    -l 0..215.9mm [0]
    -t 0..297.011mm [0]
    -x 0..215.9mm [215.9]
    -y 0..297.011mm [297.011]
`)
    expect(options).toEqual({ modes: ['Color', 'Gray'], sources: ['Flatbed', 'ADF', 'ADF Duplex'], resolutions: [75, 100, 150, 200, 300, 600], maxWidthMm: 215.9, maxHeightMm: 297.011 })
    expect(saneSourceNames(options.sources)).toEqual({ platen: 'Flatbed', feeder: 'ADF', feederDuplex: 'ADF Duplex' })
    expect(saneModeNames(options.modes)).toEqual({ color: 'Color', gray: 'Gray', bw: 'Gray' })
  })

  it('makes do with a lineart-only mode list and a device without sources', () => {
    expect(saneModeNames(['Lineart', 'Halftone'])).toEqual({ bw: 'Lineart' })
    expect(saneSourceNames([])).toEqual({ platen: '' })
    expect(parseSaneOptions('    --mode Binary|True Gray|24bit Color [inactive]\n').modes).toEqual(['Binary', 'True Gray', '24bit Color'])
  })
})
