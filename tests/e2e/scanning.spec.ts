import { execFileSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import { PROJECT_ROOT, startBrowserModeHost, type BrowserModeHost } from '../helpers/browser-mode-host'
import { PtyPair } from '../helpers/pty-pair'
import { CHROMIUM_ARGS, findChromium } from '../helpers/chromium'
import { writeFakeCameraVideo } from '../helpers/fake-camera'
import { cameraFramePosition, convert, DISTORTIONS, encodeQr, inCameraFrame } from '../helpers/qr-images'
import { keepScreenshot, wedgeScan } from '../helpers/screens'

// The camera is a video made before the browser starts: every distortion of the camera-frame
// set (the ones zxing reads under a webcam's noise), each inside a noisy, unevenly lit 1280×720
// frame, with a different Vietnamese payload so that each picture's code is told apart.
const dir = mkdtempSync(join(tmpdir(), 'motcua-camera-'))
// Each code sits where the CLI's and the benchmark's camera frames put it, so both read the same pictures.
const cameraSet = DISTORTIONS.map((distortion, index) => ({ distortion, index })).filter(({ distortion }) => distortion.inCameraFrame)
const payloads = cameraSet.map(({ distortion }, order) => `Mã thử ${order + 1}: ${distortion.name} – Phường Hải Châu, Đà Nẵng`)
const pictures = cameraSet.map(({ distortion, index }, order) => {
  const distorted = convert(encodeQr(payloads[order]!, join(dir, `qr-${index}.png`)), distortion.operations, join(dir, `qr-${index}-distorted.png`))
  return inCameraFrame(distorted, join(dir, `qr-${index}-frame.png`), cameraFramePosition(index))
})
const video = writeFakeCameraVideo(pictures, join(dir, 'camera.y4m'))

test.use({
  launchOptions: {
    executablePath: findChromium(),
    args: [...CHROMIUM_ARGS, '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${video}`],
  },
  permissions: ['camera'],
})

let host: BrowserModeHost
test.beforeAll(async () => {
  host = await startBrowserModeHost()
})
test.afterAll(async () => {
  await host.stop()
})

test('the camera reads every picture of the distorted set, in a Web Worker, with Vietnamese intact', async ({ page }, testInfo) => {
  test.setTimeout(180_000)
  await page.goto(host.url('technician'))
  await expect(page.locator('.camera-view video')).toBeVisible()
  const seen = new Set<string>()
  await expect
    .poll(
      async () => {
        for (const text of await page.locator('[data-testid="scans"] .scan-text').allTextContents()) seen.add(text)
        return payloads.filter((payload) => !seen.has(payload))
      },
      { timeout: 150_000, intervals: [500] },
    )
    .toEqual([])
  await expect(page.locator('[data-testid="scans"] tbody tr').first()).toContainText('camera')
  await keepScreenshot(page, testInfo, 'scanner-test-camera')
})

test("the kiosk's check-in camera reads a code and answers in Vietnamese", async ({ page }, testInfo) => {
  await page.goto(host.url('kiosk'))
  await page.getByRole('button', { name: 'Tôi có lịch hẹn' }).click()
  await expect(page.locator('.camera-view video')).toBeVisible()
  // The camera shows test codes, not appointment slips: the kiosk reads one and says it knows no such appointment.
  await expect(page.getByRole('alert')).toHaveText('Không tìm thấy lịch hẹn với mã này. Vui lòng kiểm tra lại mã.', { timeout: 30_000 })
  await keepScreenshot(page, testInfo, 'kiosk-check-in-camera')
})

test('a keyboard-wedge scan reaches the kiosk and never lands in a text field as typing', async ({ page }) => {
  await page.goto(host.url('kiosk'))
  await page.getByRole('button', { name: 'Tôi có lịch hẹn' }).click()
  const field = page.getByLabel(/Quét mã QR trên phiếu hẹn/)
  await expect(field).toBeFocused()
  // A scanner types a whole code in milliseconds and ends with Enter.
  await page.keyboard.type('MCAPT1:ZZZZZZZZ', { delay: 3 })
  await page.keyboard.press('Enter')
  await expect(page.getByRole('alert')).toHaveText('Không tìm thấy lịch hẹn với mã này. Vui lòng kiểm tra lại mã.')
  await expect(field).toHaveValue('')
})

test('a wedge scanner that drops the accents is named, with what to do, in Vietnamese', async ({ page }) => {
  await page.goto(host.url('technician'))
  await page.locator('body').click()
  await wedgeScan(page, '048195001234||Nguyen Thi Hong Nhung|12031995|Nu|So 12 Le Duan, Phuong Hai Chau|15082021')
  await expect(page.locator('.scanner-test').getByRole('alert')).toContainText('chế độ USB-COM')
  await expect(page.locator('[data-testid="scans"] tbody tr').first()).toContainText('wedge')
})

test('a handheld scanner in USB-COM mode reaches the kiosk through main', async ({ page }) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'motcua-serial-'))
  const scanner = new PtyPair(dataDir)
  await scanner.plugIn()
  execFileSync(process.execPath, [join(PROJECT_ROOT, 'bin/motcua.mjs'), 'device', 'set', '--data', dataDir, '--scanner-port', scanner.port])
  const serialHost = await startBrowserModeHost({ dataDir })
  try {
    await page.goto(serialHost.url('technician'))
    await expect(page.getByTestId('serial-scanner')).toContainText('đã kết nối', { timeout: 10_000 })
    await page.goto(serialHost.url('kiosk'))
    await expect(page.getByRole('heading', { name: 'Xin kính chào quý khách' })).toBeVisible()
    // A slip scanned on the start screen goes straight to check-in; this code has no appointment.
    scanner.send('MCAPT1:ZZZZZZZZ\r\n')
    await expect(page.getByRole('alert')).toHaveText('Không tìm thấy lịch hẹn với mã này. Vui lòng kiểm tra lại mã.')
  } finally {
    await serialHost.stop()
    await scanner.unplug()
  }
})
