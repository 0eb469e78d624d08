import { performance } from 'node:perf_hooks'
import sharp from 'sharp'
import { parseEsclCapabilities } from '../../src/main/services/capture/scanners/escl-protocol'
import { EsclScanner } from '../../src/main/services/capture/scanners/escl-scanner'
import { SaneScanner } from '../../src/main/services/capture/scanners/sane-scanner'
import { fitPageForEvent } from '../../src/main/services/capture/scanners/scan-jobs'
import type { ScannedPage, ScanSettings } from '../../src/main/services/capture/scanners/scan-source'
import { mockPage, startMockEsclScanner } from '../helpers/mock-escl-scanner'
import { saneConfigDir, saneEnv } from '../helpers/sane-config'
import { figure, ms, percentile } from './stats'

async function timeScan(scan: (onPage: (page: ScannedPage) => void) => Promise<void>): Promise<{ totalMs: number; pages: number; bytes: number }> {
  let pages = 0
  let bytes = 0
  const start = performance.now()
  await scan((page) => {
    pages++
    bytes += page.bytes.byteLength
  })
  return { totalMs: performance.now() - start, pages, bytes }
}

/** Document scanners: our side of a scan (protocol, page hand-over), not the paper's trip through the scanner. */
export async function benchDocumentScanners(): Promise<void> {
  const sheets = await Promise.all([0, 1, 2, 3, 4].map((index) => mockPage({ r: 40 * index, g: 200, b: 120 })))
  const mock = await startMockEsclScanner({ platen: sheets[0]!, feeder: sheets.map((front) => ({ front })) })
  try {
    const xml = await (await fetch(`${mock.url}/ScannerCapabilities`)).text()
    const parses: number[] = []
    for (let run = 0; run < 500; run++) {
      const start = performance.now()
      parseEsclCapabilities(xml)
      parses.push(performance.now() - start)
    }
    figure(`eSCL capabilities parse (${(xml.length / 1024).toFixed(1)} KiB), p50`, ms(percentile(parses, 50)), '≤ 1 ms')

    const settings: ScanSettings = { source: 'feeder', duplex: false, colorMode: 'color', dpi: 300 }
    const escl = await timeScan((onPage) => new EsclScanner(mock.url).scan(settings, onPage, new AbortController().signal))
    figure('eSCL feeder, 5 A4 @300 dpi colour, per page (mock renders too)', ms(escl.totalMs / escl.pages))
    figure('eSCL page size (300 dpi colour JPEG)', `${(escl.bytes / escl.pages / 1024).toFixed(0)} KiB`, '≤ 6 MB per event')
  } finally {
    await mock.close()
  }

  const sane = new SaneScanner('test:0', { env: saneEnv(saneConfigDir({ 'dll.conf': 'test\n', 'test.conf': 'number_of_devices 1\ntest-picture "Color pattern"\ngeometry_max 210.0\n' })) })
  const saneRun = await timeScan((onPage) => sane.scan({ source: 'feeder', duplex: false, colorMode: 'gray', dpi: 150 }, onPage, new AbortController().signal))
  figure('SANE test backend feeder, 10 pages 150 dpi grey, per page', ms(saneRun.totalMs / saneRun.pages))

  // The worst page a SANE scanner hands over: A4 at 300 dpi in colour as PNG, noisy enough to exceed the event limit.
  const width = 2480
  const height = 3508
  const raw = Buffer.alloc(width * height * 3)
  let state = 88172645
  for (let index = 0; index < raw.length; index++) {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    raw[index] = 200 + ((state >>> 0) % 40)
  }
  const png = await sharp(raw, { raw: { width, height, channels: 3 } }).png().toBuffer()
  const start = performance.now()
  const fitted = await fitPageForEvent({ bytes: png, mime: 'image/png', dpi: 300 })
  figure(`A4 300 dpi colour PNG ${(png.byteLength / 1e6).toFixed(1)} MB → JPEG ${(fitted.bytes.byteLength / 1e6).toFixed(1)} MB`, ms(performance.now() - start))
}
