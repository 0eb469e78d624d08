import { expect, test } from '@playwright/test'
import { createCardEmulator } from '../../src/main/services/idcard/emulator/card-emulator'
import type { VpcdCard } from '../../src/main/services/idcard/emulator/vpcd'
import { startBrowserModeHost, type BrowserModeHost } from '../helpers/browser-mode-host'
import { SAMPLE_QR, sampleProfile } from '../helpers/idcard-card'
import { insertWhenListening, startPcscd, type PrivatePcscd } from '../helpers/pcscd'
import { KioskScreen, keepScreenshot } from '../helpers/screens'

// The kiosk in browser mode reads the emulated card through a real pcscd and vsmartcard's virtual reader.

/** A valid card QR of someone else: its key does not open the sample card. */
const OTHER_PERSON_QR = '048095001234||Trần Văn Khác|12031995|Nam|Số 2 Đường Thử Nghiệm, Phường Hải Châu, Thành phố Đà Nẵng|15082021'

let pcscd: PrivatePcscd
let host: BrowserModeHost
let card: VpcdCard
test.beforeAll(async () => {
  pcscd = await startPcscd()
  // The web host inherits this: its PC/SC client talks to the private pcscd.
  Object.assign(process.env, pcscd.env)
  host = await startBrowserModeHost()
  card = await insertWhenListening(createCardEmulator(await sampleProfile()), pcscd)
})
test.afterAll(async () => {
  await card?.remove()
  await host?.stop()
  await pcscd?.stop()
})

test('the kiosk reads the card after its QR and greets the resident with name and photo', async ({ page }, testInfo) => {
  const kiosk = await new KioskScreen(page).open(host.url('kiosk'))
  await kiosk.readIdCard(SAMPLE_QR)
  await expect(page.getByRole('heading', { name: 'Xin chào, Nguyễn Văn Mẫu' })).toBeVisible({ timeout: 20_000 })
  const photo = page.getByRole('img', { name: 'Nguyễn Văn Mẫu' })
  await expect(photo).toBeVisible()
  expect(await photo.evaluate((image: HTMLImageElement) => image.naturalWidth)).toBeGreaterThan(0)
  await keepScreenshot(page, testInfo, 'kiosk-id-card-read')
  await page.getByRole('button', { name: 'Xong' }).click()
  await expect(page.getByRole('heading', { name: 'Xin kính chào quý khách' })).toBeVisible()
})

test("a QR that does not open the card is answered in Vietnamese, asking for this card's QR or MRZ", async ({ page }) => {
  const kiosk = await new KioskScreen(page).open(host.url('kiosk'))
  await kiosk.readIdCard(OTHER_PERSON_QR)
  await expect(page.getByRole('alert')).toHaveText(
    'Mã QR hoặc MRZ không mở được thẻ này. Vui lòng quét mã QR trên chính thẻ này, hoặc ba dòng MRZ ở mặt sau thẻ.',
    { timeout: 20_000 },
  )
  // Scanning the right QR then reads the card without anything else to do.
  await page.getByLabel(/Quét mã QR ở mặt sau thẻ căn cước/).fill(SAMPLE_QR)
  await page.keyboard.press('Enter')
  await expect(page.getByRole('heading', { name: 'Xin chào, Nguyễn Văn Mẫu' })).toBeVisible({ timeout: 20_000 })
})

test('a resident books an appointment identified by the chip card, the identity sealed away', async ({ context }) => {
  // A Tuesday morning, so that today's slots are open whatever the test machine's clock says.
  await context.clock.setFixedTime(new Date('2026-11-24T08:50:00+07:00'))
  const page = await context.newPage()
  await new KioskScreen(page).open(host.url('kiosk'))
  await page.getByRole('button', { name: 'Đặt lịch hẹn' }).click()
  await page.getByRole('button', { name: /Hộ tịch/ }).click()
  await page.locator('.choice-row').first().getByRole('button').first().click()
  await page.getByRole('button', { name: /còn \d+ chỗ/ }).first().click()
  await page.getByRole('button', { name: 'Dùng thẻ căn cước gắn chip' }).click()
  await page.getByLabel(/Quét mã QR ở mặt sau thẻ căn cước/).fill(SAMPLE_QR)
  await page.keyboard.press('Enter')
  await expect(page.getByRole('heading', { name: 'Đặt lịch hẹn thành công' })).toBeVisible({ timeout: 20_000 })
  await expect(page.getByText('Người đặt: Nguyễn Văn Mẫu')).toBeVisible()
  // The log holds the booking, with the holder only as a sealed value.
  const stored = await page.evaluate(
    () =>
      new Promise<string>((resolve, reject) => {
        const open = indexedDB.open('motcua')
        open.onerror = () => reject(open.error)
        open.onsuccess = () => {
          const request = open.result.transaction('events').objectStore('events').getAll()
          request.onsuccess = () => resolve(JSON.stringify(request.result.filter((event: { type: string }) => event.type === 'appointment.booked')))
        }
      }),
  )
  expect(stored).toContain('"identifiedBy":"chipCard"')
  expect(stored).toContain('"alg":"A256GCM"')
  expect(stored).not.toContain('Nguyễn Văn Mẫu')
  expect(stored).not.toContain('048090012345')
})

test('a card whose data does not match its signature is refused as an identity, in Vietnamese', async ({ page }) => {
  await card.remove()
  card = await insertWhenListening(createCardEmulator(await sampleProfile(), { tamper: 'dg13' }), pcscd)
  try {
    const kiosk = await new KioskScreen(page).open(host.url('kiosk'))
    await kiosk.readIdCard(SAMPLE_QR)
    await expect(page.getByRole('alert')).toHaveText(/^Dữ liệu trên thẻ không khớp chữ ký của cơ quan cấp thẻ/, { timeout: 20_000 })
    await expect(page.getByRole('heading', { name: /Xin chào/ })).toHaveCount(0)
  } finally {
    await card.remove()
    card = await insertWhenListening(createCardEmulator(await sampleProfile()), pcscd)
  }
})

/** Asks main, as the screen does, whether a card is on a reader. */
async function cardOnAnyReader(): Promise<boolean> {
  const response = await fetch('/api/op/getIdCardPresence', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })
  const result = (await response.json()) as { value?: { readers: { cardPresent: boolean }[] } }
  if (!result.value) throw new Error(`getIdCardPresence answered ${JSON.stringify(result)}`)
  return result.value.readers.some((reader) => reader.cardPresent)
}

test('a resident who leaves while the kiosk waits for the card (back, or walking away) frees the reader for the next', async ({ page }) => {
  const kiosk = await new KioskScreen(page).open(host.url('kiosk'))
  // Installed once the app has started: the idle timer set when the flow opens runs on this clock.
  await page.clock.install()
  const welcome = page.getByRole('heading', { name: 'Xin kính chào quý khách' })
  const placeCard = page.getByText('Vui lòng đặt thẻ căn cước lên đầu đọc thẻ và giữ yên')
  await card.remove()
  try {
    // pcscd notices a card taken away only after a moment: wait until main sees the reader empty.
    await expect.poll(() => page.evaluate(cardOnAnyReader), { timeout: 10_000 }).toBe(false)
    await kiosk.readIdCard(SAMPLE_QR)
    await expect(placeCard).toBeVisible()
    await page.getByRole('button', { name: 'Quay lại' }).click()
    await expect(welcome).toBeVisible()

    await kiosk.readIdCard(SAMPLE_QR)
    await expect(placeCard).toBeVisible()
    // The kiosk's idle timeout (60 s without a touch) brings it home.
    await page.clock.runFor(61_000)
    await expect(welcome).toBeVisible()
  } finally {
    card = await insertWhenListening(createCardEmulator(await sampleProfile()), pcscd)
  }
  // Both reads were called off in main: the next one reads the card rather than finding the reader busy for a minute.
  await kiosk.readIdCard(SAMPLE_QR)
  await expect(page.getByRole('heading', { name: 'Xin chào, Nguyễn Văn Mẫu' })).toBeVisible({ timeout: 20_000 })
})
