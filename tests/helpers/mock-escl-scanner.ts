import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import sharp from 'sharp'
import { childNamed, parseXml, textAt } from '../../src/main/services/capture/scanners/xml-reader'

/**
 * A network scanner speaking eSCL (AirScan) on 127.0.0.1, close enough to a real one that Debian's own
 * eSCL client (sane-airscan, through scanimage) scans from it. Pages are the given images scanned the way
 * a scanner would: each image covers the whole scan area (the glass, the feeder's width and length) and is
 * cut to the requested region at the requested resolution, in the requested colour mode and format. Knobs
 * make it misbehave the ways real scanners do.
 */

export interface MockSheet {
  readonly front: Uint8Array
  /** The other side; a white page when left out. */
  readonly back?: Uint8Array
}

export interface MockEsclOptions {
  /** The page on the glass. */
  readonly platen?: Uint8Array
  /** The sheets in the feeder, first on top; [] for an empty feeder. Without it the scanner has no feeder. */
  readonly feeder?: readonly MockSheet[]
  /** POST ScanJobs answers 503 this many times before it takes a job. */
  readonly busyBeforeJob?: number
  /** NextDocument answers 503 this many times before each page (the scanner warming up, scanning). */
  readonly busyBeforePage?: number
  /** The feeder never runs empty: its sheets come round again and again, as from a broken paper sensor. */
  readonly endlessFeeder?: boolean
  /** Served instead of the capabilities. */
  readonly capabilitiesXml?: string
  /** NextDocument serves an HTML error page with 200 OK, as some scanners' web servers do. */
  readonly notAnImage?: boolean
  /** Takes the request and never answers. */
  readonly hang?: 'capabilities' | 'nextDocument'
  /** The page formats it offers; JPEG and PNG when left out. */
  readonly formats?: readonly ('image/jpeg' | 'image/png')[]
}

export interface ReceivedRequest {
  readonly method: string
  readonly path: string
  readonly body: string
}

/** A scan region as posted, in 1/300 inch from the scan area's top-left corner. */
export interface MockScanRegion {
  readonly x: number
  readonly y: number
  readonly width: number
  readonly height: number
}

export interface MockJobSettings {
  readonly inputSource: string
  readonly colorMode: string
  readonly format: string
  readonly resolution: number
  readonly duplex: boolean
  readonly region: MockScanRegion
  readonly widthPx: number
  readonly heightPx: number
}

export interface MockEsclScanner {
  /** The eSCL root: http://127.0.0.1:PORT/eSCL */
  readonly url: string
  readonly port: number
  readonly requests: ReceivedRequest[]
  readonly jobs: MockJobSettings[]
  close(): Promise<void>
}

const NAMESPACES = 'xmlns:scan="http://schemas.hp.com/imaging/escl/2011/05/03" xmlns:pwg="http://www.pwg.org/schemas/2010/12/sm"'
const RESOLUTIONS = [75, 100, 150, 200, 300, 600]
/** US Letter wide, A4 long: what most office scanners' glass holds. */
export const MOCK_MAX_WIDTH_300THS = 2550
export const MOCK_MAX_HEIGHT_300THS = 3508

function inputCaps(tag: string, formats: readonly string[]): string {
  const resolutions = RESOLUTIONS.map((dpi) => `<scan:DiscreteResolution><scan:XResolution>${dpi}</scan:XResolution><scan:YResolution>${dpi}</scan:YResolution></scan:DiscreteResolution>`).join('')
  return `<scan:${tag}>
      <scan:MinWidth>16</scan:MinWidth><scan:MaxWidth>${MOCK_MAX_WIDTH_300THS}</scan:MaxWidth>
      <scan:MinHeight>16</scan:MinHeight><scan:MaxHeight>${MOCK_MAX_HEIGHT_300THS}</scan:MaxHeight>
      <scan:MaxScanRegions>1</scan:MaxScanRegions>
      <scan:SettingProfiles><scan:SettingProfile>
        <scan:ColorModes><scan:ColorMode>RGB24</scan:ColorMode><scan:ColorMode>Grayscale8</scan:ColorMode></scan:ColorModes>
        <scan:DocumentFormats>
          ${formats.map((format) => `<pwg:DocumentFormat>${format}</pwg:DocumentFormat><scan:DocumentFormatExt>${format}</scan:DocumentFormatExt>`).join('')}
        </scan:DocumentFormats>
        <scan:SupportedResolutions><scan:DiscreteResolutions>${resolutions}</scan:DiscreteResolutions></scan:SupportedResolutions>
      </scan:SettingProfile></scan:SettingProfiles>
      <scan:SupportedIntents><scan:Intent>Document</scan:Intent><scan:Intent>Photo</scan:Intent></scan:SupportedIntents>
      <scan:MaxOpticalXResolution>600</scan:MaxOpticalXResolution><scan:MaxOpticalYResolution>600</scan:MaxOpticalYResolution>
    </scan:${tag}>`
}

const DEFAULT_FORMATS = ['image/jpeg', 'image/png'] as const

function capabilitiesXml(options: MockEsclOptions): string {
  const formats = options.formats ?? DEFAULT_FORMATS
  const adf =
    options.feeder === undefined
      ? ''
      : `<scan:Adf>${inputCaps('AdfSimplexInputCaps', formats)}${inputCaps('AdfDuplexInputCaps', formats)}
      <scan:FeederCapacity>50</scan:FeederCapacity>
      <scan:AdfOptions><scan:AdfOption>DetectPaperLoaded</scan:AdfOption><scan:AdfOption>Duplex</scan:AdfOption></scan:AdfOptions>
    </scan:Adf>`
  return `<?xml version="1.0" encoding="UTF-8"?>
<scan:ScannerCapabilities ${NAMESPACES}>
  <pwg:Version>2.63</pwg:Version>
  <pwg:MakeAndModel>Mock eSCL Scanner</pwg:MakeAndModel>
  <pwg:SerialNumber>MOCK0001</pwg:SerialNumber>
  <scan:UUID>4509a320-00a0-008f-00b6-002507510eca</scan:UUID>
  ${options.platen === undefined ? '' : `<scan:Platen>${inputCaps('PlatenInputCaps', formats)}</scan:Platen>`}
  ${adf}
</scan:ScannerCapabilities>`
}

interface Job {
  readonly id: string
  readonly settings: MockJobSettings
  readonly pages: Uint8Array[]
  busyLeft: number
  deleted: boolean
}

/** A white sheet for a back left out. */
const WHITE_PAGE = sharp({ create: { width: 85, height: 110, channels: 3, background: '#ffffff' } }).png().toBuffer()

const pixelsAt = (length300ths: number, resolution: number): number => Math.floor((length300ths * resolution) / 300)

async function scanPage(image: Uint8Array, settings: MockJobSettings): Promise<Buffer> {
  const { region, resolution } = settings
  // The whole area at the resolution, then the region cut out of it: a region the size of the area is the whole image.
  const area = await sharp(image).resize(pixelsAt(MOCK_MAX_WIDTH_300THS, resolution), pixelsAt(MOCK_MAX_HEIGHT_300THS, resolution), { fit: 'fill' }).toBuffer()
  let page = sharp(area).extract({ left: pixelsAt(region.x, resolution), top: pixelsAt(region.y, resolution), width: settings.widthPx, height: settings.heightPx })
  if (settings.colorMode === 'Grayscale8') page = page.toColourspace('b-w')
  page = page.withDensity(settings.resolution)
  return settings.format === 'image/png' ? page.png().toBuffer() : page.jpeg({ quality: 85 }).toBuffer()
}

/** The scan settings a client posted, checked as strictly as a scanner does; undefined when they are wrong. */
function readSettings(body: string, options: MockEsclOptions): MockJobSettings | undefined {
  const root = parseXml(body)
  if (root.name !== 'ScanSettings') return undefined
  const inputSource = textAt(root, 'InputSource') ?? 'Platen'
  const colorMode = textAt(root, 'ColorMode') ?? 'RGB24'
  const format = textAt(root, 'DocumentFormatExt') ?? textAt(root, 'DocumentFormat') ?? 'image/jpeg'
  const resolution = Number(textAt(root, 'XResolution') ?? '300')
  const duplex = textAt(root, 'Duplex') === 'true'
  if (!['Platen', 'Feeder'].includes(inputSource) || !['RGB24', 'Grayscale8'].includes(colorMode) || !(options.formats ?? DEFAULT_FORMATS).includes(format as 'image/jpeg')) return undefined
  if (!RESOLUTIONS.includes(resolution) || Number(textAt(root, 'YResolution') ?? resolution) !== resolution) return undefined
  if ((inputSource === 'Platen' && options.platen === undefined) || (inputSource === 'Feeder' && options.feeder === undefined)) return undefined
  const regionXml = childNamed(childNamed(root, 'ScanRegions') ?? root, 'ScanRegion')
  const length = (name: string, fallback: number): number => Number((regionXml && textAt(regionXml, name)) ?? fallback)
  const region = { x: length('XOffset', 0), y: length('YOffset', 0), width: length('Width', MOCK_MAX_WIDTH_300THS), height: length('Height', MOCK_MAX_HEIGHT_300THS) }
  const inArea = (offset: number, size: number, max: number): boolean => Number.isInteger(offset) && Number.isInteger(size) && offset >= 0 && size > 0 && offset + size <= max
  if (!inArea(region.x, region.width, MOCK_MAX_WIDTH_300THS) || !inArea(region.y, region.height, MOCK_MAX_HEIGHT_300THS)) return undefined
  const widthPx = pixelsAt(region.width, resolution)
  const heightPx = pixelsAt(region.height, resolution)
  if (widthPx === 0 || heightPx === 0) return undefined
  return { inputSource, colorMode, format, resolution, duplex, region, widthPx, heightPx }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

export async function startMockEsclScanner(options: MockEsclOptions): Promise<MockEsclScanner> {
  const requests: ReceivedRequest[] = []
  const jobs = new Map<string, Job>()
  const jobSettings: MockJobSettings[] = []
  let busyBeforeJob = options.busyBeforeJob ?? 0
  let port = 0

  const statusXml = (): string => {
    const processing = [...jobs.values()].some((job) => !job.deleted && job.pages.length > 0)
    const adfState = options.feeder === undefined ? '' : `<scan:AdfState>${options.feeder.length > 0 ? 'ScannerAdfLoaded' : 'ScannerAdfEmpty'}</scan:AdfState>`
    const jobInfo = [...jobs.values()]
      .map((job) => `<scan:JobInfo><pwg:JobUri>/eSCL/ScanJobs/${job.id}</pwg:JobUri><pwg:JobUuid>${job.id}</pwg:JobUuid><pwg:JobState>${job.deleted ? 'Canceled' : job.pages.length > 0 ? 'Processing' : 'Completed'}</pwg:JobState></scan:JobInfo>`)
      .join('')
    return `<?xml version="1.0" encoding="UTF-8"?><scan:ScannerStatus ${NAMESPACES}><pwg:Version>2.63</pwg:Version><pwg:State>${processing ? 'Processing' : 'Idle'}</pwg:State>${adfState}<scan:Jobs>${jobInfo}</scan:Jobs></scan:ScannerStatus>`
  }

  const sendXml = (response: ServerResponse, status: number, xml: string): void => {
    response.writeHead(status, { 'Content-Type': 'text/xml', 'Content-Length': Buffer.byteLength(xml) }).end(xml)
  }

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const body = await readBody(request)
    const path = new URL(request.url ?? '/', 'http://mock').pathname
    requests.push({ method: request.method ?? '', path, body })
    const jobMatch = /^\/eSCL\/ScanJobs\/([0-9a-f-]+)(\/NextDocument)?$/.exec(path)
    if (request.method === 'GET' && path === '/eSCL/ScannerCapabilities') {
      if (options.hang === 'capabilities') return
      return sendXml(response, 200, options.capabilitiesXml ?? capabilitiesXml(options))
    }
    if (request.method === 'GET' && path === '/eSCL/ScannerStatus') return sendXml(response, 200, statusXml())
    if (request.method === 'POST' && path === '/eSCL/ScanJobs') {
      if (busyBeforeJob > 0) {
        busyBeforeJob--
        return void response.writeHead(503, { 'Retry-After': '1', 'Content-Length': 0 }).end()
      }
      const settings = readSettings(body, options)
      if (!settings) return void response.writeHead(409, { 'Content-Length': 0 }).end()
      if (settings.inputSource === 'Feeder' && options.feeder!.length === 0) return void response.writeHead(409, { 'Content-Length': 0 }).end()
      const pages =
        settings.inputSource === 'Platen'
          ? [options.platen!]
          : options.feeder!.flatMap((sheet) => (settings.duplex ? [sheet.front, sheet.back ?? WHITE_PAGE] : [sheet.front]))
      const id = randomUUID()
      jobs.set(id, { id, settings, pages: await Promise.all(pages), busyLeft: options.busyBeforePage ?? 0, deleted: false })
      jobSettings.push(settings)
      return void response.writeHead(201, { Location: `http://127.0.0.1:${port}/eSCL/ScanJobs/${id}`, 'Content-Length': 0 }).end()
    }
    const job = jobMatch ? jobs.get(jobMatch[1]!) : undefined
    if (request.method === 'GET' && jobMatch?.[2] && job) {
      if (options.hang === 'nextDocument') return
      if (job.deleted || job.pages.length === 0) return void response.writeHead(404, { 'Content-Length': 0 }).end()
      if (job.busyLeft > 0) {
        job.busyLeft--
        return void response.writeHead(503, { 'Retry-After': '1', 'Content-Length': 0 }).end()
      }
      job.busyLeft = options.busyBeforePage ?? 0
      const image = job.pages.shift()!
      if (options.endlessFeeder && job.settings.inputSource === 'Feeder') job.pages.push(image)
      if (options.notAnImage) {
        const html = '<html><body>Internal error</body></html>'
        return void response.writeHead(200, { 'Content-Type': 'text/html', 'Content-Length': Buffer.byteLength(html) }).end(html)
      }
      const page = await scanPage(image, job.settings)
      return void response.writeHead(200, { 'Content-Type': job.settings.format, 'Content-Length': page.byteLength }).end(page)
    }
    if (request.method === 'DELETE' && jobMatch && !jobMatch[2] && job) {
      job.deleted = true
      job.pages.length = 0
      return void response.writeHead(200, { 'Content-Length': 0 }).end()
    }
    response.writeHead(404, { 'Content-Length': 0 }).end()
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'Content-Type': 'text/plain' })
      response.end(String(error))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}/eSCL`,
    port,
    requests,
    jobs: jobSettings,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** A page to scan: a coloured sheet with a dark block, so pages are told apart by their mean colour. */
export function mockPage(colour: { r: number; g: number; b: number }): Promise<Buffer> {
  const block = sharp({ create: { width: 400, height: 120, channels: 3, background: '#202020' } }).png()
  return block.toBuffer().then((overlay) =>
    sharp({ create: { width: 850, height: 1100, channels: 3, background: colour } })
      .composite([{ input: overlay, left: 200, top: 150 }])
      .png()
      .toBuffer(),
  )
}
