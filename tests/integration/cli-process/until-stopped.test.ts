/**
 * A stopped long-running command ends, even when something it holds never lets go: run in a child process that
 * holds a handle open and a close that never finishes, as a PC/SC status call blocked in pcscd does.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { PROJECT_ROOT } from '../../helpers/browser-mode-host'

const dir = mkdtempSync(join(tmpdir(), 'until-stopped-'))

function runChild(closeBody: string): Promise<{ code: number | null; stderr: string }> {
  const script = join(dir, `child-${Math.random().toString(36).slice(2)}.mts`)
  writeFileSync(
    script,
    `import { runUntilStopped } from ${JSON.stringify(join(PROJECT_ROOT, 'src/cli/until-stopped.ts'))}
const held = setInterval(() => undefined, 1000)
const stopped = runUntilStopped(async () => { ${closeBody} }, (line) => process.stderr.write(line + '\\n'), 300)
process.stdout.write('ready\\n')
await stopped
process.stderr.write('closed\\n')
`,
  )
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  let signalled = false
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString()
    // Signalled once the child listens for it, whatever time tsx took to compile the script.
    if (!signalled && stdout.includes('ready')) {
      signalled = true
      child.kill('SIGTERM')
    }
  })
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`the child did not end within 15 s; stdout: ${stdout} stderr: ${stderr}`))
    }, 15_000)
    child.once('exit', (code) => {
      clearTimeout(deadline)
      resolve({ code, stderr })
    })
  })
}

describe('a long-running command asked to stop', () => {
  it('closes what it holds and ends by itself, without the forced exit', async () => {
    const result = await runChild('clearInterval(held)')
    expect(result.stderr).toContain('closed')
    expect(result.code).toBe(0)
    expect(result.stderr).not.toContain('exiting anyway')
  })

  it('exits anyway, and says why, when closing never finishes', async () => {
    const result = await runChild('await new Promise(() => undefined)')
    expect(result.stderr).toContain('Still holding resources 300 ms after the stop signal: exiting anyway')
    expect(result.stderr).not.toContain('closed')
    expect(result.code).toBe(0)
  })

  it('exits anyway when closing ends but a handle is still held', async () => {
    const result = await runChild('')
    expect(result.stderr).toContain('closed')
    expect(result.stderr).toContain('exiting anyway')
  })
})
