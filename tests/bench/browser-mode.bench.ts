import { performance } from 'node:perf_hooks'
import { chromium } from 'playwright-core'
import { startBrowserModeHost } from '../helpers/browser-mode-host'
import { CHROMIUM_ARGS, findChromium } from '../helpers/chromium'
import { figure, ms, percentile } from './stats'

const COLD_STARTS = 5
const TAPS = 40

/**
 * Cold start: from launching `motcua web` (a new process, empty data folder) until the kiosk's
 * service buttons can be touched in an already running browser. Tap-to-ticket: from the touch
 * event to the ticket number on screen, timed inside the page.
 */
export async function benchBrowserMode(): Promise<void> {
  const browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS })
  try {
    const hostStarts: number[] = []
    const coldStarts: number[] = []
    for (let run = 0; run < COLD_STARTS; run++) {
      const context = await browser.newContext()
      const page = await context.newPage()
      const start = performance.now()
      const host = await startBrowserModeHost()
      hostStarts.push(performance.now() - start)
      await page.goto(host.url('kiosk'))
      await page.locator('.service-button:not([disabled])').first().waitFor()
      coldStarts.push(performance.now() - start)
      await context.close()
      await host.stop()
    }
    figure('browser mode: host process ready, median', ms(percentile(hostStarts, 50)))
    figure('browser mode: cold start to interactive kiosk, median', ms(percentile(coldStarts, 50)), '≤ 1.5 s')

    const host = await startBrowserModeHost()
    const context = await browser.newContext()
    const page = await context.newPage()
    await page.goto(host.url('kiosk'))
    const latencies: number[] = []
    for (let tap = 0; tap < TAPS; tap++) {
      await page.locator('.service-button:not([disabled])').first().waitFor()
      const latency = await page.evaluate(
        () =>
          new Promise<number>((resolve) => {
            const button = document.querySelector<HTMLButtonElement>('.service-button')!
            const observer = new MutationObserver(() => {
              if (document.querySelector('[data-testid="issued-ticket"]')) {
                observer.disconnect()
                resolve(performance.now() - tappedAt)
              }
            })
            observer.observe(document.body, { childList: true, subtree: true })
            const tappedAt = performance.now()
            button.click()
          }),
      )
      latencies.push(latency)
      await page.getByRole('button', { name: 'Xong' }).click()
    }
    figure(`tap-to-ticket over ${TAPS} taps, p50`, ms(percentile(latencies, 50)))
    figure(`tap-to-ticket over ${TAPS} taps, p95`, ms(percentile(latencies, 95)), '≤ 150 ms')
    await context.close()
    await host.stop()
  } finally {
    await browser.close()
  }
}
