import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { CardEmulator } from '../../src/main/services/idcard/emulator/card-emulator'
import { insertIntoVpcd, type VpcdCard } from '../../src/main/services/idcard/emulator/vpcd'

/**
 * A private pcscd for one test file: its own socket (handed over by systemd-socket-activate, and found by
 * libpcsclite through PCSCLITE_CSOCK_NAME) and its own reader configuration with vsmartcard's virtual reader on
 * free ports. So tests need no system daemon, never meet one, and two test files do not meet each other.
 * Missing tools fail the test loudly: this is the only way the PC/SC path is tested.
 */

const PCSCD = '/usr/sbin/pcscd'
const VPCD_DRIVER = '/usr/lib/pcsc/drivers/serial/libifdvpcd.so'
const SOCKET_ACTIVATE = ['/usr/bin/systemd-socket-activate', '/bin/systemd-socket-activate']
/** The two readers vpcd adds for one configuration line. */
export const VIRTUAL_READERS = ['Virtual PCD 00 00', 'Virtual PCD 00 01'] as const

export interface PrivatePcscd {
  /** For this process (set before the first PC/SC call) and child processes: where libpcsclite finds the daemon. */
  readonly env: { PCSCLITE_CSOCK_NAME: string }
  /** vpcd's port for VIRTUAL_READERS[0]; VIRTUAL_READERS[1] listens on the next one. */
  readonly vpcdPort: number
  stop(): Promise<void>
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
}

/** Two consecutive free ports in the private range. */
async function freePortPair(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 49152 + Math.floor(Math.random() * 16000)
    if ((await portIsFree(port)) && (await portIsFree(port + 1))) return port
  }
  throw new Error('no two consecutive free TCP ports for vpcd')
}

function requireTools(): string {
  const socketActivate = SOCKET_ACTIVATE.find((path) => existsSync(path))
  const missing = [
    !existsSync(PCSCD) && `${PCSCD} (Debian package pcscd)`,
    !existsSync(VPCD_DRIVER) && `${VPCD_DRIVER} (Debian package vsmartcard-vpcd)`,
    !socketActivate && 'systemd-socket-activate (Debian package systemd)',
  ].filter(Boolean)
  if (missing.length > 0 || !socketActivate) throw new Error(`The chip-card tests need a real pcscd with the virtual reader; missing: ${missing.join(', ')}`)
  return socketActivate
}

export async function startPcscd(): Promise<PrivatePcscd> {
  const socketActivate = requireTools()
  const dir = mkdtempSync(join(tmpdir(), 'motcua-pcscd-'))
  const configDir = join(dir, 'reader.conf.d')
  mkdirSync(configDir)
  const vpcdPort = await freePortPair()
  // vpcd's DEVICENAME /dev/null:PORT makes it listen on PORT (and PORT+1 for its second reader).
  writeFileSync(
    join(configDir, 'vpcd'),
    [`FRIENDLYNAME "Virtual PCD"`, `DEVICENAME /dev/null:0x${vpcdPort.toString(16)}`, `LIBPATH ${VPCD_DRIVER}`, `CHANNELID 0x${vpcdPort.toString(16)}`, ''].join('\n'),
  )
  const socket = join(dir, 'pcscd.comm')
  // pcscd starts on the first client's connection; it stays in the foreground so that it stops with us.
  const child: ChildProcess = spawn(socketActivate, ['-l', socket, PCSCD, '--foreground', '--config', configDir], { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()))
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`pcscd's socket was not ready in 10 s:\n${output}`)), 10_000)
    const poll = setInterval(() => {
      if (!existsSync(socket)) return
      clearInterval(poll)
      clearTimeout(timer)
      resolve()
    }, 20)
    child.once('exit', (code) => {
      clearInterval(poll)
      clearTimeout(timer)
      reject(new Error(`pcscd exited with ${code}:\n${output}`))
    })
  })
  return {
    env: { PCSCLITE_CSOCK_NAME: socket },
    vpcdPort,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve))
        child.kill('SIGTERM')
        // pcscd waits for its readers' threads; one stuck on a virtual reader whose card went away must not hang the suite.
        const kill = setTimeout(() => child.kill('SIGKILL'), 10_000)
        await exited
        clearTimeout(kill)
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** Puts a card into the private pcscd's first virtual reader once vpcd listens (pcscd loads it at its first client). */
export async function insertWhenListening(card: CardEmulator, pcscd: PrivatePcscd, timeoutMs = 15_000): Promise<VpcdCard> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const inserted = insertIntoVpcd(card, { port: pcscd.vpcdPort })
    try {
      await inserted.inserted
      return inserted
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`vpcd did not listen on ${pcscd.vpcdPort} within ${timeoutMs} ms: ${String(error)}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
}
