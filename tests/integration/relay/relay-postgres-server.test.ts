import { createHash, randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DeviceLog } from '../../helpers/events'
import { startPrivatePostgres, type PrivatePostgres } from '../../helpers/postgres'
import { enrolledDevice, startTestRelay } from './relay-fixture'
import { downloadBlob } from './signed-request'

/** The city server on a real PostgreSQL server, end to end over HTTP (the storage suite covers the rules on both engines). */
describe('the city server on PostgreSQL', () => {
  let postgres: PrivatePostgres
  let relay: Awaited<ReturnType<typeof startTestRelay>>

  beforeAll(async () => {
    postgres = await startPrivatePostgres()
    relay = await startTestRelay({ databaseUrl: postgres.url })
  }, 120_000)

  afterAll(async () => {
    await relay?.dispose()
    await postgres?.stop()
  })

  it('stores in PostgreSQL: enrol, concurrent pushes, pull, blob', async () => {
    expect(relay.server.storage.engine).toBe('postgres')
    const devices = await Promise.all([enrolledDevice(relay.server), enrolledDevice(relay.server), enrolledDevice(relay.server)])
    const logs = devices.map((device) => new DeviceLog(device.deviceId))
    await Promise.all(
      devices.map(async (device, index) => {
        for (let batch = 0; batch < 5; batch++) await device.client.push(Array.from({ length: 20 }, (_, n) => logs[index]!.issue(`A${batch * 20 + n}`, 1000 + batch * 100 + n)))
      }),
    )
    const pulled = await devices[0]!.client.pull({ after: {} })
    expect(pulled.events.length).toBe(300)
    expect(pulled.frontier).toEqual(Object.fromEntries(devices.map((device) => [device.deviceId, 100])))
    const bytes = randomBytes(70_000)
    const sha = createHash('sha256').update(bytes).digest('hex')
    await devices[1]!.client.uploadBlob(sha, async (offset, length) => bytes.subarray(offset, offset + length), bytes.length, { chunkBytes: 30_000 })
    expect((await downloadBlob(relay.server.url, devices[2]!, sha)).body.equals(bytes)).toBe(true)
  })
})
