import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { motcua } from '../helpers/motcua-cli'

describe('the motcua command', () => {
  const data = mkdtempSync(join(tmpdir(), 'motcua-cli-'))

  it('prints its help', async () => {
    const { code, stdout } = await motcua(['--help'])
    expect(code).toBe(0)
    for (const command of ['device', 'services', 'wards', 'web']) expect(stdout).toContain(command)
  })

  it('shows the device as JSON, through the same contract as the screens', async () => {
    const { code, stdout } = await motcua(['device', 'info', '--json', '--data', data])
    expect(code).toBe(0)
    expect(JSON.parse(stdout)).toMatchObject({ runtime: 'cli', ward: { code: '20242', fullName: 'Phường Hải Châu' }, config: { topology: 'standalone' } })
  })

  it('provisions the ward and roles, and refuses bad values in Vietnamese with a non-zero exit', async () => {
    const set = await motcua(['device', 'set', '--data', data, '--ward', '20194', '--roles', 'kiosk,display', '--json'])
    expect(set.code).toBe(0)
    expect(JSON.parse(set.stdout)).toMatchObject({ ward: { fullName: 'Phường Hải Vân' }, config: { roles: ['kiosk', 'display'] } })

    const badWard = await motcua(['device', 'set', '--data', data, '--ward', '01001'])
    expect(badWard.code).toBe(2)
    expect(badWard.stderr).toMatch(/^Lỗi \(invalidInput\): Ward code 01001/)
    const badRole = await motcua(['device', 'set', '--data', data, '--roles', 'kiosk,root'])
    expect(badRole.code).toBe(2)
    const badBlock = await motcua(['device', 'set', '--data', data, '--ticket-block', '3/2'])
    expect(badBlock.code).toBe(2)
    expect(JSON.parse((await motcua(['device', 'info', '--json', '--data', data])).stdout).ward.code).toBe('20194')
  })

  it('sets up the ticket printer one option at a time, keeping the others, and refuses a bad host', async () => {
    const network = await motcua(['device', 'set', '--data', data, '--printer', 'network', '--printer-host', '192.168.1.50', '--paper-width', '58', '--json'])
    expect(network.code).toBe(0)
    const port = await motcua(['device', 'set', '--data', data, '--printer-port', '9101', '--json'])
    expect(JSON.parse(port.stdout).config.printer).toEqual({ kind: 'network', host: '192.168.1.50', port: 9101, paperWidth: 58 })
    expect((await motcua(['device', 'info', '--data', data])).stdout).toContain('Máy in:     network 192.168.1.50:9101, 58 mm')
    const badHost = await motcua(['device', 'set', '--data', data, '--printer-host', 'tcp://192.168.1.50'])
    expect(badHost.code).toBe(2)
    expect(badHost.stderr).toMatch(/^Lỗi \(invalidInput\): .*printer host/)
  })

  it('lists the services and the 94 wards', async () => {
    expect((await motcua(['services', 'list', '--data', data])).stdout).toContain('A  Hộ tịch')
    expect(JSON.parse((await motcua(['wards', 'list', '--json', '--data', data])).stdout)).toHaveLength(94)
  })

  it('knows the working-day calendar: holidays as JSON, and working days after Tết', async () => {
    const holidays = JSON.parse((await motcua(['calendar', 'holidays', '2026', '--json'])).stdout) as { date: string; name: string }[]
    expect(holidays.filter((holiday) => holiday.name === 'Tết Nguyên Đán').map((holiday) => holiday.date)).toContain('2026-02-17')
    expect((await motcua(['calendar', 'add-workdays', '2026-02-13', '1'])).stdout.trim()).toBe('2026-02-23')
    const bad = await motcua(['calendar', 'add-workdays', '2026-02-30', '1'])
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain('ngày không hợp lệ')
  })

  it('says so when a command does not exist', async () => {
    const { code, stderr } = await motcua(['frobnicate'])
    expect(code).not.toBe(0)
    expect(stderr).toContain('unknown command')
  })
})
