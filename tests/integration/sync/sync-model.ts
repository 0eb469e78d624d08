import 'fake-indexeddb/auto'
import fc from 'fast-check'
import { randomBytes } from 'node:crypto'
import { compareEvents, eventKey, type EventEnvelope } from '../../../src/shared/domain/eventlog/envelope'
import { foldQueue } from '../../../src/shared/domain/queue/fold'
import { DEFAULT_QUEUE_RULES } from '../../../src/shared/domain/queue/setup'
import type { Service } from '../../../src/shared/contract/schemas'
import { vietnamDay } from '../../../src/shared/domain/time'
import { callNext, takeTicket } from '../../../src/renderer/src/data/queue'
import { readOutboxSummary } from '../../../src/renderer/src/sync/outbox'
import { startFaultProxy, type FaultProxy, type RequestFault } from '../../helpers/fault-proxy'
import { loadTestWards, startTestRelay, TestDevice } from '../../helpers/sync-devices'

/**
 * The model of sync the tests check: random schedules of writes on three devices, sync steps,
 * network faults (through the fault proxy) and crashes (a device drops everything in memory and
 * restarts from its data folder and IndexedDB), against a real relay server (PGlite). After the
 * link heals and everyone syncs: nothing lost, nothing duplicated, every replica converged.
 */

const DEVICES = 3
const rules = DEFAULT_QUEUE_RULES
// One service is enough for the fold: what matters is who issues and who calls.
const service: Service = { id: 'ho-tich', fieldId: 'ho-tich', name: 'Hộ tịch', nameEn: 'Civil status', prefix: 'A' }
const DAY_START_MS = Date.parse('2026-11-23T08:00:00+07:00')

type Step =
  | { readonly kind: 'issue'; readonly device: number }
  | { readonly kind: 'call'; readonly device: number }
  | { readonly kind: 'digitize'; readonly device: number; readonly sizes: readonly number[] }
  | { readonly kind: 'push' | 'blob' | 'pull'; readonly device: number }
  | { readonly kind: 'crash'; readonly device: number; readonly during?: 'push' | 'pull' }
  | { readonly kind: 'fault'; readonly fault: RequestFault }
  | { readonly kind: 'link'; readonly up: boolean }

const device = fc.integer({ min: 0, max: DEVICES - 1 })
const faultArbitrary: fc.Arbitrary<RequestFault> = fc.oneof(
  fc.constant({ kind: 'drop' as const }),
  fc.integer({ min: 0, max: 3000 }).map((bytes) => ({ kind: 'cutRequest' as const, bytes })),
  fc.integer({ min: 0, max: 400 }).map((bytes) => ({ kind: 'cutResponse' as const, bytes })),
  fc.constant({ kind: 'replayResponse' as const }),
  fc.constant({ kind: 'duplicateRequest' as const }),
  fc.integer({ min: 1, max: 30 }).map((ms) => ({ kind: 'delay' as const, ms })),
)
const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: device.map((index) => ({ kind: 'issue' as const, device: index })) },
  { weight: 3, arbitrary: device.map((index) => ({ kind: 'call' as const, device: index })) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('digitize' as const), device, sizes: fc.array(fc.integer({ min: 1, max: 40_000 }), { minLength: 2, maxLength: 3 }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constantFrom('push' as const, 'blob' as const, 'pull' as const), device }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('crash' as const), device, during: fc.option(fc.constantFrom('push' as const, 'pull' as const), { nil: undefined }) }) },
  { weight: 3, arbitrary: faultArbitrary.map((fault) => ({ kind: 'fault' as const, fault })) },
  { weight: 1, arbitrary: fc.boolean().map((up) => ({ kind: 'link' as const, up })) },
)
export const scheduleArbitrary = fc.array(stepArbitrary, { minLength: 5, maxLength: 40 })

export interface SyncModelWorld {
  /** Runs one schedule on fresh devices of a fresh ward; throws with a description when a property fails. */
  run(schedule: readonly Step[]): Promise<void>
  readonly stats: { schedules: number; steps: number; faults: number; crashes: number; events: number; blobs: number }
  close(): Promise<void>
}

/**
 * One city relay behind one fault proxy for many schedules: each schedule gets a ward of its own
 * (a replica sees only its ward), and the relay is replaced when the wards run out.
 */
export async function startSyncModelWorld(): Promise<SyncModelWorld> {
  const wards = (await loadTestWards()).map((ward) => ward.code)
  let relay = await startTestRelay({ role: 'city' })
  let proxy: FaultProxy = await startFaultProxy({ targetPort: relay.port, seed: 7 })
  let nextWard = 0
  const stats = { schedules: 0, steps: 0, faults: 0, crashes: 0, events: 0, blobs: 0 }

  async function freshWard(): Promise<string> {
    if (nextWard === wards.length) {
      await proxy.close()
      await relay.close()
      relay = await startTestRelay({ role: 'city' })
      proxy = await startFaultProxy({ targetPort: relay.port, seed: 7 })
      nextWard = 0
    }
    return wards[nextWard++]!
  }

  async function run(schedule: readonly Step[]): Promise<void> {
    const wardCode = await freshWard()
    let clock = DAY_START_MS
    const now = (): number => clock
    const devices = await Promise.all(Array.from({ length: DEVICES }, () => TestDevice.create({ now, wardCode, topology: 'city' })))
    const blobSizes = new Map<string, number>()
    try {
      for (const each of devices) await each.api.configureSync({ mode: 'device', target: { url: proxy.url, enrollmentCode: relay.enrollmentCode(wardCode) } })
      stats.schedules++
      for (const step of schedule) {
        clock += 1000
        stats.steps++
        await runStep(step, devices, proxy, blobSizes, now)
      }
      // The link heals; everyone sends, then everyone receives, twice so the last sender's events reach the first.
      proxy.setDown(false)
      proxy.clearQueue()
      for (let round = 0; round < 2; round++) {
        for (const each of devices) await each.sendAll()
        for (const each of devices) await each.pullAll()
      }
      await checkProperties(devices, blobSizes)
      stats.events += (await devices[0]!.db.events.count())
      stats.blobs += blobSizes.size
    } finally {
      await Promise.all(devices.map((each) => each.close()))
    }
  }

  async function runStep(step: Step, devices: TestDevice[], link: FaultProxy, blobSizes: Map<string, number>, now: () => number): Promise<void> {
    const syncStep = async (promise: Promise<unknown>): Promise<void> => {
      // Failures are the point of the faults: the engine must come back from each.
      await promise.catch(() => undefined)
    }
    switch (step.kind) {
      case 'issue':
        await takeTicket(devices[step.device]!.store, { service, block: { index: step.device, count: DEVICES }, rules }, now())
        return
      case 'call':
        await callNext(devices[step.device]!.store, { number: step.device + 1 }, rules, undefined, now())
        return
      case 'digitize': {
        const files = step.sizes.map((size) => randomBytes(size))
        const addresses = await devices[step.device]!.digitize(files)
        addresses.forEach((sha256, index) => blobSizes.set(sha256, files[index]!.length))
        return
      }
      case 'push':
        return syncStep(devices[step.device]!.engine.pushOnce())
      case 'blob':
        return syncStep(devices[step.device]!.engine.blobStepOnce())
      case 'pull':
        return syncStep(devices[step.device]!.engine.pullOnce(0))
      case 'crash': {
        stats.crashes++
        const target = devices[step.device]!
        // A crash in the middle of a request: the server may commit what the device never records.
        const inFlight = (step.during === 'push' ? target.engine.pushOnce() : step.during === 'pull' ? target.engine.pullOnce(0) : Promise.resolve()).catch(() => undefined)
        await target.restart()
        await inFlight
        return
      }
      case 'fault':
        stats.faults++
        link.queue(step.fault)
        return
      case 'link':
        link.setDown(!step.up)
        return
    }
  }

  return {
    run,
    stats,
    async close() {
      await proxy.close()
      await relay.close()
    },
  }
}

async function checkProperties(devices: TestDevice[], blobSizes: ReadonlyMap<string, number>): Promise<void> {
  const [first] = devices
  // What the server holds, as any device pulls it from the start.
  const server: EventEnvelope[] = []
  for (let after = {}; ; ) {
    const answer = await first!.api.syncPullEvents({ after, limit: 2000, waitSeconds: 0 })
    server.push(...answer.events)
    after = answer.frontier
    if (!answer.more) break
  }
  const serverKeys = server.map(eventKey)
  if (new Set(serverKeys).size !== serverKeys.length) throw new Error(`The server holds an event twice: ${serverKeys.filter((key, index) => serverKeys.indexOf(key) !== index).join(', ')}`)
  // Key order is no part of an event's content (JSON through the server may reorder it).
  const canonical = (events: readonly EventEnvelope[]): string => JSON.stringify([...events].sort(compareEvents), (_key, value: unknown) => (value !== null && typeof value === 'object' && !Array.isArray(value) ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1))) : value))
  const expected = canonical(server)
  for (const each of devices) {
    const own = await each.db.events.where('[deviceId+seq]').between([each.deviceId, 0], [each.deviceId, Infinity]).toArray()
    const lost = own.filter((event) => !serverKeys.includes(eventKey(event)))
    if (lost.length > 0) throw new Error(`Device ${each.deviceId} wrote events the server never got: ${lost.map(eventKey).join(', ')}`)
    const replica = await each.db.events.toArray()
    if (canonical(replica) !== expected) throw new Error(`Device ${each.deviceId} holds ${replica.length} events, the server ${server.length}: the replicas did not converge`)
    const outbox = await readOutboxSummary(each.db, each.deviceId)
    if (outbox.events > 0 || outbox.blobs > 0) throw new Error(`Device ${each.deviceId} still has ${outbox.events} events and ${outbox.blobs} blobs to send`)
  }
  const day = vietnamDay(DAY_START_MS)
  const folds = await Promise.all(devices.map(async (each) => JSON.stringify(foldQueue(await each.db.events.toArray(), day, rules), (_key, value: unknown) => (value instanceof Map ? [...value] : value))))
  if (new Set(folds).size !== 1) throw new Error('The replicas fold the same events into different queues')
  for (const [sha256, length] of blobSizes) {
    const progress = await first!.api.syncBlobOffset({ sha256, length })
    if (!progress.complete) throw new Error(`Blob ${sha256} (${length} bytes) did not reach the server in full: ${JSON.stringify(progress)}`)
  }
}
