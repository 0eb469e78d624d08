import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSyncClient, generateDeviceKey } from '../../../src/relay/client'
import { parseSyncProvisioning } from '../../../src/shared/sync/protocol'
import { PROJECT_ROOT } from '../../helpers/browser-mode-host'
import { motcua } from '../../helpers/motcua-cli'

describe('motcua city', () => {
  let dataDir: string

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'motcua-city-cli-'))
  })

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true })
  })

  it('refuses an enrolment code for a folder no server has used', async () => {
    const { code, stderr } = await motcua(['city', 'enroll-code', '--data', join(dataDir, 'typo'), '--ward', '20194'])
    expect(code).toBe(1)
    expect(stderr).toContain('not a relay server')
  })

  it('serves with no set-up, enrols a device with the printed code, and stops cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin/motcua.mjs'), 'city', 'serve', '--port', '0', '--data', dataDir], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text))
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', () => {
          const match = /(http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)
          if (match) resolve(match[1]!)
        })
        void exited.then((code) => reject(new Error(`serve exited with ${code}: ${stdout}`)))
      })
      expect(stdout).toContain('(pglite)')
      expect(stdout).not.toMatch(/[A-Z2-7]{16}/)

      const printed = await motcua(['city', 'enroll-code', '--data', dataDir, '--ward', '20194', '--url', url])
      expect(printed.code).toBe(0)
      const provisioning = parseSyncProvisioning(printed.stdout.split('\n').find((line) => line.startsWith('MCSYNC1:'))!)
      expect(provisioning).toMatchObject({ url, role: 'city', wardCode: '20194' })
      expect(printed.stdout).toContain(provisioning!.enrollmentCode)

      // The QR pins the key the running server signs with.
      const key = generateDeviceKey()
      const { key: serverKey } = await createSyncClient({ baseUrl: url, deviceId: 'cli-enrolled-device-1', privateKey: key }).health()
      expect(provisioning!.serverKey).toBe(serverKey.kid)
      const client = createSyncClient({ baseUrl: url, deviceId: 'cli-enrolled-device-1', privateKey: key, serverKey })
      expect(await client.enroll({ wardCode: '20194', kind: 'device', enrollmentCode: provisioning!.enrollmentCode })).toMatchObject({ wardCode: '20194' })
      child.kill('SIGTERM')
      expect(await exited).toBe(0)
      expect(stdout).toContain('Đã dừng')
    } finally {
      child.kill('SIGKILL')
    }
  })

  it('refuses a ward code or URL that is not one', async () => {
    expect((await motcua(['city', 'enroll-code', '--data', dataDir, '--ward', '123'])).code).toBe(1)
    expect((await motcua(['city', 'enroll-code', '--data', dataDir, '--ward', '20194', '--url', 'ftp://x'])).code).toBe(1)
    const json = await motcua(['city', 'enroll-code', '--data', dataDir, '--ward', '20194', '--json'])
    expect(JSON.parse(json.stdout)).toEqual({ wardCode: '20194', enrollmentCode: expect.stringMatching(/^[A-Z2-7]{16}$/), serverKey: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) })
  })
})
