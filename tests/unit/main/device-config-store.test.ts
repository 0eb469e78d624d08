import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { loadWards } from '../../../src/main/services/catalog/wards'
import { DeviceConfigStore } from '../../../src/main/services/device/device-config-store'
import { MotcuaError } from '../../../src/shared/contract/dispatch'
import { PROJECT_ROOT } from '../../helpers/browser-mode-host'

const wards = await loadWards(join(PROJECT_ROOT, 'resources'))
const freshDir = (): string => mkdtempSync(join(tmpdir(), 'motcua-config-'))

describe('the device configuration store', () => {
  it('ships the 94 commune-level units of Đà Nẵng', () => {
    expect(wards).toHaveLength(94)
    expect(new Set(wards.map((ward) => ward.code)).size).toBe(94)
  })

  it('creates a standalone configuration with a new device id on first start, and keeps it', async () => {
    const dir = freshDir()
    const first = await new DeviceConfigStore(dir, wards, () => undefined).get()
    expect(first).toMatchObject({ topology: 'standalone', language: 'vi', roles: ['kiosk', 'counter', 'display', 'technician'] })
    expect((await new DeviceConfigStore(dir, wards, () => undefined).get()).deviceId).toBe(first.deviceId)
  })

  it('gives concurrent first readers one and the same identity', async () => {
    const store = new DeviceConfigStore(freshDir(), wards, () => undefined)
    const [a, b] = await Promise.all([store.get(), store.get()])
    expect(a.deviceId).toBe(b.deviceId)
  })

  it.each([
    ['not JSON', '{"deviceId": '],
    ['JSON of the wrong shape', '{"deviceId": 42}'],
    ['a ward outside Đà Nẵng', null],
  ])('moves a damaged file (%s) aside, starts afresh and says so', async (_name, content) => {
    const dir = freshDir()
    const log = vi.fn()
    const valid = await new DeviceConfigStore(dir, wards, () => undefined).get()
    const damaged = content ?? JSON.stringify({ ...valid, wardCode: '01001' })
    writeFileSync(join(dir, 'device.json'), damaged)
    const store = new DeviceConfigStore(dir, wards, log, () => 1234)
    const config = await store.get()
    expect(config.wardCode).toBe('20242')
    expect(store.getNotices()).toEqual([{ code: 'configReset', detail: join(dir, 'device.json.damaged-1234') }])
    expect(readFileSync(join(dir, 'device.json.damaged-1234'), 'utf8')).toBe(damaged)
    expect(log).toHaveBeenCalledWith(expect.stringContaining('unreadable'))
  })

  it('refuses a ward that is not a commune of Đà Nẵng and an inconsistent counter, keeping what was saved', async () => {
    const dir = freshDir()
    const store = new DeviceConfigStore(dir, wards, () => undefined)
    await store.get()
    const saved = readFileSync(join(dir, 'device.json'), 'utf8')
    await expect(store.update({ wardCode: '99999' })).rejects.toBeInstanceOf(MotcuaError)
    await expect(store.update({ counterNumber: 9 })).rejects.toMatchObject({ code: 'invalidInput' })
    expect(readFileSync(join(dir, 'device.json'), 'utf8')).toBe(saved)
  })

  it('keeps a file written before printing existed: no printer, no notice', async () => {
    const dir = freshDir()
    const { printer: _printer, ...older } = await new DeviceConfigStore(dir, wards, () => undefined).get()
    writeFileSync(join(dir, 'device.json'), JSON.stringify(older))
    const store = new DeviceConfigStore(dir, wards, () => undefined)
    expect(await store.get()).toEqual({ ...older, printer: { kind: 'none', paperWidth: 80 } })
    expect(store.getNotices()).toEqual([])
    expect(await store.update({ printer: { kind: 'network', host: '10.0.0.9', paperWidth: 58 } })).toMatchObject({ deviceId: older.deviceId, printer: { host: '10.0.0.9' } })
  })

  it('keeps a file written before serial scanners existed: the scanner is found by itself', async () => {
    const dir = freshDir()
    const { scanner: _scanner, ...older } = await new DeviceConfigStore(dir, wards, () => undefined).get()
    writeFileSync(join(dir, 'device.json'), JSON.stringify(older))
    const store = new DeviceConfigStore(dir, wards, () => undefined)
    expect(await store.get()).toEqual({ ...older, scanner: {} })
    expect(store.getNotices()).toEqual([])
    expect(await store.update({ scanner: { port: '/dev/ttyACM0', baudRate: 115200 } })).toMatchObject({ scanner: { port: '/dev/ttyACM0', baudRate: 115200 } })
    await expect(store.update({ scanner: { port: 'ttyACM0' } })).rejects.toMatchObject({ code: 'invalidInput' })
  })

  it('writes updates atomically, leaving no temporary file behind', async () => {
    const dir = freshDir()
    const store = new DeviceConfigStore(dir, wards, () => undefined)
    const updated = await store.update({ wardCode: '20194', roles: ['display'] })
    expect(updated).toMatchObject({ wardCode: '20194', roles: ['display'] })
    expect(JSON.parse(readFileSync(join(dir, 'device.json'), 'utf8'))).toEqual(updated)
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([])
    expect(existsSync(join(dir, 'device.json'))).toBe(true)
  })
})
