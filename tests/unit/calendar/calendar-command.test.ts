import { Command } from 'commander'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { registerCalendarCommands } from '../../../src/cli/commands/calendar'

/** Runs `motcua calendar …` on a fresh program and returns what it printed on stdout. */
async function calendar(...args: string[]): Promise<string> {
  const program = new Command('motcua').exitOverride()
  registerCalendarCommands(program)
  const printed: string[] = []
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    printed.push(String(chunk))
    return true
  })
  await program.parseAsync(['calendar', ...args], { from: 'user' })
  return printed.join('')
}

describe('motcua calendar', () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })

  it('prints the holidays of a year as JSON: {date, name} sorted by date', async () => {
    const holidays = JSON.parse(await calendar('holidays', '2026', '--json')) as { date: string; name: string }[]
    expect(holidays.every((holiday) => Object.keys(holiday).join() === 'date,name')).toBe(true)
    expect(holidays.map((holiday) => holiday.date)).toEqual(holidays.map((holiday) => holiday.date).sort())
    expect(holidays).toContainEqual({ date: '2026-02-17', name: 'Tết Nguyên Đán' })
    expect(holidays).toContainEqual({ date: '2026-04-27', name: 'Nghỉ bù Giỗ Tổ Hùng Vương' })
  })

  it('prints one readable line per holiday, with the weekday', async () => {
    const lines = (await calendar('holidays', '2028')).trimEnd().split('\n')
    expect(lines[0]).toBe('2028-01-01  Thứ Bảy   Tết Dương lịch')
    expect(lines[1]).toBe('2028-01-03  Thứ Hai   Nghỉ bù Tết Dương lịch')
    expect(lines).toHaveLength(15)
  })

  it('prints the date N working days later', async () => {
    expect(await calendar('add-workdays', '2026-02-13', '1')).toBe('2026-02-23\n')
    expect(await calendar('add-workdays', '2026-02-14', '0')).toBe('2026-02-23\n')
  })

  it.each([
    [['holidays', '20x6'], /năm không hợp lệ.*"20x6"/],
    [['holidays', '2300'], /năm không hợp lệ.*1800 đến 2199/],
    [['add-workdays', '2026-02-30', '1'], /ngày không hợp lệ.*"2026-02-30"/],
    [['add-workdays', '13/02/2026', '1'], /ngày không hợp lệ.*YYYY-MM-DD/],
    [['add-workdays', '2026-02-13', '-1'], /số ngày làm việc không hợp lệ.*"-1"/],
    [['add-workdays', '2026-02-13', '1.5'], /số ngày làm việc không hợp lệ/],
  ])('refuses %j with a clear error', async (args, message) => {
    await expect(calendar(...args)).rejects.toThrow(message)
  })
})
