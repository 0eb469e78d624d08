import 'fake-indexeddb/auto'
import fc from 'fast-check'
import { randomBytes } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import type { EventEnvelope } from '../../src/shared/domain/eventlog/envelope'
import { readOutboxSummary } from '../../src/renderer/src/sync/outbox'
import { DeviceLog, TEST_DAY_START_MS } from '../helpers/events'
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy'
import { startTestRelay, TestDevice } from '../helpers/sync-devices'
import { scheduleArbitrary, startSyncModelWorld } from '../integration/sync/sync-model'
import { figure } from './stats'

/**
 * Catch-up after seven days offline (issue #5): a counter's week of events and scanned pages sent
 * to the hub through the fault proxy throttled to 1 Mbit/s. The issue's 500 MB of pages would take
 * 70 minutes at that rate; the default run sends 1/25 of it (20 MB, ~3 min) at the same rate, so the
 * link behaves the same and only the duration shrinks. SYNC_BENCH_FULL=1 sends all 500 MB.
 */
const LINK_BITS_PER_SECOND = 1_000_000
const WEEK_EVENTS = 20_000
const PAGE_BYTES = 250 * 1024
const BLOB_BYTES = process.env.SYNC_BENCH_FULL === '1' ? 500 * 1024 * 1024 : 20 * 1024 * 1024
const CUT_RUN_BLOB_BYTES = 4 * 1024 * 1024

type Relay = Awaited<ReturnType<typeof startTestRelay>>

/** A week of a busy counter: tickets and calls, as appended by its screens. */
async function writeWeek(device: TestDevice, count: number): Promise<void> {
  const log = new DeviceLog(device.deviceId)
  const events: EventEnvelope[] = []
  const tickets: string[] = []
  for (let index = 0; events.length < count; index++) {
    const at = TEST_DAY_START_MS - 7 * 24 * 3600_000 + index * 30_000
    const issued = log.issue(`A${String((index % 999) + 1).padStart(3, '0')}`, at)
    events.push(issued)
    tickets.push(issued.payload.ticketId)
    if (index % 2 === 1 && events.length < count) events.push(log.call(tickets[index - 1]!, 1, at + 5000))
  }
  await device.db.transaction('rw', device.db.events, device.db.meta, async () => {
    await device.db.events.bulkAdd(events)
    await device.db.meta.bulkPut([
      { key: `seq:${device.deviceId}`, value: events.length },
      { key: 'clock', value: events.at(-1)!.hlc },
    ])
  })
}

/** Scanned pages in dossiers of four, sealed on the device like the counter's capture does. */
async function scanPages(device: TestDevice, totalBytes: number): Promise<number> {
  let written = 0
  while (written < totalBytes) {
    const files = Array.from({ length: 4 }, () => randomBytes(Math.min(PAGE_BYTES, Math.max(1, totalBytes - written))))
    written += files.reduce((sum, file) => sum + file.length, 0)
    await device.digitize(files)
  }
  return written
}

async function enrolledDevice(relay: Relay, proxy: FaultProxy): Promise<TestDevice> {
  const device = await TestDevice.create()
  await device.api.configureSync({ mode: 'device', target: { url: proxy.url, enrollmentCode: relay.enrollmentCode(device.wardCode) } })
  return device
}

/**
 * Counts PATCH bytes sent below what the server had acknowledged to the client at that moment
 * (goal: none), and bytes sent more than once at all (a cut chunk must be sent again).
 */
function watchResends(proxy: FaultProxy): { acknowledgedResent: () => number; resent: () => number } {
  const acknowledged = new Map<string, number>()
  const forwardedEnd = new Map<string, number>()
  let acknowledgedResent = 0
  let resent = 0
  const blobOf = (path: string): string | undefined => /\/v1\/blobs\/([0-9a-f]{64})/.exec(path)?.[1]
  proxy.onRequest((request) => {
    const sha256 = blobOf(request.path)
    if (request.method !== 'PATCH' || !sha256) return
    const offset = Number(request.headers.get('upload-offset'))
    const end = offset + request.body.length
    acknowledgedResent += Math.max(0, Math.min(end, acknowledged.get(sha256) ?? 0) - offset)
    resent += Math.max(0, Math.min(end, forwardedEnd.get(sha256) ?? 0) - offset)
    forwardedEnd.set(sha256, Math.max(end, forwardedEnd.get(sha256) ?? 0))
  })
  proxy.onResponse((request, response) => {
    const sha256 = blobOf(request.path) ?? blobOf(response.headers.get('location') ?? '')
    const offset = Number(response.headers.get('upload-offset'))
    if (!sha256 || !response.delivered || !Number.isSafeInteger(offset)) return
    acknowledged.set(sha256, Math.max(offset, acknowledged.get(sha256) ?? 0))
  })
  return { acknowledgedResent: () => acknowledgedResent, resent: () => resent }
}

async function sendUntilEmpty(device: TestDevice): Promise<number> {
  let failures = 0
  for (;;) {
    try {
      await device.sendAll()
      return failures
    } catch {
      failures++
    }
  }
}

export async function benchSync(): Promise<void> {
  const relay = await startTestRelay({ role: 'city' })
  try {
    // 1. The week's backlog through a clean 1 Mbit/s link.
    const link = await startFaultProxy({ targetPort: relay.port, bitsPerSecond: LINK_BITS_PER_SECOND })
    const counter = await enrolledDevice(relay, link)
    await writeWeek(counter, WEEK_EVENTS)
    const blobBytes = await scanPages(counter, BLOB_BYTES)
    const before = { ...link.stats }
    const started = performance.now()
    await sendUntilEmpty(counter)
    const seconds = (performance.now() - started) / 1000
    const carried = link.stats.bytesUpstream - before.bytesUpstream
    const share = carried / seconds / (LINK_BITS_PER_SECOND / 8)
    figure(`catch-up: ${WEEK_EVENTS.toLocaleString('en')} events + ${(blobBytes / 1048576).toFixed(0)} MB pages at 1 Mbit/s`, `${seconds.toFixed(0)} s`)
    figure('catch-up: link use (bytes carried / link capacity)', `${(share * 100).toFixed(1)} %`, '≥ 90 %')
    figure('catch-up: page bytes among the bytes carried', `${((blobBytes / carried) * 100).toFixed(1)} %`)
    const outbox = await readOutboxSummary(counter.db, counter.deviceId)
    if (outbox.events + outbox.blobs > 0) throw new Error(`Catch-up left ${outbox.events} events and ${outbox.blobs} blobs unsent`)

    // 2. Events per second applied on pull: another device of the ward receives the week (loopback, no throttle).
    const direct = await startFaultProxy({ targetPort: relay.port })
    const kiosk = await enrolledDevice(relay, direct)
    const pullStarted = performance.now()
    await kiosk.pullAll()
    const pulled = await kiosk.db.events.count()
    figure('pull: events applied per second (one transaction per batch)', `${Math.round(pulled / ((performance.now() - pullStarted) / 1000)).toLocaleString('en')} /s`)
    await Promise.all([counter.close(), kiosk.close(), link.close(), direct.close()])

    // 3. Random cuts on the throttled link: what is sent twice.
    const cutLink = await startFaultProxy({ targetPort: relay.port, bitsPerSecond: LINK_BITS_PER_SECOND, seed: 11, faults: { cutRequest: 0.08, cutResponse: 0.08, drop: 0.04 } })
    const resends = watchResends(cutLink)
    const scanner = await enrolledDevice(relay, cutLink)
    const cutBytes = await scanPages(scanner, CUT_RUN_BLOB_BYTES)
    const failures = await sendUntilEmpty(scanner)
    figure(`cuts: ${(cutBytes / 1048576).toFixed(0)} MB pages, ${failures} failed requests`, `${cutLink.stats.faults.cutRequest + cutLink.stats.faults.cutResponse + cutLink.stats.faults.drop} faults`)
    figure('cuts: acknowledged bytes sent again', `${resends.acknowledgedResent()} B`, '0 B')
    figure('cuts: delivered chunk bytes sent again', `${(resends.resent() / 1024).toFixed(0)} KB`)
    figure('cuts: request bytes lost in cuts (sent again after)', `${(cutLink.stats.bytesCutUpstream / 1024).toFixed(0)} KB of ${(cutLink.stats.bytesUpstream / 1024).toFixed(0)} KB`)
    await Promise.all([scanner.close(), cutLink.close()])
  } finally {
    await relay.close()
  }
}

/** 10,000 random schedules of the model test (SYNC_MODEL_RUNS to change). */
export async function benchSyncModel(): Promise<void> {
  const runs = Number(process.env.SYNC_MODEL_RUNS ?? 10_000)
  const world = await startSyncModelWorld()
  const started = performance.now()
  try {
    await fc.assert(fc.asyncProperty(scheduleArbitrary, (schedule) => world.run(schedule)), { numRuns: runs, seed: Date.now() % 2 ** 31, endOnFailure: true })
  } finally {
    await world.close()
  }
  const { schedules, steps, faults, crashes, events, blobs } = world.stats
  figure(`model: schedules passed`, `${schedules.toLocaleString('en')}`, `${runs.toLocaleString('en')}`)
  figure('model: steps, faults, crashes', `${steps} / ${faults} / ${crashes}`)
  figure('model: events and blobs checked', `${events} / ${blobs}`)
  figure('model: time per schedule', `${((performance.now() - started) / schedules).toFixed(0)} ms`)
}
