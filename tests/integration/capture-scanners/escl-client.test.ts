import sharp from 'sharp'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { describeEsclCapabilities, parseEsclCapabilities } from '../../../src/main/services/capture/scanners/escl-protocol'
import { EsclScanner, normalizeEsclAddress, type EsclTimings } from '../../../src/main/services/capture/scanners/escl-scanner'
import { DocumentScanError } from '../../../src/main/services/capture/scanners/scanner-errors'
import type { ScannedPage, ScanSettings } from '../../../src/main/services/capture/scanners/scan-source'
import { MotcuaError } from '../../../src/shared/contract/dispatch'
import { closedPort } from '../../helpers/fake-printer'
import { MOCK_MAX_HEIGHT_300THS, MOCK_MAX_WIDTH_300THS, mockPage, startMockEsclScanner, type MockEsclOptions, type MockEsclScanner } from '../../helpers/mock-escl-scanner'

/** Short waits so that the busy and hanging scanners end the test quickly; outcomes are asserted, never durations. */
const TEST_TIMINGS: EsclTimings = { requestIdleMs: 2_000, pageIdleMs: 2_000, busyFirstDelayMs: 5, busyGiveUpMs: 200 }

const COLOURS = [
  { r: 220, g: 40, b: 40 },
  { r: 40, g: 200, b: 40 },
  { r: 40, g: 40, b: 220 },
  { r: 230, g: 200, b: 40 },
  { r: 40, g: 210, b: 210 },
]
let pages: Buffer[] = []
beforeAll(async () => {
  pages = await Promise.all(COLOURS.map((colour) => mockPage(colour)))
})

let scanners: MockEsclScanner[] = []
async function mockScanner(options: MockEsclOptions): Promise<MockEsclScanner> {
  const scanner = await startMockEsclScanner(options)
  scanners.push(scanner)
  return scanner
}
afterEach(async () => {
  await Promise.all(scanners.map((scanner) => scanner.close()))
  scanners = []
})

const settings = (overrides: Partial<ScanSettings> = {}): ScanSettings => ({ source: 'platen', duplex: false, colorMode: 'color', dpi: 100, ...overrides })

async function scanAll(scanner: EsclScanner, scanSettings: ScanSettings, controller = new AbortController(), onPage?: (page: ScannedPage, index: number) => void): Promise<ScannedPage[]> {
  const received: ScannedPage[] = []
  await scanner.scan(scanSettings, (page) => {
    received.push(page)
    onPage?.(page, received.length - 1)
  }, controller.signal)
  return received
}

async function scanError(promise: Promise<unknown>): Promise<DocumentScanError> {
  const error = await promise.then(() => undefined, (reason: unknown) => reason)
  expect(error).toBeInstanceOf(DocumentScanError)
  return error as DocumentScanError
}

/** The page's colour: the mean of its channels, far from the dark block that covers a small part of it. */
async function meanColour(bytes: Uint8Array): Promise<number[]> {
  const stats = await sharp(bytes).stats()
  return stats.channels.slice(0, 3).map((channel) => channel.mean)
}

function nearestColourIndex(mean: number[]): number {
  const distance = (colour: (typeof COLOURS)[number]): number => Math.abs(colour.r - mean[0]!) + Math.abs(colour.g - mean[1]!) + Math.abs(colour.b - mean[2]!)
  return COLOURS.reduce((best, colour, index) => (distance(colour) < distance(COLOURS[best]!) ? index : best), 0)
}

describe('the eSCL client against the mock scanner', () => {
  it('reads the capabilities in our vocabulary: sources, modes, resolutions, area in mm', async () => {
    const mock = await mockScanner({ platen: pages[0]!, feeder: [] })
    expect(await new EsclScanner(mock.url, TEST_TIMINGS).capabilities()).toEqual({
      sources: ['platen', 'feeder', 'feederDuplex'],
      colorModes: ['color', 'gray', 'bw'],
      resolutions: [75, 100, 150, 200, 300, 600],
      maxWidthMm: 215.9,
      maxHeightMm: 297,
    })
    expect(await new EsclScanner(mock.url, TEST_TIMINGS).status()).toEqual({ state: 'Idle', adfState: 'ScannerAdfEmpty' })
  })

  it('scans the glass: one JPEG page of an A4 region at the resolution asked for, then the job ends at 404', async () => {
    const mock = await mockScanner({ platen: pages[0]! })
    const received = await scanAll(new EsclScanner(mock.url, TEST_TIMINGS), settings({ dpi: 150 }))
    expect(received).toHaveLength(1)
    expect(received[0]).toMatchObject({ mime: 'image/jpeg', dpi: 150 })
    const metadata = await sharp(received[0]!.bytes).metadata()
    // A4 is 2480 x 3508 in 1/300 inch; the mock's glass is Letter wide (2550), so the width is A4's.
    expect({ width: metadata.width, height: metadata.height, format: metadata.format, channels: metadata.channels }).toEqual({ width: 1240, height: 1754, format: 'jpeg', channels: 3 })
    expect(nearestColourIndex(await meanColour(received[0]!.bytes))).toBe(0)
    expect(mock.jobs).toEqual([
      expect.objectContaining({ inputSource: 'Platen', colorMode: 'RGB24', format: 'image/jpeg', resolution: 150, duplex: false, region: { x: 0, y: 0, width: 2480, height: MOCK_MAX_HEIGHT_300THS } }),
    ])
    const nextDocuments = mock.requests.filter((request) => request.path.endsWith('/NextDocument'))
    expect(nextDocuments).toHaveLength(2)
    expect(mock.requests.some((request) => request.method === 'DELETE')).toBe(false)
  })

  it('cuts the A4 region out of the glass: a mark on the glass beyond A4 is not on the page', async () => {
    // The glass drawn at 60 dpi (1/5 of its 1/300 inch lengths): white, with a black strip from 2500/300 inch, past A4's 2480.
    const glassPx = { width: MOCK_MAX_WIDTH_300THS / 5, height: Math.floor(MOCK_MAX_HEIGHT_300THS / 5) }
    const mark = await sharp({ create: { width: glassPx.width - 500, height: glassPx.height, channels: 3, background: '#000000' } }).png().toBuffer()
    const glass = await sharp({ create: { ...glassPx, channels: 3, background: '#ffffff' } })
      .composite([{ input: mark, left: 500, top: 0 }])
      .png()
      .toBuffer()
    const mock = await mockScanner({ platen: glass })
    const [page] = await scanAll(new EsclScanner(mock.url, TEST_TIMINGS), settings({ dpi: 150, colorMode: 'gray' }))
    expect((await sharp(page!.bytes).stats()).channels[0]!.min).toBeGreaterThan(200)
  })

  it('takes the whole width and length from the feeder', async () => {
    const mock = await mockScanner({ feeder: [{ front: pages[0]! }] })
    await scanAll(new EsclScanner(mock.url, TEST_TIMINGS), settings({ source: 'feeder', dpi: 75 }))
    expect(mock.jobs[0]!.region).toEqual({ x: 0, y: 0, width: MOCK_MAX_WIDTH_300THS, height: MOCK_MAX_HEIGHT_300THS })
  })

  it('takes the nearest resolution at or above the one asked for, and grey for black-and-white', async () => {
    const mock = await mockScanner({ platen: pages[1]! })
    const [page] = await scanAll(new EsclScanner(mock.url, TEST_TIMINGS), settings({ dpi: 120, colorMode: 'bw' }))
    expect(page!.dpi).toBe(150)
    expect(mock.jobs[0]).toMatchObject({ colorMode: 'Grayscale8', resolution: 150 })
    expect((await sharp(page!.bytes).metadata()).channels).toBe(1)
  })

  it('scans a feeder of 5 sheets: 5 pages, in order', async () => {
    const mock = await mockScanner({ feeder: pages.map((front) => ({ front })) })
    const received = await scanAll(new EsclScanner(mock.url, TEST_TIMINGS), settings({ source: 'feeder', dpi: 75 }))
    expect(received).toHaveLength(5)
    expect(await Promise.all(received.map(async (page) => nearestColourIndex(await meanColour(page.bytes))))).toEqual([0, 1, 2, 3, 4])
    expect(mock.jobs[0]).toMatchObject({ inputSource: 'Feeder', duplex: false })
  })

  it('scans both sides of each sheet in duplex: front, back, front, back', async () => {
    const mock = await mockScanner({ feeder: [{ front: pages[0]!, back: pages[1]! }, { front: pages[2]! }] })
    const received = await scanAll(new EsclScanner(mock.url, TEST_TIMINGS), settings({ source: 'feeder', duplex: true, dpi: 75 }))
    expect(received).toHaveLength(4)
    const colours = await Promise.all(received.map((page) => meanColour(page.bytes)))
    expect([nearestColourIndex(colours[0]!), nearestColourIndex(colours[1]!), nearestColourIndex(colours[2]!)]).toEqual([0, 1, 2])
    // The second sheet has nothing on its back: white.
    expect(Math.min(...colours[3]!)).toBeGreaterThan(240)
    expect(mock.jobs[0]).toMatchObject({ inputSource: 'Feeder', duplex: true })
    expect(mock.requests.find((request) => request.method === 'POST')!.body).toContain('<scan:Duplex>true</scan:Duplex>')
  })

  it('stops a feeder job when cancelled mid-way: no more pages, and the job is deleted on the scanner', async () => {
    const mock = await mockScanner({ feeder: pages.map((front) => ({ front })) })
    const controller = new AbortController()
    const received: ScannedPage[] = []
    const failure = await scanError(
      new EsclScanner(mock.url, TEST_TIMINGS).scan(settings({ source: 'feeder', dpi: 75 }), (page) => {
        received.push(page)
        if (received.length === 2) controller.abort()
      }, controller.signal),
    )
    expect(failure.code).toBe('cancelled')
    expect(received).toHaveLength(2)
    const jobPath = new URL(String(mock.requests.find((request) => request.method === 'DELETE')?.path), 'http://x').pathname
    expect(jobPath).toMatch(/^\/eSCL\/ScanJobs\/[0-9a-f-]+$/)
    expect(mock.requests.filter((request) => request.path.endsWith('/NextDocument'))).toHaveLength(2)
  })

  it('waits while the scanner answers 503 (busy), then scans when it is ready', async () => {
    const mock = await mockScanner({ platen: pages[2]!, busyBeforeJob: 2, busyBeforePage: 3 })
    const received = await scanAll(new EsclScanner(mock.url, TEST_TIMINGS), settings())
    expect(received).toHaveLength(1)
    expect(mock.requests.filter((request) => request.method === 'POST')).toHaveLength(3)
    expect(mock.requests.filter((request) => request.path.endsWith('/NextDocument'))).toHaveLength(3 + 1 + 1)
  })

  it('gives up with scannerBusy when the scanner stays busy, and deletes the job', async () => {
    const mock = await mockScanner({ platen: pages[2]!, busyBeforePage: 1000 })
    expect((await scanError(scanAll(new EsclScanner(mock.url, TEST_TIMINGS), settings()))).code).toBe('scannerBusy')
    expect(mock.requests.some((request) => request.method === 'DELETE')).toBe(true)
  })

  it('says feederEmpty when the feeder has no paper', async () => {
    const mock = await mockScanner({ feeder: [] })
    const failure = await scanError(scanAll(new EsclScanner(mock.url, TEST_TIMINGS), settings({ source: 'feeder' })))
    expect(failure.code).toBe('feederEmpty')
  })

  it('refuses a source the scanner does not have', async () => {
    const mock = await mockScanner({ platen: pages[0]! })
    expect((await scanError(scanAll(new EsclScanner(mock.url, TEST_TIMINGS), settings({ source: 'feeder' })))).code).toBe('unsupportedSettings')
    expect(mock.requests.some((request) => request.method === 'POST')).toBe(false)
  })

  it('reports malformed capabilities as badResponse', async () => {
    const malformed = [
      '<scan:ScannerCapabilities xmlns:scan="x"><scan:Platen>',
      '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><scan:ScannerCapabilities>&e;</scan:ScannerCapabilities>',
      '<html><body>Login required</body></html>',
      '<scan:ScannerCapabilities xmlns:scan="x"><scan:Platen><scan:PlatenInputCaps><scan:MaxWidth>wide</scan:MaxWidth></scan:PlatenInputCaps></scan:Platen></scan:ScannerCapabilities>',
      '<scan:ScannerCapabilities xmlns:scan="x"><pwg:MakeAndModel xmlns:pwg="y">No sources</pwg:MakeAndModel></scan:ScannerCapabilities>',
      '',
    ]
    for (const capabilitiesXml of malformed) {
      const mock = await mockScanner({ platen: pages[0]!, capabilitiesXml })
      const failure = await scanError(new EsclScanner(mock.url, TEST_TIMINGS).capabilities())
      expect(failure.code, capabilitiesXml).toBe('badResponse')
      expect(mock.requests.some((request) => request.method === 'POST')).toBe(false)
    }
  })

  it('reports a NextDocument that is not an image as badResponse, and deletes the job', async () => {
    const mock = await mockScanner({ platen: pages[0]!, notAnImage: true })
    const failure = await scanError(scanAll(new EsclScanner(mock.url, TEST_TIMINGS), settings()))
    expect(failure.code).toBe('badResponse')
    expect(failure.message).toContain('not a JPEG or PNG')
    expect(mock.requests.some((request) => request.method === 'DELETE')).toBe(true)
  })

  it('reports a refused connection as unreachable', async () => {
    const port = await closedPort()
    const scanner = new EsclScanner(`http://127.0.0.1:${port}/eSCL`, TEST_TIMINGS)
    expect((await scanError(scanner.capabilities())).code).toBe('unreachable')
    expect((await scanError(scanAll(scanner, settings()))).code).toBe('unreachable')
  })

  it('gives up on a scanner that takes the request and never answers: timeout', async () => {
    const impatient: EsclTimings = { ...TEST_TIMINGS, requestIdleMs: 300, pageIdleMs: 300 }
    const hangsOnCapabilities = await mockScanner({ platen: pages[0]!, hang: 'capabilities' })
    expect((await scanError(new EsclScanner(hangsOnCapabilities.url, impatient).capabilities())).code).toBe('timeout')
    const hangsOnPage = await mockScanner({ platen: pages[0]!, hang: 'nextDocument' })
    expect((await scanError(scanAll(new EsclScanner(hangsOnPage.url, impatient), settings()))).code).toBe('timeout')
    expect(hangsOnPage.requests.some((request) => request.method === 'DELETE')).toBe(true)
  })

  it('is cancelled while waiting for a hanging scanner, without waiting for the timeout', async () => {
    const mock = await mockScanner({ platen: pages[0]!, hang: 'nextDocument' })
    const controller = new AbortController()
    const scanning = scanAll(new EsclScanner(mock.url, { ...TEST_TIMINGS, pageIdleMs: 600_000 }), settings(), controller)
    while (!mock.requests.some((request) => request.path.endsWith('/NextDocument'))) await new Promise((resolve) => setTimeout(resolve, 5))
    controller.abort()
    expect((await scanError(scanning)).code).toBe('cancelled')
  })
})

describe('eSCL capabilities from other scanners', () => {
  it('reads a resolution range, a feeder described once with the Duplex option, and grey-only modes', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<ns1:ScannerCapabilities xmlns:ns1="http://schemas.hp.com/imaging/escl/2011/05/03" xmlns:ns2="http://www.pwg.org/schemas/2010/12/sm">
  <ns2:MakeAndModel>Brother &amp; Co MFC</ns2:MakeAndModel>
  <ns1:Adf><ns1:AdfSimplexInputCaps>
    <ns1:MinWidth>300</ns1:MinWidth><ns1:MaxWidth>2550</ns1:MaxWidth><ns1:MinHeight>300</ns1:MinHeight><ns1:MaxHeight>4200</ns1:MaxHeight>
    <ns1:SettingProfiles><ns1:SettingProfile>
      <ns1:ColorModes><ns1:ColorMode>Grayscale8</ns1:ColorMode><ns1:ColorMode>BlackAndWhite1</ns1:ColorMode></ns1:ColorModes>
      <ns1:DocumentFormats><ns2:DocumentFormat>application/pdf</ns2:DocumentFormat><ns2:DocumentFormat>image/jpeg</ns2:DocumentFormat></ns1:DocumentFormats>
      <ns1:SupportedResolutions><ns1:ResolutionRange>
        <ns1:XResolutionRange><ns1:Min>100</ns1:Min><ns1:Max>600</ns1:Max><ns1:Step>100</ns1:Step></ns1:XResolutionRange>
        <ns1:YResolutionRange><ns1:Min>100</ns1:Min><ns1:Max>600</ns1:Max><ns1:Step>100</ns1:Step></ns1:YResolutionRange>
      </ns1:ResolutionRange></ns1:SupportedResolutions>
    </ns1:SettingProfile></ns1:SettingProfiles>
  </ns1:AdfSimplexInputCaps>
  <ns1:AdfOptions><ns1:AdfOption>Duplex</ns1:AdfOption></ns1:AdfOptions></ns1:Adf>
</ns1:ScannerCapabilities>`
    const capabilities = parseEsclCapabilities(xml)
    expect(capabilities.makeAndModel).toBe('Brother & Co MFC')
    expect(describeEsclCapabilities(capabilities)).toEqual({ sources: ['feeder', 'feederDuplex'], colorModes: ['gray', 'bw'], resolutions: [100, 200, 300, 400, 600], maxWidthMm: 215.9, maxHeightMm: 355.6 })
  })
})

describe('the address a technician types', () => {
  it('becomes the eSCL base URL', () => {
    expect(normalizeEsclAddress('192.168.1.20').href).toBe('http://192.168.1.20/eSCL')
    expect(normalizeEsclAddress(' http://192.168.1.20:8080/eSCL/ ').href).toBe('http://192.168.1.20:8080/eSCL')
    expect(normalizeEsclAddress('https://scanner.local/escl').href).toBe('https://scanner.local/escl')
  })

  it('is refused when it is not an http(s) address of a host', () => {
    for (const typed of ['ftp://192.168.1.20/eSCL', 'http://user:pass@192.168.1.20/eSCL', 'http://192.168.1.20/eSCL?x=1', 'http://', 'file:///etc/passwd', 'http://[::1']) {
      expect(() => normalizeEsclAddress(typed), typed).toThrow(MotcuaError)
    }
  })
})
