import { expect, test } from '@playwright/test'
import { startBrowserModeHost, type BrowserModeHost } from '../helpers/browser-mode-host'
import { CounterScreen, DisplayBoard, KioskScreen, keepScreenshot } from '../helpers/screens'

let host: BrowserModeHost

test.beforeAll(async () => {
  host = await startBrowserModeHost()
})
test.afterAll(async () => {
  await host.stop()
})

/** A Tuesday morning in Đà Nẵng: a working day, with today's 09:00 appointments open for check-in. */
const TUESDAY_0850 = new Date('2026-11-24T08:50:00+07:00')

test('a working day: priorities, no-show and return, transfer, appointment check-in, rating and statistics', async ({ context }, testInfo) => {
  await context.clock.setFixedTime(TUESDAY_0850)
  const kiosk = await new KioskScreen(await context.newPage()).open(host.url('kiosk'))
  const counter1 = await new CounterScreen(await context.newPage()).open(host.url('counter/1'), 1)
  const counter2 = await new CounterScreen(await context.newPage()).open(host.url('counter/2'), 2)
  const display = await new DisplayBoard(await context.newPage()).open(host.url('display'))
  await counter1.signIn('Trần Thị Lan')
  await counter2.signIn('Lê Văn Minh')

  // Morning tickets: two residents, an elderly resident, and a certification.
  expect(await kiosk.takeTicket(/Hộ tịch/)).toBe('A001')
  expect(await kiosk.takeTicket(/Hộ tịch/)).toBe('A002')
  expect(await kiosk.takeTicket(/Hộ tịch/, 'Người cao tuổi')).toBe('A003')
  expect(await kiosk.takeTicket(/Chứng thực/)).toBe('B001')
  await keepScreenshot(kiosk.page, testInfo, 'kiosk-with-waits')

  // The elderly resident goes first, but is not at the desk: no-show, then back from the kiosk.
  expect(await counter1.callNext()).toBe('A003')
  await display.expectCalling('A003', 1)
  await counter1.press('Gọi lại')
  await counter1.press('Vắng mặt')
  await kiosk.returnMissedTicket('A003')

  // Counter 2 calls the returned priority ticket and sends the resident to counter 1.
  expect(await counter2.callNext()).toBe('A003')
  await display.expectCalling('A003', 2)
  await counter2.transferToCounter(1)
  expect(await counter1.callNext()).toBe('A003')
  await counter1.press('Hoàn thành')

  // Counter 1 weighs hộ tịch twice as much as chứng thực: A001 before B001.
  expect(await counter1.callNext()).toBe('A001')
  await display.expectCalling('A001', 1)

  // A resident books at the kiosk for 09:00 and checks in with the slip's code: a priority ticket.
  const code = await kiosk.bookToday(/Hộ tịch/, '0905123456')
  expect(code).toMatch(/^[A-HJ-NP-Z2-9]{8}$/)
  const appointmentTicket = await kiosk.checkIn(`MCAPT1:${code}`)
  expect(appointmentTicket).toBe('A004')
  // Counter 2's last call was a priority one, the streak limit is 2: the appointment goes next.
  expect(await counter2.callNext()).toBe('A004')
  await counter2.press('Hoàn thành')

  // The served resident rates the service at the kiosk.
  await kiosk.rate('Rất hài lòng', 'A003')

  // Statistics at counter 1, and the CSV a clerk downloads.
  await counter1.page.getByRole('button', { name: 'Thống kê' }).click()
  const total = counter1.page.getByTestId('stats-all')
  await expect(total.getByRole('row').nth(1)).toContainText('Tổng')
  await expect(total.getByRole('row').nth(1).getByRole('cell').nth(1)).toHaveText('5')
  await expect(counter1.page.getByTestId('stats-clerk')).toContainText('Trần Thị Lan')
  const [download] = await Promise.all([counter1.page.waitForEvent('download'), counter1.page.getByRole('button', { name: 'Tải về CSV' }).click()])
  const csvPath = testInfo.outputPath('thong-ke.csv')
  await download.saveAs(csvPath)
  const csv = (await import('node:fs')).readFileSync(csvPath, 'utf8')
  expect(csv.startsWith('\uFEFFNgày,Nhóm')).toBe(true)
  expect(csv).toContain('2026-11-24,Tổng,,Tổng,5,2,0')
  await keepScreenshot(counter1.page, testInfo, 'counter-statistics')
  await keepScreenshot(display.page, testInfo, 'display-end-of-morning')
})

test('check-in refuses a slip that is unknown, and says why in Vietnamese', async ({ context }) => {
  await context.clock.setFixedTime(TUESDAY_0850)
  const kiosk = await new KioskScreen(await context.newPage()).open(host.url('kiosk'))
  await kiosk.page.getByRole('button', { name: 'Tôi có lịch hẹn' }).click()
  await kiosk.page.getByLabel(/Quét mã QR trên phiếu hẹn/).fill('MCAPT1:ZZZZZZZZ')
  await kiosk.page.keyboard.press('Enter')
  await expect(kiosk.page.getByRole('alert')).toHaveText('Không tìm thấy lịch hẹn với mã này. Vui lòng kiểm tra lại mã.')
  await kiosk.page.getByLabel(/Quét mã QR trên phiếu hẹn/).fill('<script>alert(1)</script>')
  await kiosk.page.keyboard.press('Enter')
  await expect(kiosk.page.getByRole('alert')).toHaveText('Không tìm thấy lịch hẹn với mã này. Vui lòng kiểm tra lại mã.')
})

test('booking refuses a bad phone number and a mangled card QR, in Vietnamese', async ({ context }) => {
  await context.clock.setFixedTime(TUESDAY_0850)
  const kiosk = await new KioskScreen(await context.newPage()).open(host.url('kiosk'))
  const page = kiosk.page
  await page.getByRole('button', { name: 'Đặt lịch hẹn' }).click()
  await page.getByRole('button', { name: /Chứng thực/ }).click()
  await page.locator('.choice-row').first().getByRole('button').first().click()
  await page.getByRole('button', { name: /còn \d+ chỗ/ }).first().click()
  for (const digit of '12345') await page.getByRole('button', { name: digit, exact: true }).click()
  await page.getByRole('button', { name: 'Dùng số điện thoại này' }).click()
  await expect(page.getByRole('alert')).toContainText('Số điện thoại không hợp lệ')
  // A keyboard-wedge scanner dropped the accents of this card QR.
  await page.getByLabel('Quét mã QR trên thẻ căn cước').fill('048195001234||Nguyen Thi Hong Nhung|12031995|Nu|So 12 Le Duan, Phuong Hai Chau|15082021')
  await page.keyboard.press('Enter')
  await expect(page.getByRole('alert')).toContainText('chế độ USB-COM')
})
