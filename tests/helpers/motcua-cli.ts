import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { PROJECT_ROOT } from './browser-mode-host'

const run = promisify(execFile)

/** Runs `motcua` as a technician would, through the package's bin (from `cwd`, the project by default); never throws on a non-zero exit. */
export async function motcua(args: readonly string[], env: Record<string, string> = {}, cwd = PROJECT_ROOT): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(PROJECT_ROOT, 'bin/motcua.mjs'), ...args], { cwd, env: { ...process.env, ...env } })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string }
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr }
  }
}
