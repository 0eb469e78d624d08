import { kindOfFile } from '../../../../shared/capture/file-kinds'
import { MotcuaError } from '../../../../shared/contract/dispatch'
import type { DocumentScannerCapabilities } from '../../../../shared/contract/document-scanner-schemas'
import { httpExchange, type HttpReply } from './escl-http'
import { describeEsclCapabilities, parseEsclCapabilities, parseEsclStatus, planEsclJob, scanSettingsXml, type EsclCapabilities, type EsclStatus } from './escl-protocol'
import { DocumentScanError } from './scanner-errors'
import { sleep, throwIfCancelled, type DocumentScanSource, type PageSink, type ScannedPage, type ScanSettings } from './scan-source'

export interface EsclTimings {
  /** Longest silence for capabilities, status, creating and deleting a job. */
  readonly requestIdleMs: number
  /** Longest silence while a page is scanned and sent: a slow scanner at 600 dpi takes most of a minute. */
  readonly pageIdleMs: number
  /** The first wait after a 503 (busy); it doubles up to 4 s. */
  readonly busyFirstDelayMs: number
  /** How long a scanner may stay busy before the job gives up. */
  readonly busyGiveUpMs: number
}

export const DEFAULT_ESCL_TIMINGS: EsclTimings = { requestIdleMs: 10_000, pageIdleMs: 120_000, busyFirstDelayMs: 500, busyGiveUpMs: 60_000 }

const MAX_XML_BYTES = 1024 * 1024
/** A page as read from the wire; pages above the event limit are re-encoded afterwards. */
const MAX_PAGE_WIRE_BYTES = 96 * 1024 * 1024
const MAX_BUSY_DELAY_MS = 4_000

/**
 * The scanner's base URL from what a technician typed: http(s)://host[:port][/path], or only a host, which
 * means http://host/eSCL. The path is kept as typed (some scanners serve eSCL elsewhere), without a trailing slash.
 */
export function normalizeEsclAddress(typed: string): URL {
  const text = typed.trim()
  let url: URL
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`)
  } catch {
    throw new MotcuaError('invalidInput', `Not a scanner address: ${JSON.stringify(text.slice(0, 100))}`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new MotcuaError('invalidInput', `A scanner address is http:// or https://, not ${url.protocol}`)
  if (url.username || url.password || url.search || url.hash || !url.hostname) throw new MotcuaError('invalidInput', 'A scanner address has no user name, password, query or fragment')
  const path = url.pathname.replace(/\/+$/, '')
  return new URL(`${url.origin}${path === '' ? '/eSCL' : path}`)
}

/** A page as a scanner may send it: JPEG or PNG (the formats asked for), nothing else. */
function pageMime(bytes: Uint8Array): ScannedPage['mime'] | undefined {
  const kind = kindOfFile(bytes)
  return kind === 'jpeg' ? 'image/jpeg' : kind === 'png' ? 'image/png' : undefined
}

/** What a scanner's status says about a feeder that produced nothing, or a job that failed. */
function codeFromStatus(status: EsclStatus): DocumentScanError['code'] | undefined {
  switch (status.adfState) {
    case 'ScannerAdfEmpty':
      return 'feederEmpty'
    case 'ScannerAdfJam':
    case 'ScannerAdfMispick':
    case 'ScannerAdfMultipickDetected':
      return 'paperJam'
    case 'ScannerAdfDoorOpen':
      return 'coverOpen'
    default:
      return undefined
  }
}

/** A network scanner over eSCL (AirScan, Mopria): driverless on Linux, Windows and macOS alike. */
export class EsclScanner implements DocumentScanSource {
  readonly base: URL

  constructor(
    address: string | URL,
    private readonly timings: EsclTimings = DEFAULT_ESCL_TIMINGS,
  ) {
    this.base = typeof address === 'string' ? normalizeEsclAddress(address) : address
  }

  private resource(name: string): URL {
    return new URL(`${this.base.href}/${name}`)
  }

  private async getXml(name: string, signal: AbortSignal): Promise<Buffer> {
    const reply = await httpExchange(this.resource(name), { method: 'GET', idleTimeoutMs: this.timings.requestIdleMs, maxBytes: MAX_XML_BYTES, tooLargeCode: 'badResponse', signal })
    if (reply.status === 503) throw new DocumentScanError('scannerBusy', `${name}: scanner busy (503)`)
    if (reply.status !== 200) throw new DocumentScanError('badResponse', `${name}: HTTP ${reply.status}`)
    return reply.body
  }

  async esclCapabilities(signal: AbortSignal = new AbortController().signal): Promise<EsclCapabilities> {
    return parseEsclCapabilities(await this.getXml('ScannerCapabilities', signal))
  }

  async capabilities(): Promise<DocumentScannerCapabilities> {
    return describeEsclCapabilities(await this.esclCapabilities())
  }

  async status(signal: AbortSignal = new AbortController().signal): Promise<EsclStatus> {
    return parseEsclStatus(await this.getXml('ScannerStatus', signal))
  }

  async scan(settings: ScanSettings, onPage: PageSink, signal: AbortSignal): Promise<void> {
    const job = planEsclJob(await this.esclCapabilities(signal), settings)
    const created = await this.whileBusy('ScanJobs', signal, () =>
      httpExchange(this.resource('ScanJobs'), { method: 'POST', body: scanSettingsXml(job), idleTimeoutMs: this.timings.requestIdleMs, maxBytes: MAX_XML_BYTES, tooLargeCode: 'badResponse', signal }),
    )
    if (created.status === 409 && job.inputSource === 'Feeder') throw await this.explainFailure('feederEmpty', 'ScanJobs: 409 Conflict (feeder empty?)')
    if (created.status !== 201) throw await this.explainFailure('badResponse', `ScanJobs: HTTP ${created.status}, expected 201 Created`)
    const jobUrl = this.jobUrl(created.headers.location)
    let pages = 0
    try {
      // Until 404: one page per request, each side of each sheet from the feeder, then "no more".
      for (;;) {
        throwIfCancelled(signal)
        const next = new URL(`${jobUrl.href.replace(/\/+$/, '')}/NextDocument`)
        const reply = await this.whileBusy('NextDocument', signal, () =>
          httpExchange(next, { method: 'GET', idleTimeoutMs: this.timings.pageIdleMs, maxBytes: MAX_PAGE_WIRE_BYTES, tooLargeCode: 'pageTooLarge', signal }),
        )
        if (reply.status === 404) break
        if (reply.status !== 200) throw await this.explainFailure('badResponse', `NextDocument: HTTP ${reply.status}`)
        const mime = pageMime(reply.body)
        if (!mime) throw new DocumentScanError('badResponse', `NextDocument: not a JPEG or PNG image (${String(reply.headers['content-type']).slice(0, 60)}, ${reply.body.byteLength} bytes)`)
        throwIfCancelled(signal)
        await onPage({ bytes: new Uint8Array(reply.body.buffer, reply.body.byteOffset, reply.body.byteLength), mime, dpi: job.resolution })
        pages++
      }
    } catch (error) {
      await this.deleteJob(jobUrl)
      throw error
    }
    if (pages === 0) throw await this.explainFailure(job.inputSource === 'Feeder' ? 'feederEmpty' : 'badResponse', 'The scanner ended the job without a page')
  }

  /** Repeats a request while the scanner answers 503 (busy warming up, busy with another job), waiting longer each time. */
  private async whileBusy(what: string, signal: AbortSignal, send: () => Promise<HttpReply>): Promise<HttpReply> {
    let delay = this.timings.busyFirstDelayMs
    let waited = 0
    for (;;) {
      const reply = await send()
      if (reply.status !== 503) return reply
      if (waited >= this.timings.busyGiveUpMs) throw new DocumentScanError('scannerBusy', `${what}: scanner still busy (503) after ${waited} ms`)
      await sleep(delay, signal)
      waited += delay
      delay = Math.min(delay * 2, MAX_BUSY_DELAY_MS)
    }
  }

  /** The job's URL from the Location header: on this scanner, nowhere else. */
  private jobUrl(location: string | undefined): URL {
    if (!location) throw new DocumentScanError('badResponse', 'ScanJobs: 201 without a Location')
    let url: URL
    try {
      url = new URL(location, `${this.base.href}/`)
    } catch {
      throw new DocumentScanError('badResponse', `ScanJobs: bad Location ${JSON.stringify(location.slice(0, 100))}`)
    }
    if (url.origin !== this.base.origin || url.search || url.hash) throw new DocumentScanError('badResponse', `ScanJobs: Location ${JSON.stringify(location.slice(0, 100))} is not on the scanner`)
    return url
  }

  /** The scanner's status often says why (jammed, cover open, feeder empty) better than the failed request did. */
  private async explainFailure(fallback: DocumentScanError['code'], message: string): Promise<DocumentScanError> {
    const status = await this.status(AbortSignal.timeout(this.timings.requestIdleMs)).catch(() => undefined)
    const code = (status && codeFromStatus(status)) ?? fallback
    return new DocumentScanError(code, status ? `${message}; scanner ${status.state}${status.adfState ? `, ${status.adfState}` : ''}` : message)
  }

  /** Best effort: a cancelled or failed job is deleted so the scanner stops feeding paper and frees itself. */
  private async deleteJob(jobUrl: URL): Promise<void> {
    await httpExchange(jobUrl, { method: 'DELETE', idleTimeoutMs: this.timings.requestIdleMs, maxBytes: MAX_XML_BYTES, tooLargeCode: 'badResponse', signal: new AbortController().signal }).catch(() => undefined)
  }
}
