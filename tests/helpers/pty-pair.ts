/**
 * A pair of connected pseudo-terminals made by socat, standing in for a scanner's USB-COM port: the
 * service opens `port`, the test writes what the scanner would send to `scannerEnd`. A missing socat
 * fails the test that needs it, loudly: these tests never skip.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { closeSync, existsSync, openSync, writeSync } from 'node:fs'
import { join } from 'node:path'

export class PtyPair {
  private socat: ChildProcess | undefined
  readonly port: string
  private readonly scannerEnd: string
  private scannerFd: number | undefined

  constructor(dir: string) {
    this.port = join(dir, 'port')
    this.scannerEnd = join(dir, 'scanner')
  }

  /** Starts socat and waits until both ends exist. */
  async plugIn(): Promise<void> {
    const socat = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${this.port}`, `pty,raw,echo=0,link=${this.scannerEnd}`], { stdio: ['ignore', 'ignore', 'pipe'] })
    this.socat = socat
    let stderr = ''
    socat.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const failed = new Promise<never>((_resolve, reject) => {
      socat.once('error', (error: NodeJS.ErrnoException) =>
        reject(error.code === 'ENOENT' ? new Error('socat is not installed; the serial scanner tests need it (Debian: apt-get install socat)') : error),
      )
      socat.once('exit', (code) => reject(new Error(`socat exited with ${code}: ${stderr}`)))
    })
    failed.catch(() => undefined) // observed below; an exit after unplug() is expected
    const ready = (async () => {
      while (!existsSync(this.port) || !existsSync(this.scannerEnd)) await new Promise((resolve) => setTimeout(resolve, 20))
    })()
    await Promise.race([ready, failed])
    this.scannerFd = openSync(this.scannerEnd, 'w')
  }

  /** Sends bytes as the scanner would, in one write. */
  send(bytes: string | Uint8Array): void {
    if (this.scannerFd === undefined) throw new Error('the pty pair is not plugged in')
    writeSync(this.scannerFd, typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes)
  }

  /** Stops socat as unplugging the scanner would: the port goes away (socat removes its links on SIGTERM). */
  async unplug(): Promise<void> {
    const socat = this.socat
    if (this.scannerFd !== undefined) closeSync(this.scannerFd)
    this.scannerFd = undefined
    this.socat = undefined
    if (socat === undefined || socat.exitCode !== null) return
    await new Promise((resolve) => {
      socat.once('exit', resolve)
      socat.kill('SIGTERM')
    })
  }
}
