import { createServer, type Server } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seededRandom, startFaultProxy, type FaultProxy } from '../../helpers/fault-proxy'

/** A tiny echo server: counts the requests it got, answers with the body's length. */
let server: Server
let port: number
let received: { method: string; url: string; bytes: number }[] = []

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const bytes = Buffer.concat(chunks).length
      received.push({ method: req.method!, url: req.url!, bytes })
      const body = JSON.stringify({ n: received.length, bytes })
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-count': String(received.length) })
      res.end(req.method === 'HEAD' ? undefined : body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as { port: number }).port
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

async function withProxy(test: (proxy: FaultProxy) => Promise<void>, options: Parameters<typeof startFaultProxy>[0] = { targetPort: 0 }): Promise<void> {
  received = []
  const proxy = await startFaultProxy({ ...options, targetPort: port })
  try {
    await test(proxy)
  } finally {
    await proxy.close()
  }
}

const post = (proxy: FaultProxy, bytes: number) => fetch(`${proxy.url}/echo`, { method: 'POST', body: Buffer.alloc(bytes, 7) })

describe('the fault proxy between a client and a server', () => {
  it('forwards requests and answers unchanged when no fault is set, on kept-alive connections too', async () => {
    await withProxy(async (proxy) => {
      for (const bytes of [0, 10, 100_000]) {
        const answer = (await (await post(proxy, bytes)).json()) as { bytes: number }
        expect(answer.bytes).toBe(bytes)
      }
      const head = await fetch(`${proxy.url}/head`, { method: 'HEAD' })
      expect(head.headers.get('x-count')).toBe('4')
      expect(proxy.stats.requests).toBe(4)
    })
  })

  it('drops a request: the client sees a network error and the server never gets it', async () => {
    await withProxy(async (proxy) => {
      proxy.queue({ kind: 'drop' })
      await expect(post(proxy, 100)).rejects.toThrow()
      expect(received).toHaveLength(0)
      expect(proxy.stats.faults.drop).toBe(1)
    })
  })

  it('cuts a request mid-body: the server never completes it', async () => {
    await withProxy(async (proxy) => {
      proxy.queue({ kind: 'cutRequest', bytes: 200 })
      await expect(post(proxy, 50_000)).rejects.toThrow()
      expect(received).toHaveLength(0)
    })
  })

  it('cuts an answer mid-body: the server did the work, the client never learns it', async () => {
    await withProxy(async (proxy) => {
      proxy.queue({ kind: 'cutResponse', bytes: 20 })
      await expect(post(proxy, 10).then((response) => response.text())).rejects.toThrow()
      expect(received).toHaveLength(1)
    })
  })

  it('replays an earlier answer for a new request: the server never sees the new one', async () => {
    await withProxy(async (proxy) => {
      await post(proxy, 1)
      proxy.queue({ kind: 'replayResponse' })
      const replayed = (await (await post(proxy, 2)).json()) as { n: number; bytes: number }
      expect(replayed).toEqual({ n: 1, bytes: 1 })
      expect(received).toHaveLength(1)
    })
  })

  it('delivers a request twice upstream; the client gets one answer', async () => {
    await withProxy(async (proxy) => {
      proxy.queue({ kind: 'duplicateRequest' })
      const answer = (await (await post(proxy, 5)).json()) as { bytes: number }
      expect(answer.bytes).toBe(5)
      await expect.poll(() => received.length).toBe(2)
      expect(received.every((request) => request.bytes === 5)).toBe(true)
    })
  })

  it('refuses every connection while the link is down, and carries traffic again when it returns', async () => {
    await withProxy(async (proxy) => {
      proxy.setDown(true)
      await expect(post(proxy, 1)).rejects.toThrow()
      proxy.setDown(false)
      expect((await post(proxy, 1)).status).toBe(200)
    })
  })

  it('carries every byte through a throttled link (the rate it achieves is measured by the sync bench)', async () => {
    await withProxy(
      async (proxy) => {
        const answer = (await (await post(proxy, 40_000)).json()) as { bytes: number }
        expect(answer.bytes).toBe(40_000)
        expect(proxy.stats.bytesUpstream).toBeGreaterThan(40_000)
      },
      { targetPort: 0, bitsPerSecond: 800_000 },
    )
  })

  it('draws the same faults from the same seed', () => {
    const a = seededRandom(42)
    const b = seededRandom(42)
    const first = Array.from({ length: 5 }, () => a())
    expect(Array.from({ length: 5 }, () => b())).toEqual(first)
    expect(new Set(first).size).toBe(5)
  })
})
