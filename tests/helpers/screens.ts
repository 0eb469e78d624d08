import { expect, type Page, type TestInfo } from '@playwright/test'

/** Test drivers: each method is one thing a resident, clerk or technician does on a screen. */
export class KioskScreen {
  constructor(readonly page: Page) {}

  async open(url: string): Promise<this> {
    await this.page.goto(url)
    await expect(this.page.getByRole('heading', { name: 'Xin kính chào quý khách' })).toBeVisible()
    return this
  }

  /** Touches a service and returns the number printed on the ticket card. */
  async takeTicket(serviceName: string | RegExp): Promise<string> {
    await this.page.getByRole('button', { name: serviceName }).click()
    const ticket = this.page.getByTestId('issued-ticket')
    await expect(ticket).toBeVisible()
    const label = (await ticket.textContent())!.trim()
    await this.page.getByRole('button', { name: 'Xong' }).click()
    return label
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
    const current = this.page.getByTestId('counter-current')
    const before = (await current.textContent())!.trim()
    await this.page.getByRole('button', { name: 'Gọi số tiếp theo' }).click()
    await expect(current).not.toHaveText(before)
    await expect(current).toHaveText(/^[A-Z]\d{3,5}$/)
    return (await current.textContent())!.trim()
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
