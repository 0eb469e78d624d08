import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, unlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, dirname, join, resolve as resolvePath } from 'node:path'
import { A4_MM } from '../../../../shared/capture/geometry'
import type { CaptureMode } from '../../../../shared/capture/types'
import type { DocumentScannerCapabilities, ScanSource } from '../../../../shared/contract/document-scanner-schemas'
import { DocumentScanError } from './scanner-errors'
import { chooseResolution, resolutionsInRange, scannerColorMode, throwIfCancelled, type DocumentScanSource, type PageSink, type ScanSettings } from './scan-source'

/**
 * Scanners on Linux through SANE's own command, scanimage (Debian sane-utils): USB scanners with a SANE
 * backend, and network scanners its backends find (sane-airscan finds eSCL and WSD scanners by itself).
 * scanimage is always started with an argument list, never through a shell.
 */

export interface SaneOptions {
  /** The scanimage command; tests point it elsewhere. */
  readonly scanimage?: string
  /** The environment scanimage runs in (SANE_CONFIG_DIR chooses its backends). */
  readonly env?: NodeJS.ProcessEnv
  /** Listing devices and reading their options: network backends look around for a few seconds. */
  readonly queryTimeoutMs?: number
  /** Longest wait for the next page while scanning. */
  readonly pageIdleMs?: number
}

export interface SaneDevice {
  readonly name: string
  readonly vendor: string
  readonly model: string
  readonly type: string
}

/** A device's options as scanimage --all-options shows them, the ones a scan needs. */
export interface SaneDeviceOptions {
  readonly modes: readonly string[]
  readonly sources: readonly string[]
  readonly resolutions: readonly number[]
  readonly maxWidthMm?: number
  readonly maxHeightMm?: number
}

const DEFAULT_QUERY_TIMEOUT_MS = 30_000
const DEFAULT_PAGE_IDLE_MS = 120_000
/** How long scanimage gets to cancel with the scanner (SIGTERM) before it is killed outright. */
const KILL_GRACE_MS = 3_000
const MAX_OUTPUT_CHARS = 1024 * 1024

const FIELD = '\t'
const DEVICE_LIST_FORMAT = `%d${FIELD}%v${FIELD}%m${FIELD}%t%n`

function unavailable(scanimage: string, error: NodeJS.ErrnoException): DocumentScanError {
  return new DocumentScanError('saneUnavailable', `SANE's scanimage (${scanimage}) cannot be started: ${error.code ?? error.message}. Install sane-utils (Debian, Ubuntu); SANE does not exist on Windows, where network scanners work over eSCL.`, { cause: error })
}

/** Runs scanimage to the end for a short query; stdout and stderr bounded. */
function query(args: string[], options: SaneOptions): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const scanimage = options.scanimage ?? 'scanimage'
  const timeoutMs = options.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS
  return new Promise((resolve, reject) => {
    const child = spawn(scanimage, args, { env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => void (stdout.length < MAX_OUTPUT_CHARS && (stdout += chunk)))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => void (stderr.length < MAX_OUTPUT_CHARS && (stderr += chunk)))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new DocumentScanError('timeout', `scanimage ${args.join(' ')}: no answer within ${timeoutMs} ms`))
    }, timeoutMs)
    child.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer)
      reject(unavailable(scanimage, error))
    })
    child.once('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

/** One line per device: name, vendor, model, type, separated by tabs. */
export function parseSaneDeviceList(stdout: string): SaneDevice[] {
  return stdout.split('\n').flatMap((line) => {
    const [name, vendor = '', model = '', type = ''] = line.split(FIELD)
    return name && name.trim() !== '' ? [{ name: name.trim(), vendor: vendor.trim(), model: model.trim(), type: type.trim() }] : []
  })
}

export async function listSaneDevices(options: SaneOptions = {}): Promise<SaneDevice[]> {
  const result = await query([`--formatted-device-list=${DEVICE_LIST_FORMAT}`], options)
  if (result.code !== 0) throw new DocumentScanError('scanFailed', `scanimage -L failed (${result.code}): ${result.stderr.trim().slice(0, 300)}`)
  return parseSaneDeviceList(result.stdout)
}

/** "75|150|300dpi" or "1..1200dpi (in steps of 1)" or "0..215.9mm": what a value may be. */
type OptionValues = { readonly list: readonly string[] } | { readonly min: number; readonly max: number; readonly step: number }

function parseOptionValues(spec: string): OptionValues {
  const range = /^(-?\d+(?:\.\d+)?)\.\.(-?\d+(?:\.\d+)?)(?:[a-z%]*)(?:\s+\(in steps of (\d+(?:\.\d+)?)\))?$/.exec(spec)
  if (range) return { min: Number(range[1]), max: Number(range[2]), step: Number(range[3] ?? 0) }
  return { list: spec.split('|').map((value, index, all) => (index === all.length - 1 ? value.replace(/(dpi|mm)$/, '') : value).trim()) }
}

/** Reads scanimage --all-options: "    --mode Gray|Color [Gray]", "    -x 0..215.9mm [215.9]". */
export function parseSaneOptions(stdout: string): SaneDeviceOptions {
  const options = new Map<string, OptionValues>()
  for (const line of stdout.split('\n')) {
    const match = /^\s+(--[a-z][\w-]*|-[a-z])\s+(.+?)(?:\s+\[[^\]]*\])?\s*$/.exec(line)
    if (match && !options.has(match[1]!)) options.set(match[1]!, parseOptionValues(match[2]!))
  }
  const list = (name: string): string[] => {
    const values = options.get(name)
    return values && 'list' in values ? [...values.list] : []
  }
  const maximum = (name: string): number | undefined => {
    const values = options.get(name)
    return values && 'max' in values && values.max > 0 ? values.max : undefined
  }
  const resolution = options.get('--resolution')
  const resolutions = !resolution
    ? []
    : 'list' in resolution
      ? resolution.list.map(Number).filter((dpi) => Number.isInteger(dpi) && dpi > 0)
      : resolutionsInRange(resolution.min, resolution.max, resolution.step)
  const maxWidthMm = maximum('-x')
  const maxHeightMm = maximum('-y')
  return { modes: list('--mode'), sources: list('--source'), resolutions, ...(maxWidthMm && { maxWidthMm }), ...(maxHeightMm && { maxHeightMm }) }
}

/** The SANE source name for each of ours; a device without a --source option has only its glass. */
export function saneSourceNames(sources: readonly string[]): Partial<Record<ScanSource, string>> {
  if (sources.length === 0) return { platen: '' }
  const found: Partial<Record<ScanSource, string>> = {}
  for (const name of sources) {
    const kind: ScanSource | undefined = /duplex/i.test(name) ? 'feederDuplex' : /adf|feeder/i.test(name) ? 'feeder' : /flatbed|platen|glass/i.test(name) ? 'platen' : undefined
    if (kind && found[kind] === undefined) found[kind] = name
  }
  return found
}

/** The SANE mode for each of ours: grey serves grey and black-and-white (see scannerColorMode). */
export function saneModeNames(modes: readonly string[]): Partial<Record<CaptureMode, string>> {
  const color = modes.find((mode) => /colou?r/i.test(mode))
  const gray = modes.find((mode) => /gr[ae]y/i.test(mode))
  const lineart = modes.find((mode) => /lineart|binary|black/i.test(mode))
  return { ...(color && { color }), ...(gray && { gray, bw: gray }), ...(!gray && lineart && { bw: lineart }) }
}

export class SaneScanner implements DocumentScanSource {
  private options?: Promise<SaneDeviceOptions>

  constructor(
    readonly device: string,
    private readonly sane: SaneOptions = {},
  ) {}

  /** The device's options, read once: they describe the hardware. */
  deviceOptions(): Promise<SaneDeviceOptions> {
    this.options ??= query(['--device-name', this.device, '--all-options'], this.sane).then((result) => {
      if (result.code !== 0) throw new DocumentScanError('scanFailed', `scanimage -d ${this.device} -A failed (${result.code}): ${result.stderr.trim().slice(0, 300)}`)
      return parseSaneOptions(result.stdout)
    })
    this.options.catch(() => (this.options = undefined))
    return this.options
  }

  async capabilities(): Promise<DocumentScannerCapabilities> {
    const options = await this.deviceOptions()
    const sources = Object.keys(saneSourceNames(options.sources)) as ScanSource[]
    const colorModes = (['color', 'gray', 'bw'] as const).filter((mode) => saneModeNames(options.modes)[mode] !== undefined)
    if (sources.length === 0 || colorModes.length === 0 || options.resolutions.length === 0) throw new DocumentScanError('unsupportedSettings', `SANE device ${this.device} offers no source, colour mode or resolution we can use`)
    // Without geometry options the scanner scans its whole area; A4 is the best guess of its size.
    return { sources, colorModes, resolutions: options.resolutions.slice(0, 64), maxWidthMm: options.maxWidthMm ?? 210, maxHeightMm: options.maxHeightMm ?? 297 }
  }

  async scan(settings: ScanSettings, onPage: PageSink, signal: AbortSignal): Promise<void> {
    const options = await this.deviceOptions()
    const source = saneSourceNames(options.sources)[settings.source === 'feeder' && settings.duplex ? 'feederDuplex' : settings.source]
    const mode = saneModeNames(options.modes)[scannerColorMode(settings.colorMode)]
    if (source === undefined || mode === undefined) throw new DocumentScanError('unsupportedSettings', `SANE device ${this.device} cannot scan ${settings.source}${settings.duplex ? ' duplex' : ''} in ${settings.colorMode}`)
    const dpi = chooseResolution(options.resolutions, settings.dpi)
    // On the glass an A4 region from the corner (as eSCL, see planEsclJob); the feeder's sheets take its whole width and length.
    const onGlass = settings.source === 'platen'
    const width = onGlass && options.maxWidthMm !== undefined ? Math.min(A4_MM.short, options.maxWidthMm) : options.maxWidthMm
    const height = onGlass && options.maxHeightMm !== undefined ? Math.min(A4_MM.long, options.maxHeightMm) : options.maxHeightMm
    throwIfCancelled(signal)
    const folder = resolvePath(await mkdtemp(join(tmpdir(), 'motcua-scan-')))
    try {
      await this.runBatch(folder, [
        ...['--device-name', this.device, '--format=png', `--batch=${join(folder, 'p%d.png')}`, '--batch-print'],
        ...['--mode', mode, '--resolution', String(dpi)],
        ...(source === '' ? [] : ['--source', source]),
        ...(width === undefined ? [] : ['-x', String(width)]),
        ...(height === undefined ? [] : ['-y', String(height)]),
        ...(onGlass ? ['--batch-count=1'] : []),
      ], dpi, onPage, signal)
    } finally {
      await rm(folder, { recursive: true, force: true })
    }
  }

  /** scanimage --batch --batch-print names each page on stdout once the file is whole. */
  private runBatch(folder: string, args: string[], dpi: number, onPage: PageSink, signal: AbortSignal): Promise<void> {
    const scanimage = this.sane.scanimage ?? 'scanimage'
    const pageIdleMs = this.sane.pageIdleMs ?? DEFAULT_PAGE_IDLE_MS
    return new Promise((resolve, reject) => {
      const child = spawn(scanimage, args, { env: this.sane.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] })
      let stderr = ''
      let pending = ''
      let pages = 0
      let failure: DocumentScanError | undefined
      let delivering = Promise.resolve()
      let killTimer: NodeJS.Timeout | undefined
      const stop = (error: DocumentScanError): void => {
        failure ??= error
        if (child.exitCode !== null || child.signalCode !== null) return
        child.kill('SIGTERM')
        killTimer ??= setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS)
      }
      const idleTimer = setTimeout(() => stop(new DocumentScanError('timeout', `scanimage: no page for ${pageIdleMs} ms`)), pageIdleMs)
      const onAbort = (): void => stop(new DocumentScanError('cancelled', 'Scan cancelled'))
      signal.addEventListener('abort', onAbort, { once: true })
      const deliver = (path: string): void => {
        idleTimer.refresh()
        // Only the files scanimage was told to write (p%d.png), in the folder made for this job: each is read, then deleted.
        const resolved = resolvePath(path)
        if (dirname(resolved) !== folder || !/^p\d+\.png$/.test(basename(resolved))) return stop(new DocumentScanError('badResponse', `scanimage named an unexpected file ${path.slice(0, 200)}`))
        delivering = delivering.then(async () => {
          if (failure) return
          const bytes = await readFile(resolved)
          await unlink(resolved)
          if (failure) return
          pages++
          await onPage({ bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), mime: 'image/png', dpi })
        })
        delivering.catch((error: unknown) => stop(new DocumentScanError('scanFailed', `Reading the page ${path}: ${String(error)}`)))
      }
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        pending += chunk
        const lines = pending.split('\n')
        pending = lines.pop()!
        for (const line of lines) if (line.trim() !== '') deliver(line.trim())
      })
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => void (stderr.length < MAX_OUTPUT_CHARS && (stderr += chunk)))
      let finished = false
      const finish = (code: number | null): void => {
        if (finished) return
        finished = true
        clearTimeout(idleTimer)
        clearTimeout(killTimer)
        signal.removeEventListener('abort', onAbort)
        void delivering
          .catch(() => undefined)
          .then(() => {
            if (failure) return reject(failure)
            if (code === 0 && pages > 0) return resolve()
            reject(new DocumentScanError(codeFromScanimage(stderr, pages), `scanimage exited with ${code} after ${pages} pages: ${stderr.trim().split('\n').slice(-3).join(' | ').slice(0, 400)}`))
          })
      }
      child.once('error', (error: NodeJS.ErrnoException) => {
        stop(unavailable(scanimage, error))
        // A command that never started has no 'close' to wait for.
        if (child.pid === undefined) finish(null)
      })
      child.once('close', finish)
    })
  }
}

/** SANE's status messages (sane_strstatus), as scanimage prints them, turned into our codes. */
function codeFromScanimage(stderr: string, pages: number): DocumentScanError['code'] {
  if (/out of documents|no more documents/i.test(stderr)) return pages === 0 ? 'feederEmpty' : 'scanFailed'
  if (/device busy/i.test(stderr)) return 'scannerBusy'
  if (/jammed/i.test(stderr)) return 'paperJam'
  if (/cover.*open/i.test(stderr)) return 'coverOpen'
  if (/invalid argument/i.test(stderr)) return 'unsupportedSettings'
  return 'scanFailed'
}
