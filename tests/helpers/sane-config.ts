import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * A SANE configuration of the test's own (SANE_CONFIG_DIR): only the backends it names in dll.conf, so
 * scanimage neither loads every backend nor looks at the machine's real scanners.
 */
export function saneConfigDir(files: Readonly<Record<string, string>>): string {
  const dir = mkdtempSync(join(tmpdir(), 'motcua-sane-'))
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content)
  return dir
}

/** The environment scanimage runs in with that configuration. */
export function saneEnv(configDir: string): NodeJS.ProcessEnv {
  return { ...process.env, SANE_CONFIG_DIR: configDir }
}

/** These tests need Debian's sane-utils (and sane-airscan for eSCL): fail loudly when they are missing. */
export function requireScanimage(): void {
  const result = spawnSync('scanimage', ['--version'], { encoding: 'utf8' })
  if (result.status !== 0) throw new Error(`scanimage is missing (${result.error?.message ?? result.stderr}): apt-get install sane-utils sane-airscan`)
}
