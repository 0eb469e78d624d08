import { execFile } from 'node:child_process'
import { chmod, chown, mkdtemp, readdir, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)
const POSTGRES_ROOT = '/usr/lib/postgresql'
const DEBIAN_PACKAGE = 'postgresql'

export interface PrivatePostgres {
  /** postgres://... for the `relay` database, trust authentication over TCP on 127.0.0.1. */
  readonly url: string
  stop(): Promise<void>
}

/** The newest installed server's bin folder; throws (the test fails) when PostgreSQL is not installed. */
async function postgresBinDir(): Promise<string> {
  const versions = await readdir(POSTGRES_ROOT).catch(() => [] as string[])
  const newest = versions.filter((name) => /^\d+$/.test(name)).sort((a, b) => Number(b) - Number(a))[0]
  if (newest === undefined) throw new Error(`PostgreSQL server binaries are missing (no ${POSTGRES_ROOT}/*/bin/initdb): install the Debian package "${DEBIAN_PACKAGE}" (apt-get install ${DEBIAN_PACKAGE})`)
  return join(POSTGRES_ROOT, newest, 'bin')
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number }
      probe.close(() => resolve(port))
    })
  })
}

/**
 * A private PostgreSQL server for one test file: initdb in a temporary folder, started with pg_ctl on
 * a free port, removed by stop(). PostgreSQL refuses to run as root, so as root it runs as the
 * `postgres` user (`runuser -u postgres --`), with the folder handed to that user.
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = await postgresBinDir()
  const asRoot = process.getuid?.() === 0
  const root = await mkdtemp(join(tmpdir(), 'motcua-pg-'))
  const dataDir = join(root, 'data')
  const ids = asRoot ? await postgresUserIds() : undefined
  if (ids) {
    await chown(root, ids.uid, ids.gid)
    await chmod(root, 0o700)
  }
  const exec = (command: string, args: readonly string[]) => (ids ? run('runuser', ['-u', 'postgres', '--', join(bin, command), ...args]) : run(join(bin, command), [...args]))
  const port = await freePort()
  try {
    await exec('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-sync'])
    // Unix socket in the private folder, so nothing collides with a system server.
    await exec('pg_ctl', ['-D', dataDir, '-l', join(root, 'server.log'), '-w', '-t', '60', '-o', `-p ${port} -h 127.0.0.1 -k ${root} -c fsync=off -c synchronous_commit=off -c full_page_writes=off`, 'start'])
    await exec('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', 'relay'])
  } catch (error) {
    await exec('pg_ctl', ['-D', dataDir, '-m', 'immediate', 'stop']).catch(() => undefined)
    await rm(root, { recursive: true, force: true })
    const detail = error as { stderr?: string; message: string }
    throw new Error(`Could not start a private PostgreSQL server: ${detail.stderr ?? detail.message}`)
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/relay`,
    async stop() {
      await exec('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', 'stop']).catch(() => undefined)
      await rm(root, { recursive: true, force: true })
    },
  }
}

async function postgresUserIds(): Promise<{ uid: number; gid: number }> {
  try {
    const { stdout } = await run('id', ['-u', 'postgres'])
    const { stdout: group } = await run('id', ['-g', 'postgres'])
    return { uid: Number(stdout.trim()), gid: Number(group.trim()) }
  } catch {
    throw new Error(`There is no "postgres" user to run the server as (this process is root): install the Debian package "${DEBIAN_PACKAGE}", which creates it`)
  }
}
