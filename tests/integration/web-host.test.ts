import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { startWebHost, type WebHost } from '../../src/host/web-host'
import { createServices } from '../../src/main/services'
import { PROJECT_ROOT } from '../helpers/browser-mode-host'

interface Reply {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

let host: WebHost
let hostHeader: string

function send(options: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port: host.port, method: options.method ?? 'GET', path: options.path, headers: { host: hostHeader, ...options.headers } }, (response) => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }))
    })
    request.on('error', reject)
    request.end(options.body)
  })
}

const authorized = (extra: Record<string, string> = {}): Record<string, string> => ({ authorization: `Bearer ${host.token}`, ...extra })
const callOperation = (name: string, body: unknown, headers: Record<string, string> = {}) =>
  send({ method: 'POST', path: `/api/op/${name}`, headers: authorized({ 'content-type': 'application/json', ...headers }), body: JSON.stringify(body) })

beforeAll(async () => {
  const rendererDir = mkdtempSync(join(tmpdir(), 'motcua-renderer-'))
  mkdirSync(join(rendererDir, 'assets'))
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Một Cửa Kiosk</title>')
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)')
  const services = await createServices({
    dataDir: mkdtempSync(join(tmpdir(), 'motcua-host-')),
    resourcesDir: join(PROJECT_ROOT, 'resources'),
    appVersion: '0.0.0-test',
    runtime: 'browser',
    log: () => undefined,
  })
  host = await startWebHost({ services, rendererDir, port: 0, log: () => undefined })
  hostHeader = `127.0.0.1:${host.port}`
})
afterAll(async () => {
  await host.close()
})

describe('the loopback web host', () => {
  it('listens on loopback only, with a fresh random token', () => {
    expect(host.origin).toBe(`http://127.0.0.1:${host.port}`)
    expect(host.token).toMatch(/^[\w-]{43}$/)
  })

  it('turns the token link into an HttpOnly SameSite=Strict cookie and a clean address', async () => {
    const reply = await send({ path: `/?token=${host.token}` })
    expect(reply.status).toBe(303)
    expect(reply.headers.location).toBe('/')
    expect(String(reply.headers['set-cookie'])).toMatch(/^motcua_token=[\w-]+; HttpOnly; SameSite=Strict; Path=\/$/)
    const page = await send({ path: '/', headers: { cookie: `motcua_token=${host.token}` } })
    expect(page.status).toBe(200)
    expect(page.body).toContain('Một Cửa Kiosk')
  })

  it.each([
    ['no token', {}],
    ['a wrong token', { cookie: 'motcua_token=guess' }],
    ['a wrong bearer', { authorization: 'Bearer guess' }],
  ])('refuses pages and operations with %s', async (_name, headers) => {
    expect((await send({ path: '/', headers })).status).toBe(401)
    expect((await send({ path: '/?token=guess' })).status).toBe(401)
    const operation = await send({ method: 'POST', path: '/api/op/getDeviceInfo', headers: { 'content-type': 'application/json', ...headers }, body: '{}' })
    expect(operation.status).toBe(401)
    expect(JSON.parse(operation.body)).toMatchObject({ ok: false, error: { code: 'forbidden' } })
  })

  it('refuses a foreign Host header even with the token (DNS rebinding)', async () => {
    for (const foreign of ['evil.example', `evil.example:${host.port}`, `127.0.0.1:${host.port + 1}`, '127.0.0.1', `localhost.evil.example:${host.port}`]) {
      const reply = await send({ path: '/', headers: authorized({ host: foreign }) })
      expect(reply.status, foreign).toBe(421)
    }
    expect((await send({ path: '/', headers: authorized({ host: `localhost:${host.port}` }) })).status).toBe(200)
  })

  it('refuses a request from a foreign origin even with the token', async () => {
    const reply = await callOperation('getDeviceInfo', {}, { origin: 'http://evil.example' })
    expect(reply.status).toBe(403)
    expect((await callOperation('getDeviceInfo', {}, { origin: 'null' })).status).toBe(403)
    expect((await callOperation('getDeviceInfo', {}, { origin: host.origin })).status).toBe(200)
  })

  it('sends the security headers and no CORS headers', async () => {
    const page = await send({ path: '/', headers: authorized() })
    expect(page.headers['content-security-policy']).toContain("default-src 'none'")
    expect(page.headers['content-security-policy']).toContain("connect-src 'self'")
    expect(page.headers['x-content-type-options']).toBe('nosniff')
    expect(page.headers['x-frame-options']).toBe('DENY')
    const preflight = await send({ method: 'OPTIONS', path: '/api/op/getDeviceInfo', headers: authorized({ origin: host.origin, 'access-control-request-method': 'POST' }) })
    expect(preflight.status).toBe(405)
    for (const reply of [page, preflight]) expect(Object.keys(reply.headers).filter((name) => name.startsWith('access-control-'))).toEqual([])
  })

  it('runs the operations of the contract', async () => {
    const reply = await callOperation('getDeviceInfo', {})
    expect(reply.status).toBe(200)
    expect(JSON.parse(reply.body)).toMatchObject({ ok: true, value: { runtime: 'browser', ward: { fullName: 'Phường Hải Châu' } } })
  })

  it.each([
    ['an unknown operation', () => callOperation('deleteEverything', {}), 404, 'unknownOperation'],
    ['a prototype name', () => callOperation('__proto__', {}), 404, 'unknownOperation'],
    ['input outside the schema', () => callOperation('updateDeviceConfig', { wardCode: 'x' }), 400, 'invalidInput'],
    ['a ward outside Đà Nẵng', () => callOperation('updateDeviceConfig', { wardCode: '01001' }), 400, 'invalidInput'],
    ['a body that is not JSON', () => send({ method: 'POST', path: '/api/op/getDeviceInfo', headers: authorized({ 'content-type': 'application/json' }), body: '{oops' }), 400, 'invalidInput'],
    ['a form post (no JSON content type)', () => send({ method: 'POST', path: '/api/op/getDeviceInfo', headers: authorized({ 'content-type': 'application/x-www-form-urlencoded' }), body: 'a=1' }), 415, 'invalidInput'],
    ['an oversized body', () => send({ method: 'POST', path: '/api/op/getDeviceInfo', headers: authorized({ 'content-type': 'application/json' }), body: Buffer.alloc(600 * 1024, 32) }), 413, 'invalidInput'],
    ['GET on an operation', () => send({ path: '/api/op/getDeviceInfo', headers: authorized() }), 405, 'forbidden'],
  ])('answers %s with a clear JSON error', async (_name, act, status, code) => {
    const reply = await act()
    expect(reply.status).toBe(status)
    expect(reply.headers['content-type']).toContain('application/json')
    expect(JSON.parse(reply.body)).toMatchObject({ ok: false, error: { code } })
  })

  it.each(['/../package.json', '/%2e%2e/package.json', '/assets/..%2f..%2fpackage.json', '/assets/%00.js', '/assets\\..\\x.js', '/device.json', '/assets/'])(
    'serves nothing outside the renderer build: %s',
    async (path) => {
      expect((await send({ path, headers: authorized() })).status).toBe(404)
    },
  )

  it('pushes events over a WebSocket that needs the token and our origin', async () => {
    const url = `ws://127.0.0.1:${host.port}/api/events`
    const refused = (headers: Record<string, string>) =>
      new Promise<boolean>((resolve) => {
        const socket = new WebSocket(url, { headers })
        socket.on('open', () => resolve(false))
        socket.on('error', () => resolve(true))
      })
    expect(await refused({})).toBe(true)
    expect(await refused({ cookie: `motcua_token=${host.token}`, origin: 'http://evil.example' })).toBe(true)

    const socket = new WebSocket(url, { headers: { cookie: `motcua_token=${host.token}`, origin: host.origin } })
    await new Promise((resolve) => socket.on('open', resolve))
    const message = new Promise<{ event: string; payload: { config: { counterCount: number } } }>((resolve) => socket.once('message', (data) => resolve(JSON.parse(String(data)))))
    expect((await callOperation('updateDeviceConfig', { counterCount: 5 })).status).toBe(200)
    expect(await message).toMatchObject({ event: 'deviceConfigChanged', payload: { config: { counterCount: 5 } } })
    const closed = new Promise<number>((resolve) => socket.on('close', resolve))
    socket.send('hello')
    expect(await closed).toBe(1003)
  })
})
