import type { Command } from 'commander'
import { epochDayOf, isIsoDate, weekdayOf } from '../../shared/domain/calendar/days'
import { FIRST_SUPPORTED_YEAR, LAST_SUPPORTED_YEAR } from '../../shared/domain/calendar/lunar'
import { addWorkingDays, NATIONAL_CALENDAR } from '../../shared/domain/calendar/workdays'

const WEEKDAY_NAMES = ['Chủ nhật', 'Thứ Hai', 'Thứ Ba', 'Thứ Tư', 'Thứ Năm', 'Thứ Sáu', 'Thứ Bảy']

function parseYear(text: string): number {
  const year = Number(text)
  if (!/^\d{4}$/.test(text) || year < FIRST_SUPPORTED_YEAR || year > LAST_SUPPORTED_YEAR) {
    throw new Error(`năm không hợp lệ (invalid year): "${text}"; cần một năm từ ${FIRST_SUPPORTED_YEAR} đến ${LAST_SUPPORTED_YEAR}`)
  }
  return year
}

function parseDate(text: string): string {
  if (!isIsoDate(text)) throw new Error(`ngày không hợp lệ (invalid date): "${text}"; cần dạng YYYY-MM-DD, ví dụ 2026-02-10`)
  parseYear(text.slice(0, 4))
  return text
}

function parseWorkingDayCount(text: string): number {
  if (!/^\d+$/.test(text)) throw new Error(`số ngày làm việc không hợp lệ (invalid number of working days): "${text}"; cần số nguyên ≥ 0`)
  return Number(text)
}

/** Adds `calendar holidays` and `calendar add-workdays`, on the statutory calendar without city overrides. */
export function registerCalendarCommands(program: Command): void {
  const calendar = program.command('calendar').description('lịch ngày làm việc (working-day calendar)')
  calendar
    .command('holidays')
    .description('ngày nghỉ lễ, Tết và nghỉ bù của một năm (public holidays of a year)')
    .argument('<year>', 'năm dương lịch, ví dụ 2026')
    .option('--json', 'JSON output')
    .action((yearText: string, options: { json?: boolean }) => {
      const holidays = NATIONAL_CALENDAR.holidays(parseYear(yearText))
      const lines = options.json
        ? [JSON.stringify(holidays, null, 2)]
        : holidays.map(({ date, name }) => `${date}  ${WEEKDAY_NAMES[weekdayOf(epochDayOf(date))]?.padEnd(8)}  ${name}`)
      process.stdout.write(`${lines.join('\n')}\n`)
    })
  calendar
    .command('add-workdays')
    .description('ngày làm việc thứ N kể từ một ngày (the date N working days later)')
    .argument('<date>', 'ngày bắt đầu, dạng YYYY-MM-DD')
    .argument('<n>', 'số ngày làm việc (≥ 0); 0: chính ngày đó nếu là ngày làm việc, nếu không thì ngày làm việc kế tiếp')
    .action((dateText: string, countText: string) => {
      process.stdout.write(`${addWorkingDays(parseDate(dateText), parseWorkingDayCount(countText))}\n`)
    })
}
