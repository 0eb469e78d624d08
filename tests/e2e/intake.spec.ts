import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import { PROJECT_ROOT, startBrowserModeHost, startSigningHost, type BrowserModeHost } from '../helpers/browser-mode-host'
import { CounterScreen, keepScreenshot, wedgeScan } from '../helpers/screens'
import { createTestPki, nssDatabaseTrusting, pdfsigReport, type TestPki } from '../helpers/signing-pki'

let pki: TestPki
let host: BrowserModeHost
let unsignedHost: BrowserModeHost

test.beforeAll(async () => {
  pki = createTestPki('ecP256')
  host = await startSigningHost(pki)
  unsignedHost = await startBrowserModeHost()
})
test.afterAll(async () => {
  await host.stop()
  await unsignedHost.stop()
  pki.remove()
})

/** The clerk's steps up to the receive button: procedure by an unaccented search, then the applicant. */
async function fillDossier(page: Page, idNumber = '048195001234'): Promise<void> {
  await page.getByRole('button', { name: 'Tiếp nhận hồ sơ', exact: true }).click()
  await page.getByLabel(/Tìm thủ tục/).fill('dang ky ket hon')
  await page.getByRole('button', { name: /^Đăng ký kết hôn/ }).first().click()
  await expect(page.getByTestId('intake-procedure')).toContainText('Đăng ký kết hôn')
  await page.getByLabel('Họ và tên').fill('Nguyễn Thị Hồng Nhung')
  await page.getByLabel(/Số định danh cá nhân/).fill(idNumber)
  await page.getByLabel('Địa chỉ').fill('Số 12 Lê Duẩn, Phường Hải Châu, Thành phố Đà Nẵng')
}

test('a clerk receives a dossier and hands over a signed receipt that third-party verifiers accept', async ({ page }, testInfo) => {
  const counter = await new CounterScreen(page).open(host.url('counter/2'), 2)
  await counter.signIn('Trần Thị Lan')
  await fillDossier(page)
  await expect(page.getByTestId('return-at')).toContainText('Hẹn trả kết quả')
  await page.getByRole('button', { name: 'Tiếp nhận và ký giấy tiếp nhận' }).click()
  const done = page.locator('.intake-done')
  await expect(done).toContainText(/Đã tiếp nhận hồ sơ 48\.20242-\d{6}-\d{4}/)
  await keepScreenshot(page, testInfo, 'intake-done')

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Tải giấy tiếp nhận (PDF)' }).click()])
  const pdfPath = testInfo.outputPath('giay-tiep-nhan.pdf')
  await download.saveAs(pdfPath)
  const report = pdfsigReport(nssDatabaseTrusting(mkdtempSync(join(tmpdir(), 'nss-')), pki.rootPemPath), pdfPath)
  expect(report).toContain('Signature is Valid.')
  expect(report).toContain('Certificate is Trusted.')
  expect(report).toContain('Total document signed')
  const text = execFileSync('pdftotext', ['-layout', pdfPath, '-'], { encoding: 'utf8' })
  for (const expected of ['CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 'Độc lập - Tự do - Hạnh phúc', 'Nguyễn Thị Hồng Nhung', '048195001234', 'Đăng ký kết hôn']) expect(text).toContain(expected)
  await expect(page.getByTestId('dossiers-today')).toContainText('đã cấp giấy tiếp nhận')

  // The clerk checks the PDF in the app: signer, time, integrity and trust, in Vietnamese.
  await page.getByLabel('Chọn tệp PDF cần kiểm tra').setInputFiles(pdfPath)
  await expect(page.getByTestId('document-verdict')).toContainText('Chữ ký số HỢP LỆ và được tin cậy.')
  await expect(page.getByTestId('document-verdict')).toContainText('Nguyễn Văn An')

  // The resident shows the receipt's QR at the kiosk: the seal checks out offline and the dossier is found.
  execFileSync('pdftoppm', ['-r', '150', '-png', '-f', '1', '-l', '1', pdfPath, testInfo.outputPath('page')])
  const decoded = JSON.parse(execFileSync(process.execPath, [join(PROJECT_ROOT, 'bin/motcua.mjs'), 'qr', 'decode', testInfo.outputPath('page-1.png'), '--json'], { encoding: 'utf8' })) as { results: { text: string; kind: string }[] }
  const seal = decoded.results.find((result) => result.kind === 'receipt')!.text
  const kiosk = await page.context().newPage()
  await kiosk.goto(host.url('kiosk'))
  await expect(kiosk.getByRole('heading', { name: 'Xin kính chào quý khách' })).toBeVisible()
  await wedgeScan(kiosk, seal)
  await expect(kiosk.getByTestId('document-verdict')).toContainText('Con dấu HỢP LỆ')
  await expect(kiosk.getByRole('status')).toContainText('Tại máy này: hồ sơ 48.20242-')
  await keepScreenshot(kiosk, testInfo, 'kiosk-receipt-lookup')
})

test('a PDF that is not signed, and a forged seal, are refused in Vietnamese', async ({ page }, testInfo) => {
  await new CounterScreen(page).open(host.url('counter/1'), 1)
  await page.getByRole('button', { name: 'Tiếp nhận hồ sơ', exact: true }).click()
  const unsigned = testInfo.outputPath('unsigned.pdf')
  writeFileSync(unsigned, '%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n')
  await page.getByLabel('Chọn tệp PDF cần kiểm tra').setInputFiles(unsigned)
  await expect(page.getByTestId('document-verdict')).toContainText('KHÔNG HỢP LỆ')
  const kiosk = await page.context().newPage()
  await kiosk.goto(host.url('kiosk'))
  await expect(kiosk.getByRole('heading', { name: 'Xin kính chào quý khách' })).toBeVisible()
  await wedgeScan(kiosk, 'MC1:6BFOXN*TS0BI$ZD.P9UOL97O4-2HH77HRM3HSUU0YN7OZ9')
  await expect(kiosk.getByTestId('document-verdict')).toContainText('KHÔNG HỢP LỆ')
})

test('the intake refuses a wrong ID number before anything is recorded, in Vietnamese', async ({ page }) => {
  await new CounterScreen(page).open(host.url('counter/1'), 1)
  await fillDossier(page, '12345')
  await expect(page.getByRole('note')).toHaveText('Số định danh cá nhân phải gồm đúng 12 chữ số.')
  await expect(page.getByRole('button', { name: 'Tiếp nhận và ký giấy tiếp nhận' })).toBeDisabled()
})

test('without a signing key the dossier is still recorded, and the clerk is told why there is no receipt', async ({ page }) => {
  await new CounterScreen(page).open(unsignedHost.url('counter/1'), 1)
  await fillDossier(page)
  await page.getByRole('button', { name: 'Tiếp nhận và ký giấy tiếp nhận' }).click()
  await expect(page.getByRole('alert')).toContainText('đã được ghi nhận nhưng chưa ký được giấy tiếp nhận')
  await expect(page.getByRole('alert')).toContainText('chưa có khoá ký số')
  await expect(page.getByTestId('dossiers-today')).toContainText('chưa có giấy tiếp nhận')
})
