import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startWebHost, type WebHost } from '../../../src/host/web-host'
import { createServices, type Services } from '../../../src/main/services'
import { MAX_PDF_BYTES } from '../../../src/shared/contract/capture-schemas'
import { CONTENT_SECURITY_POLICY } from '../../../src/shared/security/csp'
import { PROJECT_ROOT } from '../../helpers/browser-mode-host'
import { makePagePhoto } from '../../helpers/page-photos'

let host: WebHost
let services: Services
const dir = mkdtempSync(join(tmpdir(), 'motcua-capture-host-'))

function post(name: string, body: string | Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      // A connection of its own: Node 20's global agent reuses sockets with a 5 s timeout, which a page taking longer trips.
      { agent: false, host: '127.0.0.1', port: host.port, method: 'POST', path: `/api/op/${name}`, headers: { host: `127.0.0.1:${host.port}`, authorization: `Bearer ${host.token}`, 'content-type': 'application/json' } },
      (response) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('end', () => resolve({ status: response.statusCode!, body: Buffer.concat(chunks).toString('utf8') }))
      },
    )
    request.on('error', reject)
    request.end(body)
  })
}

function headersOf(path: string): Promise<Record<string, string | string[] | undefined>> {
  return new Promise((resolve, reject) => {
    httpRequest({ host: '127.0.0.1', port: host.port, path, headers: { host: `127.0.0.1:${host.port}`, authorization: `Bearer ${host.token}` } }, (response) => {
      response.resume()
      resolve(response.headers)
    })
      .on('error', reject)
      .end()
  })
}

beforeAll(async () => {
  const rendererDir = join(dir, 'renderer')
  mkdirSync(join(rendererDir, 'assets'), { recursive: true })
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Một Cửa Kiosk</title>')
  writeFileSync(join(rendererDir, 'assets', 'index-Ab12_x.js'), 'console.log(1)')
  writeFileSync(join(rendererDir, 'assets', 'outline-worker-Cd34-y.js'), 'console.log(2)')
  services = await createServices({ dataDir: join(dir, 'data'), resourcesDir: join(PROJECT_ROOT, 'resources'), appVersion: '0.0.0-test', runtime: 'browser', log: () => undefined })
  host = await startWebHost({ services, rendererDir, port: 0, log: () => undefined })
})
afterAll(async () => {
  await host.close()
  await services.close()
})

describe('the web host and the capture operations', () => {
  it('keeps the small body limit for every other operation', async () => {
    const reply = await post('getDeviceInfo', JSON.stringify({ padding: 'x'.repeat(1024 * 1024) }))
    expect(reply.status).toBe(413)
  })

  it('takes a camera photo of several MB for processCapturedPage, and answers with sealed bytes only', async () => {
    const { photoPath } = makePagePhoto({ dir, photoSize: { width: 3000, height: 2250 } })
    const image = readFileSync(photoPath)
    expect(image.length).toBeGreaterThan(512 * 1024)
    const reply = await post('processCapturedPage', JSON.stringify({ imageBase64: image.toString('base64'), mode: 'color', dpi: 200, source: 'photo' }))
    expect(reply.status).toBe(200)
    const value = JSON.parse(reply.body).value
    expect(Object.keys(value).sort()).toEqual(['page', 'sealed', 'sealedThumbnail', 'thumbnailBase64'])
    expect(value.sealed.alg).toBe('A256GCM')
    // The page itself never crosses in clear: only its thumbnail does.
    expect(reply.body).not.toContain(image.subarray(0, 3000).toString('base64').slice(0, 400))
  })

  it('says a non-image is bad input, not a failure of ours', async () => {
    const reply = await post('processCapturedPage', JSON.stringify({ imageBase64: Buffer.from('Đây không phải ảnh'.repeat(100)).toString('base64'), mode: 'color', dpi: 200, source: 'scan' }))
    expect(reply.status).toBe(400)
    expect(JSON.parse(reply.body)).toMatchObject({ ok: false, error: { code: 'invalidInput' } })
  })

  it('refuses a capture body over its own limit', async () => {
    const reply = await post('processCapturedPage', Buffer.alloc(47 * 1024 * 1024, 0x20))
    expect(reply.status).toBe(413)
  })

  it('takes an imported PDF as large as the contract allows, and refuses a larger body before reading it', async () => {
    // Zeros: within every limit, and then refused as not a PDF, which shows the body reached main.
    const largest = await post('importPdfPages', JSON.stringify({ pdfBase64: Buffer.alloc(MAX_PDF_BYTES).toString('base64'), dpi: 200 }))
    expect(largest.status).toBe(400)
    expect(JSON.parse(largest.body)).toMatchObject({ ok: false, error: { code: 'invalidInput', reason: 'unreadablePdf' } })
    expect((await post('importPdfPages', Buffer.alloc(87 * 1024 * 1024, 0x20))).status).toBe(413)
  }, 60_000)

  it("lets only the outline worker's script evaluate strings (opencv.js); pages and other scripts keep the strict policy", async () => {
    const worker = String((await headersOf('/assets/outline-worker-Cd34-y.js'))['content-security-policy'])
    expect(/script-src ([^;]+)/.exec(worker)?.[1]).toBe("'self' 'wasm-unsafe-eval' 'unsafe-eval'")
    for (const path of ['/', '/assets/index-Ab12_x.js']) expect((await headersOf(path))['content-security-policy']).toBe(CONTENT_SECURITY_POLICY)
  })
})
