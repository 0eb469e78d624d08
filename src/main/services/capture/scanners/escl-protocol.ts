import { A4_INCHES } from '../../../../shared/capture/geometry'
import type { DocumentScannerCapabilities, ScanSource } from '../../../../shared/contract/document-scanner-schemas'
import { DocumentScanError } from './scanner-errors'
import { chooseResolution, resolutionsInRange, scannerColorMode, type ScanSettings } from './scan-source'
import { childNamed, childrenNamed, escapeXmlText, parseXml, textAt, XmlError, type XmlElement } from './xml-reader'

/**
 * The documents of the Mopria eSCL protocol (AirScan): the scanner's capabilities and status, which it
 * sends, and the scan settings, which we send. Pure: no I/O. Lengths are in 1/300 inch, as eSCL counts them.
 */

export const ESCL_NAMESPACE = 'http://schemas.hp.com/imaging/escl/2011/05/03'
export const PWG_NAMESPACE = 'http://www.pwg.org/schemas/2010/12/sm'

export type EsclColorMode = 'RGB24' | 'Grayscale8' | 'BlackAndWhite1'
const ESCL_COLOR_MODES: readonly EsclColorMode[] = ['RGB24', 'Grayscale8', 'BlackAndWhite1']

/** The page formats we take: the ones processPage decodes. PDF is left alone, it would need a rasterizer. */
export type EsclImageFormat = 'image/jpeg' | 'image/png'

export interface EsclInputCaps {
  readonly minWidth: number
  readonly maxWidth: number
  readonly minHeight: number
  readonly maxHeight: number
  readonly colorModes: readonly EsclColorMode[]
  readonly formats: readonly EsclImageFormat[]
  /** The scanner lists scan:DocumentFormatExt (eSCL 2.1+), so the settings carry it too. */
  readonly documentFormatExt: boolean
  readonly resolutions: readonly number[]
}

export interface EsclCapabilities {
  readonly makeAndModel: string
  readonly platen?: EsclInputCaps
  readonly adfSimplex?: EsclInputCaps
  readonly adfDuplex?: EsclInputCaps
}

export interface EsclStatus {
  /** Idle, Processing, Testing, Stopped, Down. */
  readonly state: string
  readonly adfState?: string
}

/** The longest length we believe, in 1/300 inch: 10 m of paper. */
const MAX_LENGTH_300THS = 118_110
const MAX_RESOLUTION = 9600

function badResponse(message: string, cause?: unknown): DocumentScanError {
  return new DocumentScanError('badResponse', message, cause === undefined ? undefined : { cause })
}

function parseDocument(bytes: Uint8Array | string, rootName: string): XmlElement {
  let root: XmlElement
  try {
    root = parseXml(bytes)
  } catch (error) {
    if (error instanceof XmlError) throw badResponse(`${rootName}: ${error.message}`, error)
    throw error
  }
  if (root.name !== rootName) throw badResponse(`Expected ${rootName}, got ${root.qualifiedName}`)
  return root
}

function unsignedAt(element: XmlElement, name: string, max: number, fallback?: number): number {
  const text = textAt(element, name)
  if (text === undefined) {
    if (fallback !== undefined) return fallback
    throw badResponse(`${element.name} has no ${name}`)
  }
  if (!/^\d{1,9}$/.test(text) || Number(text) > max) throw badResponse(`${element.name}/${name} is not a whole number up to ${max}: ${JSON.stringify(text.slice(0, 40))}`)
  return Number(text)
}

function parseResolutions(profile: XmlElement): number[] {
  const supported = childNamed(profile, 'SupportedResolutions')
  if (!supported) return []
  const discrete = childrenNamed(childNamed(supported, 'DiscreteResolutions') ?? supported, 'DiscreteResolution').flatMap((resolution) => {
    const x = unsignedAt(resolution, 'XResolution', MAX_RESOLUTION)
    const y = unsignedAt(resolution, 'YResolution', MAX_RESOLUTION, x)
    // Pages must have square pixels for processPage: a 300 x 600 mode is left out.
    return x === y && x > 0 ? [x] : []
  })
  const range = childNamed(supported, 'ResolutionRange')
  const xRange = range && childNamed(range, 'XResolutionRange')
  if (discrete.length === 0 && xRange) {
    const min = unsignedAt(xRange, 'Min', MAX_RESOLUTION)
    const max = unsignedAt(xRange, 'Max', MAX_RESOLUTION)
    if (min > max || max === 0) throw badResponse(`Resolution range ${min}..${max} is empty`)
    return resolutionsInRange(min, max, unsignedAt(xRange, 'Step', MAX_RESOLUTION, 1))
  }
  return discrete
}

function parseInputCaps(caps: XmlElement): EsclInputCaps {
  const colorModes = new Set<EsclColorMode>()
  const formats = new Set<EsclImageFormat>()
  const resolutions = new Set<number>()
  let documentFormatExt = false
  for (const profile of childrenNamed(childNamed(caps, 'SettingProfiles') ?? caps, 'SettingProfile')) {
    for (const mode of childrenNamed(childNamed(profile, 'ColorModes') ?? profile, 'ColorMode')) {
      const value = mode.text.trim()
      if ((ESCL_COLOR_MODES as readonly string[]).includes(value)) colorModes.add(value as EsclColorMode)
    }
    for (const format of childNamed(profile, 'DocumentFormats')?.children ?? []) {
      if (format.name !== 'DocumentFormat' && format.name !== 'DocumentFormatExt') continue
      const value = format.text.trim().toLowerCase()
      if (value === 'image/jpeg' || value === 'image/png') formats.add(value)
      if (format.name === 'DocumentFormatExt') documentFormatExt = true
    }
    for (const dpi of parseResolutions(profile)) resolutions.add(dpi)
  }
  const minWidth = unsignedAt(caps, 'MinWidth', MAX_LENGTH_300THS, 1)
  const maxWidth = unsignedAt(caps, 'MaxWidth', MAX_LENGTH_300THS)
  const minHeight = unsignedAt(caps, 'MinHeight', MAX_LENGTH_300THS, 1)
  const maxHeight = unsignedAt(caps, 'MaxHeight', MAX_LENGTH_300THS)
  if (maxWidth === 0 || maxHeight === 0 || minWidth > maxWidth || minHeight > maxHeight) throw badResponse(`${caps.name}: impossible scan area ${minWidth}..${maxWidth} x ${minHeight}..${maxHeight}`)
  if (colorModes.size === 0) throw badResponse(`${caps.name}: no colour mode we know`)
  if (resolutions.size === 0) throw badResponse(`${caps.name}: no square resolution`)
  return { minWidth, maxWidth, minHeight, maxHeight, colorModes: [...colorModes], formats: [...formats], documentFormatExt, resolutions: [...resolutions].sort((a, b) => a - b) }
}

/** Parses GET /eSCL/ScannerCapabilities. Throws DocumentScanError('badResponse') for anything that is not one. */
export function parseEsclCapabilities(bytes: Uint8Array | string): EsclCapabilities {
  const root = parseDocument(bytes, 'ScannerCapabilities')
  const platenCaps = childNamed(childNamed(root, 'Platen') ?? root, 'PlatenInputCaps')
  const adf = childNamed(root, 'Adf')
  const simplexCaps = adf && childNamed(adf, 'AdfSimplexInputCaps')
  const duplexCaps = adf && childNamed(adf, 'AdfDuplexInputCaps')
  // Many scanners describe one feeder and say it turns pages over with an AdfOption.
  const duplexByOption = adf !== undefined && childrenNamed(childNamed(adf, 'AdfOptions') ?? adf, 'AdfOption').some((option) => option.text.trim() === 'Duplex')
  const platen = platenCaps && parseInputCaps(platenCaps)
  const adfSimplex = simplexCaps && parseInputCaps(simplexCaps)
  const adfDuplex = duplexCaps ? parseInputCaps(duplexCaps) : duplexByOption ? adfSimplex : undefined
  if (!platen && !adfSimplex) throw badResponse('ScannerCapabilities: neither a platen nor a feeder')
  const makeAndModel = textAt(root, 'MakeAndModel') || textAt(root, 'ModelName') || 'eSCL scanner'
  return { makeAndModel: makeAndModel.slice(0, 200), ...(platen && { platen }), ...(adfSimplex && { adfSimplex }), ...(adfDuplex && { adfDuplex }) }
}

/** Parses GET /eSCL/ScannerStatus. */
export function parseEsclStatus(bytes: Uint8Array | string): EsclStatus {
  const root = parseDocument(bytes, 'ScannerStatus')
  const state = textAt(root, 'State')
  if (!state) throw badResponse('ScannerStatus has no State')
  const adfState = textAt(root, 'AdfState')
  return { state, ...(adfState && { adfState }) }
}

/** The caps of the source these settings use. */
function inputCapsFor(capabilities: EsclCapabilities, settings: Pick<ScanSettings, 'source' | 'duplex'>): EsclInputCaps | undefined {
  if (settings.source === 'platen') return capabilities.platen
  return settings.duplex ? capabilities.adfDuplex : capabilities.adfSimplex
}

const mmFrom300ths = (length: number): number => Math.round((length / 300) * 254) / 10

/** What the clerk's screen is told: our vocabulary, not eSCL's. */
export function describeEsclCapabilities(capabilities: EsclCapabilities): DocumentScannerCapabilities {
  const sources: [ScanSource, EsclInputCaps | undefined][] = [
    ['platen', capabilities.platen],
    ['feeder', capabilities.adfSimplex],
    ['feederDuplex', capabilities.adfDuplex],
  ]
  const present = sources.filter((entry): entry is [ScanSource, EsclInputCaps] => entry[1] !== undefined)
  const all = present.map(([, caps]) => caps)
  const modes = new Set(all.flatMap((caps) => caps.colorModes))
  // Colour pages can be made grey and black-and-white by processPage; grey pages cannot be made colour.
  const colorModes = modes.has('RGB24') ? (['color', 'gray', 'bw'] as const) : modes.has('Grayscale8') ? (['gray', 'bw'] as const) : (['bw'] as const)
  return {
    sources: present.map(([source]) => source),
    colorModes: [...colorModes],
    resolutions: [...new Set(all.flatMap((caps) => caps.resolutions))].sort((a, b) => a - b).slice(0, 64),
    maxWidthMm: mmFrom300ths(Math.max(...all.map((caps) => caps.maxWidth))),
    maxHeightMm: mmFrom300ths(Math.max(...all.map((caps) => caps.maxHeight))),
  }
}

export interface EsclJobRequest {
  readonly inputSource: 'Platen' | 'Feeder'
  readonly duplex: boolean
  readonly colorMode: EsclColorMode
  readonly format: EsclImageFormat
  readonly documentFormatExt: boolean
  readonly resolution: number
  /** The scan region from the top-left corner, in 1/300 inch: A4 on the glass, the whole width and length from the feeder. */
  readonly width: number
  readonly height: number
}

/** A4 in 1/300 inch, portrait, as papers lie on the glass against its corner. */
const A4_300THS = { width: Math.round(A4_INCHES.short * 300), height: Math.round(A4_INCHES.long * 300) } as const

/** Turns the clerk's settings into an eSCL job for this scanner, or says why it cannot. */
export function planEsclJob(capabilities: EsclCapabilities, settings: ScanSettings): EsclJobRequest {
  const caps = inputCapsFor(capabilities, settings)
  if (!caps) throw new DocumentScanError('unsupportedSettings', `The scanner has no ${settings.source}${settings.duplex ? ' duplex' : ''} source`)
  const wanted = scannerColorMode(settings.colorMode)
  const colorMode = wanted === 'color' ? (caps.colorModes.includes('RGB24') ? 'RGB24' : undefined) : caps.colorModes.includes('Grayscale8') ? 'Grayscale8' : caps.colorModes.includes('RGB24') ? 'RGB24' : 'BlackAndWhite1'
  if (!colorMode || (colorMode === 'BlackAndWhite1' && settings.colorMode !== 'bw')) throw new DocumentScanError('unsupportedSettings', `The scanner has no ${settings.colorMode} mode`)
  // JPEG first: a tenth of PNG's size for a colour page, and what every eSCL scanner offers.
  const format = caps.formats.includes('image/jpeg') ? 'image/jpeg' : caps.formats.includes('image/png') ? 'image/png' : undefined
  if (!format) throw new DocumentScanError('unsupportedSettings', 'The scanner offers neither JPEG nor PNG pages')
  return {
    inputSource: settings.source === 'platen' ? 'Platen' : 'Feeder',
    duplex: settings.duplex,
    colorMode,
    format,
    documentFormatExt: caps.documentFormatExt,
    resolution: chooseResolution(caps.resolutions, settings.dpi),
    // The glass is larger than A4: the whole bed would give a white-lid scan a margin of lid the page cannot tell from paper.
    width: settings.source === 'platen' ? Math.min(A4_300THS.width, caps.maxWidth) : caps.maxWidth,
    height: settings.source === 'platen' ? Math.min(A4_300THS.height, caps.maxHeight) : caps.maxHeight,
  }
}

/** The body of POST /eSCL/ScanJobs. */
export function scanSettingsXml(job: EsclJobRequest): string {
  const element = (name: string, value: string | number): string => `<${name}>${escapeXmlText(String(value))}</${name}>`
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<scan:ScanSettings xmlns:scan="${ESCL_NAMESPACE}" xmlns:pwg="${PWG_NAMESPACE}">`,
    element('pwg:Version', '2.0'),
    element('scan:Intent', 'Document'),
    '<pwg:ScanRegions><pwg:ScanRegion>',
    element('pwg:ContentRegionUnits', 'escl:ThreeHundredthsOfInches'),
    element('pwg:XOffset', 0),
    element('pwg:YOffset', 0),
    element('pwg:Width', job.width),
    element('pwg:Height', job.height),
    '</pwg:ScanRegion></pwg:ScanRegions>',
    element('pwg:InputSource', job.inputSource),
    element('scan:ColorMode', job.colorMode),
    element('pwg:DocumentFormat', job.format),
    job.documentFormatExt ? element('scan:DocumentFormatExt', job.format) : '',
    element('scan:XResolution', job.resolution),
    element('scan:YResolution', job.resolution),
    job.inputSource === 'Feeder' ? element('scan:Duplex', String(job.duplex)) : '',
    '</scan:ScanSettings>',
  ].join('')
}
