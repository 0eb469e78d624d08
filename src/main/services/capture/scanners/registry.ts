import { readFile, rename } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import { MotcuaError } from '../../../../shared/contract/dispatch'
import type { DocumentScanner, DocumentScannerSources } from '../../../../shared/contract/document-scanner-schemas'
import { writeFileAtomic } from '../../fs/atomic-file'
import { describeEsclCapabilities } from './escl-protocol'
import { DEFAULT_ESCL_TIMINGS, EsclScanner, normalizeEsclAddress, type EsclTimings } from './escl-scanner'
import { listSaneDevices, SaneScanner, type SaneDevice, type SaneOptions } from './sane-scanner'
import { DocumentScanError } from './scanner-errors'
import type { DocumentScanSource } from './scan-source'

export interface DocumentScannerRegistryOptions {
  /** Where the technician's network scanners are remembered. */
  readonly dataDir: string
  readonly log: (line: string) => void
  readonly escl?: EsclTimings
  readonly sane?: SaneOptions
  readonly platform?: NodeJS.Platform
}

const MAX_ESCL_SCANNERS = 32
const StoredScannersSchema = z.object({ escl: z.array(z.string().max(300)).max(MAX_ESCL_SCANNERS) }).strict()
const FILE_NAME = 'document-scanners.json'

const WIA_MESSAGE =
  'Windows scanners through WIA are not supported: WIA needs native code. On Windows, network scanners work over eSCL (AirScan): add them by address.'

/** A listing waits this long at most for a network scanner; the others are reported unreachable. */
const listingTimings = (timings: EsclTimings): EsclTimings => ({ ...timings, requestIdleMs: Math.min(timings.requestIdleMs, 5_000) })

/**
 * Every document scanner this machine can use: the network scanners a technician added by address
 * (eSCL), and on Linux the SANE devices scanimage finds. Scanners are named by id, escl:<base URL> or
 * sane:<device>, and a scan job can only reach a scanner listed here: a screen never makes main connect
 * to an address of its choosing.
 */
export class DocumentScannerRegistry {
  private readonly knownSane = new Map<string, SaneScanner>()

  constructor(private readonly options: DocumentScannerRegistryOptions) {}

  private get path(): string {
    return join(this.options.dataDir, FILE_NAME)
  }

  private get esclTimings(): EsclTimings {
    return this.options.escl ?? DEFAULT_ESCL_TIMINGS
  }

  private get saneAvailableHere(): boolean {
    return (this.options.platform ?? process.platform) !== 'win32'
  }

  private async storedAddresses(): Promise<string[]> {
    let text: string
    try {
      text = await readFile(this.path, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw error
    }
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch (error) {
      return this.setAside(`is not JSON (${error instanceof Error ? error.message : String(error)})`)
    }
    const parsed = StoredScannersSchema.safeParse(json)
    if (!parsed.success) return this.setAside('is not a list of scanners')
    return parsed.data.escl
  }

  /**
   * A damaged scanner list counts as empty, so scanning from SANE and adding scanners still work; the file is
   * moved aside rather than overwritten by the next add, so a technician can still read what it held.
   */
  private async setAside(why: string): Promise<string[]> {
    const aside = `${this.path}.bad`
    try {
      await rename(this.path, aside)
      this.options.log(`${this.path} ${why}; moved it to ${aside} and continue without network scanners`)
    } catch (error) {
      // Two readers at once: the other one has moved it already.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.options.log(`${this.path} ${why}, and moving it aside failed: ${String(error)}`)
    }
    return []
  }

  private async describeEscl(scanner: EsclScanner): Promise<DocumentScanner> {
    const capabilities = await scanner.esclCapabilities()
    return { id: `escl:${scanner.base.href}`, name: capabilities.makeAndModel, kind: 'escl', address: scanner.base.href, capabilities: describeEsclCapabilities(capabilities) }
  }

  private async saneDevices(): Promise<SaneDevice[]> {
    const devices = await listSaneDevices(this.options.sane)
    for (const device of devices) if (!this.knownSane.has(device.name)) this.knownSane.set(device.name, new SaneScanner(device.name, this.options.sane))
    return devices
  }

  /** The scanners that answer now, each with what it can do; the others are in sources(). */
  async list(): Promise<DocumentScanner[]> {
    const [escl, sane] = await Promise.all([this.listEscl(), this.listSane()])
    return [...escl.scanners, ...sane]
  }

  private async listEscl(): Promise<{ scanners: DocumentScanner[]; unreachable: DocumentScannerSources['unreachable'] }> {
    const addresses = await this.storedAddresses()
    const results = await Promise.all(
      addresses.map(async (address) => {
        try {
          return { scanner: await this.describeEscl(new EsclScanner(address, listingTimings(this.esclTimings))) }
        } catch (error) {
          const coded = error instanceof DocumentScanError ? error : new DocumentScanError('badResponse', String(error))
          this.options.log(`Document scanner ${address}: ${coded.message}`)
          return { unreachable: { address, error: coded.code, message: coded.message.slice(0, 500) } }
        }
      }),
    )
    return { scanners: results.flatMap((result) => result.scanner ?? []), unreachable: results.flatMap((result) => result.unreachable ?? []) }
  }

  private async listSane(): Promise<DocumentScanner[]> {
    if (!this.saneAvailableHere) return []
    let devices: SaneDevice[]
    try {
      devices = await this.saneDevices()
    } catch (error) {
      this.options.log(`SANE: ${error instanceof Error ? error.message : String(error)}`)
      return []
    }
    const described = await Promise.all(
      devices.map(async (device) => {
        try {
          const capabilities = await this.knownSane.get(device.name)!.capabilities()
          const name = [device.vendor, device.model].filter((part) => part !== '').join(' ') || device.name
          return [{ id: `sane:${device.name}`, name, kind: 'sane' as const, address: device.name, capabilities }]
        } catch (error) {
          this.options.log(`SANE device ${device.name}: ${error instanceof Error ? error.message : String(error)}`)
          return []
        }
      }),
    )
    return described.flat()
  }

  /** How this machine reaches scanners, and the added network scanners that do not answer (technician). */
  async sources(): Promise<DocumentScannerSources> {
    const { unreachable } = await this.listEscl()
    const sane = await this.saneSource()
    const wia = (this.options.platform ?? process.platform) === 'win32' ? WIA_MESSAGE : 'WIA exists only on Windows.'
    return {
      sources: [
        { kind: 'escl', available: true, message: 'Network scanners over eSCL (AirScan), added by address.' },
        sane,
        { kind: 'wia', available: false, message: wia },
      ],
      unreachable,
    }
  }

  private async saneSource(): Promise<DocumentScannerSources['sources'][number]> {
    if (!this.saneAvailableHere) return { kind: 'sane', available: false, message: 'SANE does not exist on Windows; use network scanners over eSCL.' }
    try {
      const devices = await this.saneDevices()
      return { kind: 'sane', available: true, message: `SANE (scanimage): ${devices.length} device(s).` }
    } catch (error) {
      return { kind: 'sane', available: false, message: (error instanceof Error ? error.message : String(error)).slice(0, 500) }
    }
  }

  /** Adds a network scanner by the address a technician typed, once it has answered with its capabilities. */
  async add(typedAddress: string): Promise<DocumentScanner> {
    const scanner = new EsclScanner(normalizeEsclAddress(typedAddress), this.esclTimings)
    let described: DocumentScanner
    try {
      described = await this.describeEscl(scanner)
    } catch (error) {
      if (error instanceof DocumentScanError) throw new MotcuaError('unavailable', `No eSCL scanner answers at ${scanner.base.href} (${error.code}): ${error.message}`)
      throw error
    }
    const addresses = await this.storedAddresses()
    if (!addresses.includes(scanner.base.href)) {
      if (addresses.length >= MAX_ESCL_SCANNERS) throw new MotcuaError('invalidInput', `At most ${MAX_ESCL_SCANNERS} network scanners`)
      await writeFileAtomic(this.path, `${JSON.stringify({ escl: [...addresses, scanner.base.href] }, null, 2)}\n`)
    }
    return described
  }

  async remove(id: string): Promise<void> {
    const addresses = await this.storedAddresses()
    const kept = addresses.filter((address) => `escl:${address}` !== id)
    if (kept.length === addresses.length) throw new MotcuaError('invalidInput', `No network scanner ${id.slice(0, 100)} was added`)
    await writeFileAtomic(this.path, `${JSON.stringify({ escl: kept }, null, 2)}\n`)
  }

  /** The scanner behind an id, if it is one this registry knows. */
  async open(id: string): Promise<DocumentScanSource> {
    if (id.startsWith('escl:')) {
      const address = id.slice('escl:'.length)
      if (!(await this.storedAddresses()).includes(address)) throw new MotcuaError('notConfigured', `No network scanner ${id.slice(0, 100)} was added`)
      return new EsclScanner(new URL(address), this.esclTimings)
    }
    if (id.startsWith('sane:') && this.saneAvailableHere) {
      const device = id.slice('sane:'.length)
      if (!this.knownSane.has(device)) await this.saneDevices().catch(() => [])
      const scanner = this.knownSane.get(device)
      if (scanner) return scanner
    }
    throw new MotcuaError('notConfigured', `No scanner ${id.slice(0, 100)} on this machine`)
  }
}
