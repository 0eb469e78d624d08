import { execFileSync, spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { startWebHost } from '../../src/host/web-host'
import { createServices } from '../../src/main/services'
import { SerialScannerWatcher } from '../../src/main/services/scanners/serial-scanner'
import { dispatch } from '../../src/shared/contract/dispatch'
import type { ScannerConfig, ScanReceived } from '../../src/shared/contract/schemas'
import { PROJECT_ROOT } from '../helpers/browser-mode-host'
import { PtyPair } from '../helpers/pty-pair'
import { CARD_QR } from '../helpers/qr-images'

/** What a UART at the wrong baud rate makes of a scan: a break (NUL) and bytes of runs of 0 and 1 bits. */
const WRONG_BAUD_BYTES = Uint8Array.from([0x00, 0xf8, 0x80, 0xfe, 0x0d, 0xe0, 0x00, 0x0a])

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

async function waitFor(what: string, condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(10)
  }
}

let pty: PtyPair
let dir: string
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'motcua-scanner-'))
  pty = new PtyPair(dir)
  await pty.plugIn()
})
afterEach(async () => {
  await pty.unplug()
})

describe('the serial scanner watcher, on a pseudo-terminal', () => {
  let running: SerialScannerWatcher[] = []
  let scans: ScanReceived[]
  let logs: string[]
  const texts = (): string[] => scans.map((scan) => scan.text)

  async function startWatcher(config: Omit<ScannerConfig, 'port'> = {}): Promise<SerialScannerWatcher> {
    scans = []
    logs = []
    const watcher = new SerialScannerWatcher({
      settings: async () => ({ scanner: { port: pty.port, ...config }, reservedPaths: [] }),
      onScan: (scan) => scans.push(scan),
      log: (line) => logs.push(line),
    })
    running.push(watcher)
    watcher.start()
    await waitFor('the port to open', () => watcher.getStatus().state === 'connected')
    return watcher
  }
  afterEach(async () => {
    await Promise.all(running.map((watcher) => watcher.stop()))
    running = []
  })

  it('reads a CCCD QR whose Vietnamese letters are split between two reads', async () => {
    const watcher = await startWatcher()
    const bytes = Buffer.from(`${CARD_QR}\r\n`)
    const splitAt = bytes.findIndex((byte) => byte >= 0xe0) + 1 // inside the first three-byte letter (ễ)
    expect(splitAt).toBeGreaterThan(1)
    pty.send(bytes.subarray(0, splitAt))
    await sleep(30)
    pty.send(bytes.subarray(splitAt))
    await waitFor('the scan', () => scans.length === 1)
    expect(scans).toEqual([{ text: CARD_QR, source: 'serial', port: pty.port }])
    expect(watcher.getStatus()).toEqual({ state: 'connected', port: pty.port, baudRate: 9600 })
  })

  it('ends scans at CRLF, LF or CR (a CRLF split between reads too), reads two scans in one chunk and strips a BOM', async () => {
    await startWatcher()
    pty.send('A\r\n')
    pty.send('B\n')
    pty.send('C\r')
    pty.send('D\r')
    await sleep(30)
    pty.send('\nE\n')
    pty.send('Phường Hải Châu\r\nĐà Nẵng\r\n')
    pty.send('\ufeffmã hồ sơ 000.00.20.H17-250815-0001\r\n')
    await waitFor('eight scans', () => scans.length === 8)
    expect(texts()).toEqual(['A', 'B', 'C', 'D', 'E', 'Phường Hải Châu', 'Đà Nẵng', 'mã hồ sơ 000.00.20.H17-250815-0001'])
  })

  it('drops a scan over 4096 bytes and logs it, and keeps reading', async () => {
    await startWatcher()
    pty.send(`${'Đ'.repeat(2049)}\r\n`) // 4098 bytes
    pty.send(`${'x'.repeat(4096)}\r\n`)
    pty.send('after\r\n')
    await waitFor('the scans after the long one', () => scans.length === 2)
    expect(texts()).toEqual(['x'.repeat(4096), 'after'])
    expect(logs).toContain(`Dropped a scan longer than 4096 bytes from ${pty.port}`)
  })

  it('moves to 115200 baud when the bytes at 9600 are garbage, then stays at the rate a scan came through at', async () => {
    const watcher = await startWatcher()
    pty.send(WRONG_BAUD_BYTES)
    await waitFor('the next baud rate', () => watcher.getStatus().baudRate === 115_200)
    expect(execFileSync('stty', ['-F', pty.port, 'speed'], { encoding: 'utf8' }).trim()).toBe('115200')
    expect(scans).toEqual([])
    await sleep(100) // the line must be quiet before bytes count again
    pty.send(`${CARD_QR}\r\n`)
    await waitFor('the scan', () => scans.length === 1)
    expect(texts()).toEqual([CARD_QR])
    expect(watcher.getStatus()).toEqual({ state: 'connected', port: pty.port, baudRate: 115_200 })

    // Once a scan has come through, garbage spoils one scan but does not change the rate.
    pty.send(WRONG_BAUD_BYTES)
    await sleep(100)
    pty.send('next\r\n')
    await waitFor('the next scan', () => scans.length === 2)
    expect(watcher.getStatus().baudRate).toBe(115_200)
    expect(logs.some((line) => line.startsWith(`Dropped unreadable bytes from ${pty.port}`))).toBe(true)
  })

  it('says so when the data are garbage at every rate, and keeps trying', async () => {
    const watcher = await startWatcher({ baudRate: 38_400 })
    const tried: number[] = [watcher.getStatus().baudRate!]
    for (let round = 0; round < 4; round++) {
      pty.send(WRONG_BAUD_BYTES)
      await waitFor('another baud rate', () => watcher.getStatus().baudRate !== tried.at(-1))
      tried.push(watcher.getStatus().baudRate!)
      await sleep(100)
    }
    expect(tried).toEqual([38_400, 9600, 115_200, 19_200, 38_400])
    expect(watcher.getStatus()).toMatchObject({ state: 'error', baudRate: 38_400, message: expect.stringMatching(/^Unreadable data at 38400, 9600, 115200, 19200 baud/) })
    pty.send('ok\r\n')
    await waitFor('the scan', () => scans.length === 1)
    expect(watcher.getStatus()).toEqual({ state: 'connected', port: pty.port, baudRate: 38_400 })
  })

  it('closes the port when the scanner is unplugged and reopens it when it comes back', async () => {
    const watcher = await startWatcher()
    await pty.unplug()
    await waitFor('the disconnection', () => watcher.getStatus().state === 'none')
    await sleep(2500) // a re-list or two with the port absent
    expect(watcher.getStatus()).toEqual({ state: 'none', message: `Port ${pty.port} is not present` })

    await pty.plugIn()
    await waitFor('the port to reopen', () => watcher.getStatus().state === 'connected', 4000)
    pty.send(`${CARD_QR}\n`)
    await waitFor('the scan', () => scans.length === 1)
    expect(texts()).toEqual([CARD_QR])
    expect(logs).toContain(`Serial scanner: none on ${pty.port} (The scanner was disconnected)`)
  })

  it('ends a scan after 50 ms of silence when the scanner sends no suffix', async () => {
    await startWatcher({ suffix: 'none' })
    const bytes = Buffer.from('Nguyễn Thị Hồng Nhung')
    const splitAt = bytes.findIndex((byte) => byte >= 0xe0) + 1
    pty.send(bytes.subarray(0, splitAt))
    await sleep(5)
    pty.send(bytes.subarray(splitAt))
    await sleep(150)
    pty.send('048195001234')
    await waitFor('two scans', () => scans.length === 2)
    expect(texts()).toEqual(['Nguyễn Thị Hồng Nhung', '048195001234'])
  })
})

describe('serial scans in the rest of the app', () => {
  it('reach the screens as scanReceived through the web host, with a status for the technician', async () => {
    const rendererDir = join(dir, 'renderer')
    mkdirSync(rendererDir)
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Một Cửa Kiosk</title>')
    const services = await createServices({
      dataDir: join(dir, 'data'),
      resourcesDir: join(PROJECT_ROOT, 'resources'),
      appVersion: '0.0.0-test',
      runtime: 'browser',
      log: () => undefined,
      watchSerialScanners: true,
    })
    const host = await startWebHost({ services, rendererDir, port: 0, log: () => undefined })
    try {
      // The technician's change applies at the next re-list, without a restart.
      await services.handlers.updateDeviceConfig({ scanner: { port: pty.port } })
      const status = async () => (await dispatch(services.handlers, 'getScannerStatus', {}, () => undefined)) as { ok: boolean; value?: { state: string } }
      const deadline = Date.now() + 5000
      while ((await status()).value?.state !== 'connected' && Date.now() < deadline) await sleep(50)
      expect(await status()).toEqual({ ok: true, value: { state: 'connected', port: pty.port, baudRate: 9600 } })

      const socket = new WebSocket(`ws://127.0.0.1:${host.port}/api/events`, { headers: { cookie: `motcua_token=${host.token}`, origin: host.origin } })
      await new Promise((resolve) => socket.on('open', resolve))
      const message = new Promise<unknown>((resolve) => socket.once('message', (data) => resolve(JSON.parse(String(data)))))
      pty.send(`${CARD_QR}\r\n`)
      expect(await message).toEqual({ event: 'scanReceived', payload: { text: CARD_QR, source: 'serial', port: pty.port } })
      socket.close()
    } finally {
      await Promise.all([host.close(), services.close()])
    }
  })

  it('are printed as JSON lines by `motcua scanner listen`', async () => {
    const listen = spawn(process.execPath, [join(PROJECT_ROOT, 'bin/motcua.mjs'), 'scanner', 'listen', '--port', pty.port, '--baud', '9600'], { cwd: PROJECT_ROOT })
    let stdout = ''
    let stderr = ''
    listen.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    listen.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const exited = new Promise<number | null>((resolve) => listen.on('exit', resolve))
    await waitFor('the port to open', () => stderr.includes(`Serial scanner: connected on ${pty.port} at 9600 baud`), 15_000)
    pty.send(`${CARD_QR}\r\nĐà Nẵng\r\n`)
    await waitFor('two lines', () => stdout.split('\n').length === 3)
    listen.kill('SIGINT')
    expect(await exited).toBe(0)
    expect(stdout.trim().split('\n').map((line) => JSON.parse(line))).toEqual([
      { text: CARD_QR, source: 'serial', port: pty.port },
      { text: 'Đà Nẵng', source: 'serial', port: pty.port },
    ])
  })

  it('`motcua scanner listen` refuses a port that is not a path or a COM name', async () => {
    const listen = spawn(process.execPath, [join(PROJECT_ROOT, 'bin/motcua.mjs'), 'scanner', 'listen', '--port', 'ttyACM0'], { cwd: PROJECT_ROOT })
    let stderr = ''
    listen.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    expect(await new Promise((resolve) => listen.on('exit', resolve))).toBe(2)
    expect(stderr).toMatch(/^Lỗi \(invalidInput\): scanner port must be an absolute device path/)
  })
})
