import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { PROJECT_ROOT } from '../helpers/browser-mode-host'
import { figure } from './stats'

/** The fuzzed parsers: what a scanner, a card or a QR seal hands us. `npm test` runs them with fewer cases. */
const FUZZED = ['tests/unit/scan/fuzz.test.ts', 'tests/unit/seal/cbor.test.ts', 'tests/unit/seal/base45.test.ts', 'tests/unit/seal/seal.test.ts', 'tests/unit/idcard/tlv.test.ts', 'tests/unit/idcard/datagroups.test.ts', 'tests/unit/idcard/secure-messaging.test.ts']
const BENCH_RUNS = 100_000

/** Runs the parsers' property tests with 100,000 cases each: nothing but the typed errors may escape. */
export async function benchFuzz(): Promise<void> {
  const started = performance.now()
  const run = spawnSync(join(PROJECT_ROOT, 'node_modules/.bin/vitest'), ['run', ...FUZZED], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, FUZZ_RUNS: String(BENCH_RUNS) },
    encoding: 'utf8',
    timeout: 30 * 60_000,
  })
  const tests = /Tests\s+(?:\x1b\[[0-9;]*m)*\s*(.*)$/m.exec(run.stdout)?.[1]?.replace(/\x1b\[[0-9;]*m/g, '') ?? 'no summary'
  figure(`parser fuzzing, ${BENCH_RUNS.toLocaleString('en')} cases per property`, run.status === 0 ? 'all held' : 'FAILED')
  figure('  test summary', tests)
  figure('  wall time', `${((performance.now() - started) / 1000).toFixed(0)} s`)
  if (run.status !== 0) console.log(run.stdout.slice(-4000))
}
