import { describe, expect, it } from 'vitest'
import { appUrl, isAppUrl, isTrustedSenderFrame, type FrameLike } from '../../../src/main/app-origin'

const top = (url: string): FrameLike => ({ url, parent: null })
const child = (url: string): FrameLike => ({ url, parent: top(appUrl('kiosk')) })

describe('the IPC sender check', () => {
  it('trusts our page in a top-level frame', () => {
    expect(isTrustedSenderFrame(top(appUrl('kiosk')))).toBe(true)
    expect(isTrustedSenderFrame(top('app://motcua/index.html#/counter/2'))).toBe(true)
  })

  it.each([
    ['another scheme', 'https://motcua/index.html'],
    ['file://', 'file:///home/user/index.html'],
    ['http on loopback', 'http://127.0.0.1:5174/'],
    ['another host on our scheme', 'app://evil/index.html'],
    ['a host that only starts like ours', 'app://motcua.evil/index.html'],
    ['credentials in the URL', 'app://user:pass@motcua/index.html'],
    ['a javascript: URL', 'javascript:alert(1)'],
    ['data:', 'data:text/html,<script>1</script>'],
    ['about:blank', 'about:blank'],
    ['an empty URL', ''],
    ['garbage', '::::'],
  ])('refuses %s', (_name, url) => {
    expect(isTrustedSenderFrame(top(url))).toBe(false)
  })

  it('refuses our own page inside a subframe', () => {
    expect(isTrustedSenderFrame(child(appUrl('kiosk')))).toBe(false)
  })

  it('refuses a destroyed frame', () => {
    expect(isTrustedSenderFrame(null)).toBe(false)
    expect(isTrustedSenderFrame(undefined)).toBe(false)
  })

  it('trusts the development server only when one is configured, and only its own origin', () => {
    expect(isTrustedSenderFrame(top('http://localhost:5173/#/kiosk'))).toBe(false)
    expect(isTrustedSenderFrame(top('http://localhost:5173/#/kiosk'), 'http://localhost:5173')).toBe(true)
    expect(isTrustedSenderFrame(top('http://localhost:5174/'), 'http://localhost:5173')).toBe(false)
    expect(isAppUrl('https://localhost:5173/', 'http://localhost:5173')).toBe(false)
  })
})
