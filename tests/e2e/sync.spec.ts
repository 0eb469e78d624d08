import { expect, test, type Page } from '@playwright/test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startRelayServer, type RelayServer } from '../../src/relay/server'
import { startBrowserModeHost, type BrowserModeHost } from '../helpers/browser-mode-host'
import { CounterScreen, KioskScreen, keepScreenshot } from '../helpers/screens'

/**
 * Two devices of one ward, each its own browser-mode host with its own data folder and its own
 * origin (so its own IndexedDB): the kiosk and the counter, and the ward's hub between them.
 */
const WARD = '20242'
let hubDir: string
let hub: RelayServer
let kioskHost: BrowserModeHost
let counterHost: BrowserModeHost

test.beforeAll(async () => {
  hubDir = mkdtempSync(join(tmpdir(), 'motcua-e2e-hub-'))
  hub = await startRelayServer({ role: 'hub', wardCode: WARD, dataDir: hubDir, host: '127.0.0.1', port: 0, log: () => undefined })
  ;[kioskHost, counterHost] = await Promise.all([startBrowserModeHost(), startBrowserModeHost()])
})
test.afterAll(async () => {
  await Promise.all([kioskHost?.stop(), counterHost?.stop()])
  await hub?.close()
  rmSync(hubDir, { recursive: true, force: true })
})

/** What the technician does at each device: type the hub's address and the ward's enrolment code. */
async function enrol(page: Page, host: BrowserModeHost): Promise<void> {
  await page.goto(host.url('technician'))
  const panel = page.getByTestId('sync-panel')
  await expect(panel.getByRole('heading', { name: 'Đồng bộ dữ liệu' })).toBeVisible()
  await panel.getByLabel('Địa chỉ máy chủ').fill(hub.url)
  await panel.getByLabel('Mã đăng ký (16 ký tự)').fill(hub.enrollmentCode(WARD))
  await panel.getByTestId('sync-apply').click()
  await expect(panel.getByText('Đã cấu hình đồng bộ.')).toBeVisible()
  await expect(panel.getByText(hub.url)).toBeVisible()
}

test('a wrong enrolment code is refused with a Vietnamese message before any sync is set up', async ({ page }) => {
  await page.goto(counterHost.url('technician'))
  const panel = page.getByTestId('sync-panel')
  await panel.getByLabel('Địa chỉ máy chủ').fill(hub.url)
  await panel.getByLabel('Mã đăng ký (16 ký tự)').fill('AAAAAAAAAAAAAAAA')
  await panel.getByTestId('sync-apply').click()
  await expect(panel.getByText('Không có quyền thực hiện thao tác này.')).toBeVisible()
  await expect(panel.getByTestId('sync-last-error')).toContainText('Mã đăng ký không đúng')
})

test("the kiosk's ticket reaches the counter through the hub, and the counter says so in Vietnamese", async ({ browser }, testInfo) => {
  const kioskContext = await browser.newContext()
  const counterContext = await browser.newContext()
  await enrol(await kioskContext.newPage(), kioskHost)
  await enrol(await counterContext.newPage(), counterHost)

  const counter = await new CounterScreen(await counterContext.newPage()).open(counterHost.url('counter'), 1)
  await counter.expectWaiting(0)
  const kiosk = await new KioskScreen(await kioskContext.newPage()).open(kioskHost.url('kiosk'))
  const label = await kiosk.takeTicket(/Hộ tịch/)

  // The counter's engine long-polls the hub: the ticket shows up without a reload.
  await counter.expectWaiting(1)
  await expect(counter.page.getByText(label)).toBeVisible()
  await expect(counter.page.getByTestId('sync-status')).toHaveText(/^Đã đồng bộ lúc \d{2}:\d{2}$/)
  await keepScreenshot(counter.page, testInfo, 'counter-synced')

  // The counter's call travels back the same way; the kiosk's outbox is empty.
  expect(await counter.callNext()).toBe(label)
  const technician = await kioskContext.newPage()
  await technician.goto(kioskHost.url('technician'))
  await expect(technician.getByTestId('sync-pending')).toHaveText('0 sự kiện (0 B) và 0 tệp hồ sơ (0 B)')
  await expect(technician.getByTestId('sync-last-error')).toHaveText('Chưa có')
  await technician.getByTestId('sync-panel').scrollIntoViewIfNeeded()
  await keepScreenshot(technician, testInfo, 'technician-sync')
  await Promise.all([kioskContext.close(), counterContext.close()])
})
