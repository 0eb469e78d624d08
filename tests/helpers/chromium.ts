import { existsSync } from 'node:fs'
import { chromium } from 'playwright-core'

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable']

/**
 * The Chromium the end-to-end tests drive: $CHROMIUM_PATH, Debian's chromium, or Playwright's own
 * download when one is installed. Never silently skipped: without a browser the tests fail, loudly.
 */
export function findChromium(): string {
  const fromEnv = process.env.CHROMIUM_PATH
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`CHROMIUM_PATH=${fromEnv} does not exist`)
    return fromEnv
  }
  for (const candidate of CANDIDATES) if (existsSync(candidate)) return candidate
  const bundled = chromium.executablePath()
  if (bundled && existsSync(bundled)) return bundled
  throw new Error(
    'NO CHROMIUM FOUND: the end-to-end tests need a real Chromium. Install Debian\'s package (apt-get install chromium), ' +
      'or Playwright\'s browser, or set CHROMIUM_PATH.',
  )
}

/** Flags for a headless Chromium on a closed network (no background calls home) in a container run as root. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  '--autoplay-policy=no-user-gesture-required',
]
