import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseRoute } from '../../../src/renderer/src/app/route'
import { translator } from '../../../src/renderer/src/i18n/i18n'
import { en, vi } from '../../../src/renderer/src/i18n/messages'
import { CONTENT_SECURITY_POLICY } from '../../../src/shared/security/csp'
import { toNfc, toSearchKey } from '../../../src/shared/domain/text'

const all = ['kiosk', 'counter', 'display', 'technician'] as const

describe('window routes', () => {
  it.each([
    ['', { role: 'kiosk' }],
    ['#/counter', { role: 'counter' }],
    ['#/counter/2', { role: 'counter', counter: 2 }],
    ['#/counter/0', { role: 'counter' }],
    ['#/counter/abc', { role: 'counter' }],
    ['#/display/7', { role: 'display' }],
    ['#/technician', { role: 'technician' }],
    ['#/admin', { unknownRole: 'admin' }],
    ['#/__proto__', { unknownRole: '__proto__' }],
  ])('%j is %j', (hash, route) => {
    expect(parseRoute(hash, all)).toEqual(route)
  })

  it('opens the first configured role when the address names none', () => {
    expect(parseRoute('#/', ['display'])).toEqual({ role: 'display' })
  })
})

describe('languages and text', () => {
  it('has every Vietnamese message in English too, and fills parameters', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(vi).sort())
    expect(translator('vi')('display.announcement', { label: 'A015', counter: 3 })).toBe('Mời số A015 đến quầy số 3')
    expect(translator('en')('counter.title', { counter: 2 })).toBe('Counter 2')
  })

  it('stores Vietnamese NFC-normalised and searches without diacritics', () => {
    const decomposed = 'Đăng ký kết hôn'.normalize('NFD')
    expect(toNfc(decomposed)).toBe('Đăng ký kết hôn'.normalize('NFC'))
    expect(toNfc(decomposed).length).toBeLessThan(decomposed.length)
    expect(toSearchKey('  Đăng   ký KẾT hôn ')).toBe('dang ky ket hon')
  })

  it('index.html carries the same policy the hosts send (less frame-ancestors, which a meta tag cannot set)', () => {
    const html = readFileSync(join(__dirname, '../../../src/renderer/index.html'), 'utf8')
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1]
    expect(meta).toBe(CONTENT_SECURITY_POLICY.replace("; frame-ancestors 'none'", ''))
  })

  it("lets WebAssembly compile (opencv.js for the page outline) but never eval: 'wasm-unsafe-eval' only", () => {
    const scriptSources = /script-src ([^;]+)/.exec(CONTENT_SECURITY_POLICY)?.[1]?.split(' ')
    expect(scriptSources).toEqual(["'self'", "'wasm-unsafe-eval'"])
    expect(CONTENT_SECURITY_POLICY).not.toContain("'unsafe-eval'")
    expect(CONTENT_SECURITY_POLICY).not.toContain("'unsafe-inline'")
  })
})
