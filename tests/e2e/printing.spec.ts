import { execFile } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { expect, test, type Page, type TestInfo } from '@playwright/test'
import { decodeImageFile } from '../../src/main/services/scan/image-file'
import { vietnamDay } from '../../src/shared/domain/time'
import { PROJECT_ROOT, startBrowserModeHost, type BrowserModeHost } from '../helpers/browser-mode-host'
import { closedPort, decodeEscPosTicket, rasterToPng, startFakePrinter, type FakePrinter } from '../helpers/fake-printer'

const run = promisify(execFile)

let printer: FakePrinter
let host: BrowserModeHost

test.beforeAll(async () => {
  printer = await startFakePrinter()
  const dataDir = mkdtempSync(join(tmpdir(), 'motcua-e2e-print-'))
  // Provisioned as a technician does it, before the host starts.
  await run(process.execPath, [
    join(PROJECT_ROOT, 'bin/motcua.mjs'),
    ...['device', 'set', '--data', dataDir, '--printer', 'network', '--printer-host', '127.0.0.1', '--printer-port', String(printer.port), '--paper-width', '80'],
  ])
  host = await startBrowserModeHost({ dataDir })
})
test.afterAll(async () => {
  await host.stop()
  await printer.close()
})

/** The resident touches a service; returns the number on the ticket card. */
async function takeTicket(page: Page, service: RegExp): Promise<string> {
  await page.goto(host.url('kiosk'))
  await expect(page.getByRole('heading', { name: 'Xin kính chào quý khách' })).toBeVisible()
  await page.getByRole('button', { name: service }).click()
  const ticket = page.getByTestId('issued-ticket')
  await expect(ticket).toBeVisible()
  return (await ticket.textContent())!.trim()
}

/**
 * What tesseract reads in a picture, as Vietnamese, as sparse text (--psm 11): the number is far
 * larger than the rest, which a uniform block (--psm 6) misses and automatic layout (--psm 3) drops
 * on some clock times printed under it. No tesseract is a broken test machine, never a reason to skip.
 */
async function readVietnamese(pngPath: string): Promise<string[]> {
  try {
    const { stdout } = await run('tesseract', [pngPath, '-', '--psm', '11', '-l', 'vie'])
    return stdout.split('\n').map((line) => line.trim()).filter(Boolean)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('tesseract is not installed: this test needs it (Debian: apt-get install tesseract-ocr tesseract-ocr-vie)')
    throw error
  }
}

async function keepPng(png: Buffer, testInfo: TestInfo, name: string): Promise<string> {
  const path = testInfo.outputPath(`${name}.png`)
  writeFileSync(path, png)
  await testInfo.attach(name, { path, contentType: 'image/png' })
  return path
}

test('a taken ticket comes out of the network thermal printer, its number readable and its QR scannable', async ({ page }, testInfo) => {
  const label = await takeTicket(page, /Hộ tịch/)

  const printed = decodeEscPosTicket(await printer.nextJob())
  expect(printed).toMatchObject({ initialised: true, cut: true, width: 576 })
  expect(printed.height).toBeGreaterThan(300)
  const pngPath = await keepPng(await rasterToPng(printed), testInfo, 'printed-ticket')

  // The number, and the Vietnamese text with its diacritics: drawn by the screen, not the printer's fonts.
  const lines = await readVietnamese(pngPath)
  expect(lines).toContain(label)
  expect(lines).toContain('Phường Hải Châu')
  expect(lines).toContain('Quý khách sẽ được gọi ngay')
  const codes = await decodeImageFile(pngPath)
  expect(codes.map((code) => code.text)).toEqual([`MCQ1:20242:${vietnamDay(Date.now())}:${label}`])
  await expect(page.getByRole('alert')).toHaveCount(0)
})

test('when the printer cannot be reached the resident keeps the number and is told so in Vietnamese', async ({ page }, testInfo) => {
  const technician = await page.context().newPage()
  await technician.goto(host.url('technician'))
  await technician.getByLabel('Cổng (mặc định 9100)').fill(String(await closedPort()))
  await technician.getByRole('button', { name: 'Lưu cấu hình' }).click()
  await expect(technician.getByRole('status')).toContainText('Đã lưu cấu hình.')

  const label = await takeTicket(page, /Chứng thực/)
  await expect(page.getByRole('alert')).toContainText(`Không in được phiếu. Số thứ tự ${label} của quý khách vẫn được giữ`)
  await expect(page.getByTestId('issued-ticket')).toHaveText(label)
  const path = testInfo.outputPath('print-failed.png')
  await page.screenshot({ path, fullPage: true })
  await testInfo.attach('print-failed', { path, contentType: 'image/png' })
})
