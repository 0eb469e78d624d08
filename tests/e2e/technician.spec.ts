import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import { startBrowserModeHost, type BrowserModeHost } from '../helpers/browser-mode-host'
import { DisplayBoard, keepScreenshot } from '../helpers/screens'

let host: BrowserModeHost

test.beforeAll(async () => {
  host = await startBrowserModeHost()
})
test.afterAll(async () => {
  await host.stop()
})

test('a technician provisions counters; the display follows live; bad values are refused in Vietnamese', async ({ context }, testInfo) => {
  const technician = await context.newPage()
  await technician.goto(host.url('technician'))
  await expect(technician.getByRole('heading', { name: 'Kỹ thuật viên' })).toBeVisible()
  await expect(technician.getByTestId('storage-usage')).toContainText('Đã dùng')
  const display = await new DisplayBoard(await context.newPage()).open(host.url('display'))
  await expect(display.page.getByTestId('display-counter-4')).toHaveCount(0)

  // Counter 9 of 3 counters cannot be: refused, with the reason on screen, and nothing saved.
  await technician.getByLabel('Số quầy của máy này').fill('9')
  await technician.getByRole('button', { name: 'Lưu cấu hình' }).click()
  await expect(technician.getByRole('alert')).toContainText('Dữ liệu không hợp lệ')
  await keepScreenshot(technician, testInfo, 'technician-refused')

  await technician.getByLabel('Số quầy của máy này').fill('1')
  await technician.getByLabel('Số quầy của đơn vị').fill('4')
  await technician.getByRole('button', { name: 'Lưu cấu hình' }).click()
  await expect(technician.getByRole('status')).toContainText('Đã lưu cấu hình.')
  await expect(display.page.getByTestId('display-counter-4')).toBeVisible()
  await keepScreenshot(technician, testInfo, 'technician-saved')
})

test('the role switcher lives in technician mode only', async ({ context }) => {
  const technician = await context.newPage()
  await technician.goto(host.url('technician'))
  await technician.getByRole('link', { name: /Ki-ốt lấy số/ }).click()
  await expect(technician.getByRole('heading', { name: 'Xin kính chào quý khách' })).toBeVisible()
  await expect(technician.getByRole('link', { name: /Mở màn hình/ })).toHaveCount(0)
})

test('a role the device is not set up for gets a Vietnamese explanation', async ({ page }) => {
  await page.goto(host.url('admin'))
  await expect(page.getByRole('alert')).toContainText('chưa được cấu hình cho vai trò')
})

test('without the token the host shows how to get in, in Vietnamese', async ({ page }) => {
  await page.goto(`${host.origin}/`)
  await expect(page.getByText('Cần mã truy cập')).toBeVisible()
})

test('a damaged configuration file is set aside, and the technician is told where it went', async ({ page }) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'motcua-damaged-'))
  writeFileSync(join(dataDir, 'device.json'), '{"deviceId": "half-writ')
  const damagedHost = await startBrowserModeHost({ dataDir })
  try {
    await page.goto(damagedHost.url('technician'))
    await expect(page.getByRole('alert')).toContainText('Tệp cấu hình bị hỏng')
    await expect(page.getByRole('alert')).toContainText('device.json.damaged-')
    expect(readdirSync(dataDir).some((name) => name.startsWith('device.json.damaged-'))).toBe(true)
  } finally {
    await damagedHost.stop()
  }
})
