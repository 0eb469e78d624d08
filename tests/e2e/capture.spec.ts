import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import { PDFDocument } from 'pdf-lib'
import { startBrowserModeHost, startSigningHost, type BrowserModeHost } from '../helpers/browser-mode-host'
import { CHROMIUM_ARGS, findChromium } from '../helpers/chromium'
import { CAMERA_HEIGHT, CAMERA_WIDTH, writeFakeCameraVideo } from '../helpers/fake-camera'
import { makeFlatScan, makePagePhoto } from '../helpers/page-photos'
import { CaptureBoardScreen, CounterScreen, keepScreenshot } from '../helpers/screens'
import { createTestPki, nssDatabaseTrusting, pdfsigReport, runTool, type TestPki } from '../helpers/signing-pki'

// The camera shows two photographed pages in turn, two seconds each, at different places in the
// frame: auto-capture takes each as it holds still, and again when the other one comes.
const dir = mkdtempSync(join(tmpdir(), 'motcua-capture-'))
const photoSize = { width: CAMERA_WIDTH, height: CAMERA_HEIGHT }
const photos = [
  makePagePhoto({ dir, name: 'page-a', photoSize, texture: 'plasma', corners: [{ x: 420, y: 40 }, { x: 880, y: 55 }, { x: 905, y: 690 }, { x: 395, y: 675 }] }),
  makePagePhoto({ dir, name: 'page-b', photoSize, texture: 'noise', lineCount: 12, seed: 3, corners: [{ x: 300, y: 60 }, { x: 760, y: 48 }, { x: 790, y: 680 }, { x: 320, y: 700 }] }),
]
const video = writeFakeCameraVideo(
  photos.map((photo) => photo.photoPath),
  join(dir, 'camera.y4m'),
)

test.use({
  launchOptions: {
    executablePath: findChromium(),
    args: [...CHROMIUM_ARGS, '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${video}`],
  },
  permissions: ['camera'],
})

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

const DOSSIER_CODE = /48\.20242-\d{6}-\d{4}/

/** Receives a marriage-registration dossier and returns its code. */
async function receiveDossier(page: Page): Promise<string> {
  await page.getByRole('button', { name: 'Tiếp nhận hồ sơ', exact: true }).click()
  await page.getByLabel(/Tìm thủ tục/).fill('dang ky ket hon')
  await page.getByRole('button', { name: /^Đăng ký kết hôn/ }).first().click()
  await page.getByLabel('Họ và tên').fill('Nguyễn Thị Hồng Nhung')
  await page.getByLabel(/Số định danh cá nhân/).fill('048195001234')
  await page.getByLabel('Địa chỉ').fill('Số 12 Lê Duẩn, Phường Hải Châu, Thành phố Đà Nẵng')
  await page.getByRole('button', { name: 'Tiếp nhận và ký giấy tiếp nhận' }).click()
  const dossiers = page.getByTestId('dossiers-today')
  await expect(dossiers).toContainText(DOSSIER_CODE, { timeout: 30_000 })
  return DOSSIER_CODE.exec((await dossiers.textContent())!)![0]
}

/** Every record of the capture tables, as stored in IndexedDB: what someone reading the disk would find. */
async function storedCaptureRecords(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('motcua')
      request.onsuccess = () => resolve(request.result)
      request.onerror = () => reject(request.error)
    })
    const all = async (store: string): Promise<unknown[]> =>
      new Promise((resolve, reject) => {
        const request = db.transaction(store).objectStore(store).getAll()
        request.onsuccess = () => resolve(request.result as unknown[])
        request.onerror = () => reject(request.error)
      })
    const records = { blobs: await all('blobs'), captureBoards: await all('captureBoards'), events: await all('events') }
    db.close()
    return JSON.stringify(records)
  })
}

test('a clerk photographs two papers, reorders and turns pages, and gets one signed PDF that survives a reload', async ({ page }, testInfo) => {
  test.setTimeout(300_000)
  const counter = await new CounterScreen(page).open(host.url('counter/2'), 2)
  await counter.signIn('Trần Thị Lan')
  const code = await receiveDossier(page)
  const board = new CaptureBoardScreen(page, code)
  await expect(board.board).toBeVisible()
  await expect(board.board.getByRole('radio', { name: 'Màu' })).toBeChecked()

  const firstPaperPages = await board.photograph(1, 2)
  await keepScreenshot(page, testInfo, 'capture-paper-1')
  const secondPaperPages = await board.photograph(2, 1)
  expect(firstPaperPages).toBeGreaterThanOrEqual(2)

  // Reorder with the keyboard/touch buttons: page 2 goes first.
  const before = await board.pageHashes(1)
  await board.pageButton('Lên trước', 1, 2).click()
  await expect.poll(() => board.pageHashes(1)).toEqual([before[1], before[0], ...before.slice(2)])

  // Turn the second paper's first page a quarter: a new page, landscape now, in the same place.
  const upright = await board.pages(2).first().getAttribute('data-size')
  // A photographed paper that is not a map or drawing: A4 at 200 dpi, whatever the camera's resolution.
  expect(upright).toBe('1654x2339')
  const [width, height] = upright!.split('x')
  await board.pageButton('Xoay', 2, 1).click()
  await expect(board.pages(2).first()).toHaveAttribute('data-size', `${height}x${width}`)
  await expect(board.pages(2)).toHaveCount(secondPaperPages)
  await expect(board.pages(2).first().locator('img')).toBeVisible()

  const total = firstPaperPages + secondPaperPages
  const summary = await board.finish()
  expect(summary).toMatch(new RegExp(`^Đã số hoá: ${code.replaceAll('.', '\\.')}\\.1\\.pdf · ${total} trang · [\\d.]+ (KB|MB)$`))
  await keepScreenshot(page, testInfo, 'capture-finished')
  await expect(page.getByTestId('dossiers-today')).toContainText(`đã số hoá (${total} trang)`)

  const [download] = await Promise.all([page.waitForEvent('download'), board.board.getByRole('link', { name: 'Tải tệp PDF đã ký' }).click()])
  const pdfPath = testInfo.outputPath(`${code}.1.pdf`)
  await download.saveAs(pdfPath)
  expect(download.suggestedFilename()).toBe(`${code}.1.pdf`)
  const report = pdfsigReport(nssDatabaseTrusting(mkdtempSync(join(tmpdir(), 'nss-')), pki.rootPemPath), pdfPath)
  expect(report).toContain('Signature is Valid.')
  expect(report).toContain('Certificate is Trusted.')
  expect(report).toContain('Total document signed')
  const info = execFileSync('pdfinfo', ['-f', '1', '-l', String(total), pdfPath], { encoding: 'utf8' })
  expect(info).toMatch(new RegExp(`^Pages:\\s+${total}$`, 'm'))
  // The turned page (the second paper's first, after all of the first paper's) lies landscape.
  const sizes = [...info.matchAll(/^Page\s+(\d+) size:\s+([\d.]+) x ([\d.]+) pts/gm)].map((match) => ({ page: Number(match[1]), landscape: Number(match[2]) > Number(match[3]) }))
  expect(sizes.filter((size) => size.landscape).map((size) => size.page)).toEqual([firstPaperPages + 1])
  const text = execFileSync('pdftotext', [pdfPath, '-'], { encoding: 'utf8' })
  expect(text).toContain('Người số hoá: Trần Thị Lan')

  // At rest: sealed bytes only. No page, thumbnail or name in clear in IndexedDB.
  const stored = await storedCaptureRecords(page)
  expect(stored).toContain('"alg":"A256GCM"')
  // A JPEG or PDF in clear would be a JSON string starting with its base64 header; inside ciphertext "/9j/" turns up by chance.
  for (const clear of ['"/9j/', '"JVBER', 'Nguyễn Thị Hồng Nhung', 'thumbnailBase64']) expect(stored).not.toContain(clear)

  // A reload: the pages, their order and thumbnails, and the PDF are all still there.
  const ordered = await board.pageHashes(1)
  await page.reload()
  await expect(page.getByRole('heading', { name: 'Quầy số 2' })).toBeVisible()
  await page.getByRole('button', { name: 'Tiếp nhận hồ sơ', exact: true }).click()
  await page.getByRole('button', { name: `Số hoá giấy tờ hồ sơ ${code}` }).click()
  await expect(board.pages(1)).toHaveCount(firstPaperPages)
  await expect(board.pages(2)).toHaveCount(secondPaperPages)
  expect(await board.pageHashes(1)).toEqual(ordered)
  await expect(board.pages(1).first().locator('img')).toBeVisible()
  await expect(board.board.getByTestId('digitized-pdf')).toContainText(`${code}.1.pdf · ${total} trang`)
  await expect(board.board.getByRole('link', { name: 'Tải tệp PDF đã ký' })).toBeVisible()
  await keepScreenshot(page, testInfo, 'capture-after-reload')
})

test('a file that is not an image is refused in Vietnamese, and a failed PDF keeps the captured pages', async ({ page }, testInfo) => {
  test.setTimeout(180_000)
  // No signing key on this host: building the signed PDF fails in main.
  await new CounterScreen(page).open(unsignedHost.url('counter/1'), 1)
  const code = await receiveDossier(page)
  const board = new CaptureBoardScreen(page, code)

  const notAnImage = testInfo.outputPath('giay-khai-sinh.jpg')
  writeFileSync(notAnImage, 'Đây là một tệp văn bản, không phải ảnh.\n')
  await board.importFiles(1, [notAnImage])
  await expect(board.board.getByRole('alert')).toHaveText('Tệp “giay-khai-sinh.jpg” không phải ảnh (JPEG, PNG, TIFF, WebP). Vui lòng chọn tệp ảnh.')
  await expect(board.pages(1)).toHaveCount(0)
  // Over the contract's 32 MB: said before the file is read or sent.
  await board.board.getByLabel('Chọn tệp ảnh hoặc PDF để nhập').setInputFiles({ name: 'ban-quet-600dpi.tif', mimeType: 'image/tiff', buffer: Buffer.alloc(33 * 1024 * 1024) })
  await expect(board.board.getByRole('alert')).toHaveText('Tệp “ban-quet-600dpi.tif” lớn hơn 32 MB. Vui lòng quét với độ phân giải thấp hơn hoặc chọn tệp JPEG.')
  await expect(board.pages(1)).toHaveCount(0)

  await board.board.getByLabel('Chọn tệp ảnh hoặc PDF để nhập').setInputFiles([photos[0]!.photoPath])
  await expect(board.pages(1)).toHaveCount(1, { timeout: 60_000 })
  await board.board.getByRole('button', { name: 'Xong', exact: true }).click()

  await board.board.getByRole('button', { name: 'Hoàn tất số hoá' }).click()
  await expect(board.board.getByRole('alert')).toContainText('Chưa tạo được tệp PDF; các trang đã chụp vẫn được giữ nguyên.')
  await expect(board.board.getByRole('alert')).toContainText('chưa có khoá ký số')
  await expect(board.pages(1)).toHaveCount(1)
  await expect(page.getByTestId('dossiers-today')).not.toContainText('đã số hoá')

  await page.reload()
  await page.getByRole('button', { name: 'Tiếp nhận hồ sơ', exact: true }).click()
  await page.getByRole('button', { name: `Số hoá giấy tờ hồ sơ ${code}` }).click()
  await expect(board.pages(1)).toHaveCount(1)
})

/** What an office scanner saves: one JPEG per page, each page the size of its picture at the scan's dpi. */
async function scannerPdf(scans: readonly string[], dpi: number): Promise<Uint8Array> {
  const doc = await PDFDocument.create()
  for (const scan of scans) {
    const image = await doc.embedJpg(readFileSync(scan))
    const size = { width: (image.width * 72) / dpi, height: (image.height * 72) / dpi }
    doc.addPage([size.width, size.height]).drawImage(image, { x: 0, y: 0, ...size })
  }
  return doc.save()
}

test('a clerk imports a scanner’s PDF: its pages go on the board in order, and a locked PDF is refused in Vietnamese', async ({ page }, testInfo) => {
  test.setTimeout(180_000)
  await new CounterScreen(page).open(unsignedHost.url('counter/3'), 3)
  const code = await receiveDossier(page)
  const board = new CaptureBoardScreen(page, code)

  const portrait = makeFlatScan({ dir, name: 'pdf-page-1', dpi: 200 })
  const landscape = makeFlatScan({ dir, name: 'pdf-page-2', dpi: 200, landscape: true, lineCount: 6 })
  const pdfPath = testInfo.outputPath('ho-so-quet.pdf')
  writeFileSync(pdfPath, await scannerPdf([portrait.scanPath, landscape.scanPath], 200))

  // A map: its pages are made at 300 dpi.
  await expect(board.drawingSwitch(1)).not.toBeChecked()
  // Clicked, not check(): the box shows the board once it is saved, a moment after the click.
  await board.drawingSwitch(1).click()
  await expect(board.drawingSwitch(1)).toBeChecked()

  // Locked with a password: refused before any page is drawn, in words the clerk can act on.
  const lockedPath = testInfo.outputPath('ho-so-khoa.pdf')
  runTool('qpdf', ['--encrypt', 'mat-khau', 'mat-khau-chu', '256', '--', pdfPath, lockedPath])
  await board.importFiles(1, [lockedPath])
  await expect(board.board.getByRole('alert')).toHaveText('Tệp PDF này có đặt mật khẩu (mã hoá) nên không nhập được. Vui lòng quét lại giấy tờ hoặc xin tệp không đặt mật khẩu.')
  await expect(board.pages(1)).toHaveCount(0)

  await board.board.getByLabel('Chọn tệp ảnh hoặc PDF để nhập').setInputFiles([pdfPath])
  await expect(board.board.getByRole('status').filter({ hasText: /^Đang nhập tệp PDF: trang [12] \/ 2$/ })).toBeVisible()
  await expect(board.pages(1)).toHaveCount(2, { timeout: 90_000 })
  await expect(board.board.getByRole('status').filter({ hasText: 'Đang nhập tệp PDF' })).toHaveCount(0)
  await expect(board.board.getByRole('alert')).toHaveCount(0)
  // In the PDF's order: the portrait page first, then the landscape one, both A4 at 300 dpi.
  const sizes = await board.pages(1).evaluateAll((items) => items.map((item) => item.getAttribute('data-size')))
  expect(sizes).toEqual(['2480x3508', '3508x2480'])
  await keepScreenshot(page, testInfo, 'capture-pdf-imported')

  // The paper is still a map after a reload.
  await page.reload()
  await page.getByRole('button', { name: 'Tiếp nhận hồ sơ', exact: true }).click()
  await page.getByRole('button', { name: `Số hoá giấy tờ hồ sơ ${code}` }).click()
  await expect(board.pages(1)).toHaveCount(2)
  await expect(board.drawingSwitch(1)).toBeChecked()
  await expect(board.drawingSwitch(2)).not.toBeChecked()
})
