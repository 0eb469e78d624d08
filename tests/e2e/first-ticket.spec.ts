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

test('a resident takes a ticket, a clerk calls it, the display shows it: three windows, one profile, live', async ({ context }, testInfo) => {
  const kiosk = await new KioskScreen(await context.newPage()).open(host.url('kiosk'))
  const counter = await new CounterScreen(await context.newPage()).open(host.url('counter'), 1)
  const display = await new DisplayBoard(await context.newPage()).open(host.url('display'))
  await keepScreenshot(kiosk.page, testInfo, 'kiosk-welcome')

  const first = await kiosk.takeTicket(/Hộ tịch/)
  const second = await kiosk.takeTicket(/Chứng thực/)
  expect(first).toBe('A001')
  expect(second).toBe('B001')
  await counter.expectWaiting(2)

  expect(await counter.callNext()).toBe('A001')
  await counter.expectWaiting(1)
  await keepScreenshot(counter.page, testInfo, 'counter-calling')
  await display.expectCalling('A001', 1)
  await keepScreenshot(display.page, testInfo, 'display-calling')

  expect(await counter.callNext()).toBe('B001')
  await display.expectCalling('B001', 1)
  await expect(display.page.getByText('A001 → Quầy 1')).toBeVisible()
})

test('the queue survives a reload: state is a fold of the log kept in IndexedDB', async ({ context }) => {
  const kiosk = await new KioskScreen(await context.newPage()).open(host.url('kiosk'))
  const label = await kiosk.takeTicket(/Cư trú|thường trú/)
  const counter = await new CounterScreen(await context.newPage()).open(host.url('counter/3'), 3)
  await counter.page.reload()
  await expect(counter.page.getByText(label)).toBeVisible()
})

test('the kiosk switches to English and back', async ({ context }) => {
  const kiosk = await new KioskScreen(await context.newPage()).open(host.url('kiosk'))
  await kiosk.page.getByRole('button', { name: 'English' }).click()
  await expect(kiosk.page.getByRole('heading', { name: 'Welcome' })).toBeVisible()
  await kiosk.page.getByRole('button', { name: 'Tiếng Việt' }).click()
  await expect(kiosk.page.getByRole('heading', { name: 'Xin kính chào quý khách' })).toBeVisible()
})
