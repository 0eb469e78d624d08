import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { startRelayServer } from '../../../src/relay/server'

/** Counts the databases the relay opens and closes, to see one left open. */
const open = vi.hoisted(() => ({ count: 0 }))
vi.mock('../../../src/relay/server/storage/relay-storage', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../../src/relay/server/storage/relay-storage')>()
  return {
    ...original,
    openRelayStorage: async (...args: Parameters<typeof original.openRelayStorage>) => {
      const storage = await original.openRelayStorage(...args)
      open.count++
      const close = storage.close.bind(storage)
      return Object.assign(storage, { close: () => (open.count--, close()) })
    },
  }
})

describe('relay start-up failure', () => {
  let dataDir: string
  let occupier: Server

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'motcua-relay-start-'))
    occupier = createServer()
    await new Promise<void>((resolve) => occupier.listen(0, '127.0.0.1', resolve))
  })

  afterAll(async () => {
    await new Promise((resolve) => occupier.close(resolve))
    await rm(dataDir, { recursive: true, force: true })
  })

  it('closes its database when the port is taken, and a later start on the same data folder works', async () => {
    const port = (occupier.address() as { port: number }).port
    const options = { role: 'city' as const, dataDir, host: '127.0.0.1', log: () => undefined }
    await expect(startRelayServer({ ...options, port })).rejects.toMatchObject({ code: 'EADDRINUSE' })
    expect(open.count).toBe(0)
    const relay = await startRelayServer({ ...options, port: 0 })
    try {
      await expect(relay.storage.device('nobody')).resolves.toBeUndefined()
    } finally {
      await relay.close()
    }
    expect(open.count).toBe(0)
  }, 60_000)
})
