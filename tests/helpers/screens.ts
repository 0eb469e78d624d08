import { expect, type Locator, type Page, type TestInfo } from '@playwright/test'

/** Test drivers: each method is one thing a resident, clerk or technician does on a screen. */
export class KioskScreen {
  constructor(readonly page: Page) {}

  async open(url: string): Promise<this> {
    await this.page.goto(url)
    await expect(this.page.getByRole('heading', { name: 'Xin kính chào quý khách' })).toBeVisible()
    return this
  }

  /** Touches a service (after a priority group, if given) and returns the number printed on the ticket card. */
  async takeTicket(serviceName: string | RegExp, priorityGroup?: string): Promise<string> {
    if (priorityGroup) await this.page.getByRole('button', { name: priorityGroup }).click()
    await this.page.getByRole('button', { name: serviceName }).click()
    return this.readTicketAndClose()
  }

  async readTicketAndClose(): Promise<string> {
    const ticket = this.page.getByTestId('issued-ticket')
    await expect(ticket).toBeVisible()
    const label = (await ticket.textContent())!.trim()
    await this.page.getByRole('button', { name: 'Xong' }).click()
    return label
  }

  /** A resident who missed their call puts their number back in the queue. */
  async returnMissedTicket(label: string): Promise<void> {
    await this.page.getByRole('button', { name: 'Tôi bị gọi nhỡ số' }).click()
    await this.page.getByRole('button', { name: label, exact: true }).click()
    await expect(this.page.getByRole('status')).toContainText(`Số ${label} đã được xếp lại vào hàng chờ.`)
    await this.page.getByRole('button', { name: 'Quay lại' }).click()
  }

  /** Books the first free slot of today for a service with a phone number; returns the appointment code. */
  async bookToday(serviceName: string | RegExp, phone: string): Promise<string> {
    await this.page.getByRole('button', { name: 'Đặt lịch hẹn' }).click()
    await this.page.getByRole('button', { name: serviceName }).click()
    await this.page.locator('.choice-row').first().getByRole('button').first().click()
    await this.page.getByRole('button', { name: /còn \d+ chỗ/ }).first().click()
    for (const digit of phone) await this.page.getByRole('button', { name: digit, exact: true }).click()
    await this.page.getByRole('button', { name: 'Dùng số điện thoại này' }).click()
    await expect(this.page.getByRole('heading', { name: 'Đặt lịch hẹn thành công' })).toBeVisible()
    const code = (await this.page.getByTestId('appointment-code').textContent())!.trim()
    await this.page.getByRole('button', { name: 'Xong' }).click()
    return code
  }

  /** Scans (types) an appointment slip's code; returns the priority number it gives. */
  async checkIn(slipText: string): Promise<string> {
    await this.page.getByRole('button', { name: 'Tôi có lịch hẹn' }).click()
    await this.page.getByLabel(/Quét mã QR trên phiếu hẹn/).fill(slipText)
    await this.page.keyboard.press('Enter')
    return this.readTicketAndClose()
  }

  /** Opens the chip-card reading and scans (types) the card's QR code or MRZ, as the key that opens the chip. */
  async readIdCard(keyText: string): Promise<void> {
    await this.page.getByRole('button', { name: 'Đọc thẻ căn cước' }).click()
    await this.page.getByLabel(/Quét mã QR ở mặt sau thẻ căn cước/).fill(keyText)
    await this.page.keyboard.press('Enter')
  }

  async rate(level: 'Không hài lòng' | 'Hài lòng' | 'Rất hài lòng', ticketLabel?: string): Promise<void> {
    await this.page.getByRole('button', { name: 'Đánh giá sự hài lòng' }).click()
    if (ticketLabel) await this.page.getByRole('button', { name: ticketLabel, exact: true }).click()
    await this.page.getByRole('button', { name: level, exact: true }).click()
    await expect(this.page.getByRole('status')).toHaveText('Cảm ơn quý khách đã đánh giá!')
  }
}

export class CounterScreen {
  constructor(readonly page: Page) {}

  async open(url: string, counter: number): Promise<this> {
    await this.page.goto(url)
    await expect(this.page.getByRole('heading', { name: `Quầy số ${counter}` })).toBeVisible()
    return this
  }

  async expectWaiting(count: number): Promise<void> {
    await expect(this.page.getByTestId('waiting-count')).toHaveText(`Đang chờ: ${count}`)
  }

  /** Calls the next ticket and returns its number, once the screen shows a number other than before. */
  async callNext(): Promise<string> {
    return this.callAndRead(this.page.getByRole('button', { name: 'Gọi số tiếp theo' }))
  }

  /** Calls one particular ticket from the list. */
  async call(label: string): Promise<string> {
    return this.callAndRead(this.page.getByRole('button', { name: `Gọi ${label}`, exact: true }))
  }

  private async callAndRead(button: Locator): Promise<string> {
    const current = this.page.getByTestId('counter-current')
    const before = (await current.textContent())!.trim()
    await button.click()
    await expect(current).not.toHaveText(before)
    await expect(current).toHaveText(/^[A-Z]\d{3,5}$/)
    return (await current.textContent())!.trim()
  }

  async signIn(clerk: string): Promise<void> {
    await this.page.getByLabel('Cán bộ').fill(clerk)
  }

  /** Recall, no-show or done, for the ticket at this counter. */
  async press(action: 'Gọi lại' | 'Vắng mặt' | 'Hoàn thành'): Promise<void> {
    await this.page.getByRole('button', { name: action, exact: true }).click()
    if (action !== 'Gọi lại') await expect(this.page.getByTestId('counter-current')).toHaveText('Chưa gọi số nào')
  }

  async transferToCounter(counter: number): Promise<void> {
    await this.page.getByRole('button', { name: 'Chuyển', exact: true }).click()
    await this.page.getByLabel('Chuyển đến quầy').selectOption(String(counter))
    await expect(this.page.getByTestId('counter-current')).toHaveText('Chưa gọi số nào')
  }
}

/** The clerk digitizing a received dossier's papers (the pages board under the intake). */
export class CaptureBoardScreen {
  readonly board: Locator

  constructor(readonly page: Page, dossierCode: string) {
    this.board = page.getByRole('region', { name: `Số hoá thành phần hồ sơ ${dossierCode}` })
  }

  /** The n-th paper of the dossier's list (1-based). */
  paper(paper: number): Locator {
    return this.board.getByTestId(`paper-${paper}`)
  }

  pages(paper: number): Locator {
    return this.paper(paper).locator('.board-pages > li')
  }

  /** The paper's "map or drawing" switch: its pages are made at 300 dpi instead of 200. */
  drawingSwitch(paper: number): Locator {
    return this.paper(paper).getByRole('checkbox', { name: /^Bản đồ \/ bản vẽ \(300 dpi\):/ })
  }

  /** The pages' content addresses, in the order shown. */
  async pageHashes(paper: number): Promise<string[]> {
    return this.pages(paper).evaluateAll((items) => items.map((item) => item.getAttribute('data-sha256') ?? ''))
  }

  /** Holds the paper under the camera until auto-capture has taken at least `atLeast` pages, then closes the camera; returns how many there are. */
  async photograph(paper: number, atLeast: number): Promise<number> {
    await this.paper(paper).getByRole('button', { name: 'Chụp/Quét' }).click()
    await expect(this.board.getByLabel(/Hình ảnh camera/)).toBeVisible()
    await expect(async () => expect(await this.pages(paper).count()).toBeGreaterThanOrEqual(atLeast)).toPass({ timeout: 90_000 })
    // Auto-capture off first, and any shot already taken on the board, so the count is final.
    await this.board.getByLabel('Tự động chụp khi trang đứng yên').uncheck()
    await expect(this.board.getByText('Đang xử lý trang…')).toHaveCount(0, { timeout: 30_000 })
    await this.board.getByRole('button', { name: 'Xong', exact: true }).click()
    await expect(this.board.getByLabel(/Hình ảnh camera/)).toHaveCount(0)
    return this.pages(paper).count()
  }

  /** Imports files through the capture panel's file tab. */
  async importFiles(paper: number, files: string[]): Promise<void> {
    await this.paper(paper).getByRole('button', { name: 'Chụp/Quét' }).click()
    await this.board.getByRole('button', { name: 'Tệp ảnh/PDF' }).click()
    await this.board.getByLabel('Chọn tệp ảnh hoặc PDF để nhập').setInputFiles(files)
  }

  /** A page's button: 'Lên trước' | 'Xuống sau' | 'Xoay' | 'Chụp lại' | 'Xoá'. */
  pageButton(action: 'Lên trước' | 'Xuống sau' | 'Xoay' | 'Chụp lại' | 'Xoá', paper: number, pageNumber: number): Locator {
    return this.paper(paper).getByRole('button', { name: new RegExp(`^${action}: Trang ${pageNumber} của `) })
  }

  /** "Hoàn tất số hoá", then the line that names the signed PDF. */
  async finish(): Promise<string> {
    await this.board.getByRole('button', { name: 'Hoàn tất số hoá' }).click()
    const done = this.board.getByTestId('digitized-pdf')
    await expect(done).toContainText('Đã số hoá:', { timeout: 150_000 })
    return (await done.locator('p').textContent())!.trim()
  }
}

export class DisplayBoard {
  constructor(readonly page: Page) {}

  async open(url: string): Promise<this> {
    await this.page.goto(url)
    await expect(this.page.getByRole('heading', { name: 'Mời công dân đến quầy' })).toBeVisible()
    return this
  }

  async expectCalling(label: string, counter: number): Promise<void> {
    await expect(this.page.getByTestId(`display-counter-${counter}`)).toContainText(label)
  }
}

export async function keepScreenshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const path = testInfo.outputPath(`${name}.png`)
  await page.screenshot({ path, fullPage: true })
  await testInfo.attach(name, { path, contentType: 'image/png' })
}

/**
 * A keyboard-wedge scanner: the whole code as key presses a millisecond apart, then Enter, dispatched
 * inside the page so that a busy test machine cannot stretch the gaps the way it can between
 * Playwright's own key presses.
 */
export async function wedgeScan(page: Page, text: string): Promise<void> {
  await page.evaluate(async (code) => {
    const target = document.activeElement ?? document.body
    for (const key of [...code, 'Enter']) {
      target.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }))
      if (key.length === 1 && (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement)) target.value += key
      await new Promise((resolve) => setTimeout(resolve, 1))
    }
  }, text)
}
