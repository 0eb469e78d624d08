import { describe, expect, it, vi } from 'vitest'
import { generateDeviceKey, publicJwkOf } from '../../../src/relay/client'
import { jwkThumbprint } from '../../../src/relay/auth/device-key'
import type { BlobStore } from '../../../src/relay/server/blob-store'
import type { RelayStorage } from '../../../src/relay/server/storage/relay-storage'
import { startUpstreamReplicator } from '../../../src/relay/server/upstream-replicator'
import { WardSignals } from '../../../src/relay/server/ward-signals'
import { TEST_WARD } from '../../helpers/events'

describe("the hub's replication to the city, starting up", () => {
  it('retries when its database fails at start, instead of an unhandled rejection', async () => {
    const state = vi.fn<RelayStorage['state']>().mockRejectedValueOnce(new Error('database not ready')).mockResolvedValue({ 'device-0001': 3 })
    // Only what the replicator touches before it meets the (unreachable) city.
    const storage = { state, wardFrontier: async () => ({}), countAbove: async () => ({ events: 0, bytes: 0 }), blobsNotUpstream: async () => [] } as Partial<RelayStorage> as RelayStorage
    const unreachable: typeof fetch = async () => {
      throw new TypeError('fetch failed')
    }
    const logs: string[] = []
    const cityKey = publicJwkOf(generateDeviceKey())
    const replicator = startUpstreamReplicator({
      wardCode: TEST_WARD,
      storage,
      blobs: {} as BlobStore,
      signals: new WardSignals(),
      client: { baseUrl: 'http://city.invalid', deviceId: 'hub-0001', privateKey: generateDeviceKey(), serverKey: { ...cityKey, kid: jwkThumbprint(cityKey) }, fetch: unreachable },
      log: (line) => logs.push(line),
      backoff: { baseMs: 5, capMs: 20 },
    })
    try {
      // The failed read is logged and retried: the next pass reads the saved frontier and goes on to the city.
      await vi.waitFor(() => expect(replicator.status()).toMatchObject({ cityFrontier: { 'device-0001': 3 }, lastError: { code: 'network' } }))
      expect(logs[0]).toMatch(/^upstream: internal: database not ready; retrying/)
    } finally {
      await replicator.stop()
    }
  })
})
