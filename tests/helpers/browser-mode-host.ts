import { spawn, type ChildProcess } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { TestPki } from './signing-pki'

export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url))

export interface BrowserModeHost {
  readonly origin: string
  readonly dataDir: string
  /** The link that opens a role's screen (the token travels with it once). */
  url(route: string): string
  stop(): Promise<void>
}

/**
 * Starts browser mode exactly as a person does (`motcua web`), in its own process with a fresh
 * data folder, and reads the links it prints.
 */
export async function startBrowserModeHost(options: { dataDir?: string; signing?: { p12Path: string; passphrase: string } } = {}): Promise<BrowserModeHost> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'motcua-e2e-'))
  // The passphrase goes by environment variable, as a technician would give it.
  const signingArgs = options.signing ? ['--signing-p12', options.signing.p12Path, '--signing-pass-env', 'MOTCUA_TEST_SIGNING_PASS'] : []
  const child: ChildProcess = spawn(process.execPath, [join(PROJECT_ROOT, 'bin/motcua.mjs'), 'web', '--port', '0', '--data', dataDir, ...signingArgs], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...(options.signing && { MOTCUA_TEST_SIGNING_PASS: options.signing.passphrase }) },
  })
  let stderr = ''
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const kioskLink = await new Promise<string>((resolve, reject) => {
    let stdout = ''
    const timer = setTimeout(() => reject(new Error(`web host did not start in 30 s:\n${stdout}\n${stderr}`)), 30_000)
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      const match = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)#\/kiosk/.exec(stdout)
      if (match) {
        clearTimeout(timer)
        resolve(match[1]!)
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`web host exited with ${code}:\n${stderr}`))
    })
  })
  return {
    origin: new URL(kioskLink).origin,
    dataDir,
    url: (route) => `${kioskLink}#/${route}`,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve))
        child.kill('SIGTERM')
        await exited
      }
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/**
 * A counter's host that signs with the test PKI's key and trusts its root, as a technician sets a
 * counter up with the city's root in the trust folder.
 */
export async function startSigningHost(pki: TestPki): Promise<BrowserModeHost> {
  const p12Path = join(pki.dir, 'counter.p12')
  writeFileSync(p12Path, pki.p12)
  const dataDir = mkdtempSync(join(tmpdir(), 'motcua-signing-host-'))
  mkdirSync(join(dataDir, 'trust'))
  copyFileSync(pki.rootPemPath, join(dataDir, 'trust', 'root.pem'))
  return startBrowserModeHost({ dataDir, signing: { p12Path, passphrase: pki.passphrase } })
}
