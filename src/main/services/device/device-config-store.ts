import { randomUUID } from 'node:crypto'
import { readFile, rename } from 'node:fs/promises'
import { join } from 'node:path'
import { MotcuaError } from '../../../shared/contract/dispatch'
import { DeviceConfigSchema, NO_PRINTER, type DeviceConfig, type DeviceConfigPatch, type Notice, type Ward } from '../../../shared/contract/schemas'
import { writeFileAtomic } from '../fs/atomic-file'

/** The ward a fresh standalone install starts in, until a technician provisions it. */
export const DEFAULT_WARD_CODE = '20242' // Phường Hải Châu

function defaultConfig(): DeviceConfig {
  return {
    deviceId: randomUUID(),
    wardCode: DEFAULT_WARD_CODE,
    roles: ['kiosk', 'counter', 'display', 'technician'],
    counterNumber: 1,
    counterCount: 3,
    ticketBlock: { index: 0, count: 1 },
    topology: 'standalone',
    language: 'vi',
    printer: NO_PRINTER,
    // No port: the scanner watcher picks a USB scanner by itself.
    scanner: {},
  }
}

/**
 * The device's provisioning, kept as JSON in its data folder. A damaged file is moved aside (never
 * deleted: a technician may want it back) and the device starts afresh with a notice on screen.
 */
export class DeviceConfigStore {
  private readonly file: string
  private current: Promise<DeviceConfig> | undefined
  private readonly notices: Notice[] = []

  constructor(
    dataDir: string,
    private readonly wards: readonly Ward[],
    private readonly log: (line: string) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.file = join(dataDir, 'device.json')
  }

  async get(): Promise<DeviceConfig> {
    // One load for all callers: two concurrent first reads must not create two device identities.
    this.current ??= this.load()
    return this.current
  }

  getNotices(): readonly Notice[] {
    return this.notices
  }

  wardOf(config: DeviceConfig): Ward {
    const ward = this.wards.find((candidate) => candidate.code === config.wardCode)
    if (!ward) throw new MotcuaError('failed', `Ward ${config.wardCode} is not in the ward list`)
    return ward
  }

  async update(patch: DeviceConfigPatch): Promise<DeviceConfig> {
    if (patch.wardCode !== undefined && !this.wards.some((ward) => ward.code === patch.wardCode)) {
      throw new MotcuaError('invalidInput', `Ward code ${patch.wardCode} is not a commune-level unit of Đà Nẵng`)
    }
    return this.write({ ...(await this.get()), ...patch })
  }

  /** Sync settings change only through enrolment (configureSync), never through the technician's plain patch. */
  async setSync(topology: DeviceConfig['topology'], sync: DeviceConfig['sync']): Promise<DeviceConfig> {
    const { sync: _previous, ...rest } = await this.get()
    return this.write({ ...rest, topology, ...(sync && { sync }) })
  }

  private async write(config: unknown): Promise<DeviceConfig> {
    const candidate = DeviceConfigSchema.safeParse(config)
    if (!candidate.success) throw new MotcuaError('invalidInput', `Invalid configuration: ${candidate.error.issues[0]?.message ?? 'rejected'}`)
    await writeFileAtomic(this.file, JSON.stringify(candidate.data, null, 2))
    this.current = Promise.resolve(candidate.data)
    return candidate.data
  }

  private async load(): Promise<DeviceConfig> {
    let text: string
    try {
      text = await readFile(this.file, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
      return this.createDefault()
    }
    const parsed = safeJson(text)
    const config = DeviceConfigSchema.safeParse(parsed)
    if (config.success && this.wards.some((ward) => ward.code === config.data.wardCode)) return config.data
    const aside = `${this.file}.damaged-${this.now()}`
    await rename(this.file, aside)
    this.log(`Device configuration ${this.file} was unreadable; moved to ${aside} and started with defaults`)
    this.notices.push({ code: 'configReset', detail: aside })
    return this.createDefault()
  }

  private async createDefault(): Promise<DeviceConfig> {
    const config = defaultConfig()
    await writeFileAtomic(this.file, JSON.stringify(config, null, 2))
    return config
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
