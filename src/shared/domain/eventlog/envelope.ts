import { z } from 'zod'
import { HLC_PATTERN } from './hlc'

/**
 * The event log is the only thing replicas exchange. An event is unique by (deviceId, seq), so a
 * replica can take the same event twice, or in any order, and keep one copy; its place in the
 * total order is (hlc, deviceId, seq), so every replica folds the same events into the same state.
 */
export const DeviceIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{7,63}$/, 'deviceId: 8-64 of a-z, 0-9 and -')
export const WardCodeSchema = z.string().regex(/^\d{5}$/, 'ward code: 5 digits')
export const EventTypeSchema = z.string().regex(/^[a-z]+\.[a-zA-Z]+$/, 'event type: area.name')

/**
 * A personal field encrypted with the device data key held by main (AES-256-GCM). Payload schemas
 * mark personal fields with this shape so that they never sit in IndexedDB or on the wire in clear.
 */
export const SealedValueSchema = z
  .object({
    alg: z.literal('A256GCM'),
    kid: z.string().min(1).max(64),
    iv: z.base64().length(16),
    ct: z.base64().max(1_000_000),
  })
  .strict()
export type SealedValue = z.infer<typeof SealedValueSchema>

/** The largest file kept as one sealed blob (a many-page archival PDF), before base64. */
export const MAX_BLOB_BYTES = 48 * 1024 * 1024

/**
 * A file (a page image, a dossier's PDF) encrypted with the device data key, in the same shape as
 * a sealed field: scanned papers are personal data and rest in IndexedDB only like this.
 */
export const SealedBlobSchema = z
  .object({
    alg: z.literal('A256GCM'),
    kid: z.string().min(1).max(64),
    iv: z.base64().length(16),
    // Base64 of the ciphertext and its 16-byte tag.
    ct: z.base64().max(Math.ceil((MAX_BLOB_BYTES + 16) / 3) * 4),
  })
  .strict()
export type SealedBlob = z.infer<typeof SealedBlobSchema>

export const EventEnvelopeSchema = z
  .object({
    deviceId: DeviceIdSchema,
    seq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    hlc: z.string().regex(HLC_PATTERN),
    wardCode: WardCodeSchema,
    type: EventTypeSchema,
    /** Version of the payload's schema, so old events stay readable after the payload changes. */
    v: z.number().int().min(1).max(1000),
    payload: z.record(z.string(), z.unknown()),
  })
  .strict()

export type EventEnvelope = z.infer<typeof EventEnvelopeSchema>

export function eventKey(event: Pick<EventEnvelope, 'deviceId' | 'seq'>): string {
  return `${event.deviceId}:${event.seq}`
}

/** The one total order of the log: clock, then device, then sequence. */
export function compareEvents(a: EventEnvelope, b: EventEnvelope): number {
  if (a.hlc !== b.hlc) return a.hlc < b.hlc ? -1 : 1
  if (a.deviceId !== b.deviceId) return a.deviceId < b.deviceId ? -1 : 1
  return a.seq - b.seq
}

/** For each device, the highest sequence number held with no gap below it. */
export type VersionVector = Readonly<Record<string, number>>

export function versionVectorOf(events: Iterable<Pick<EventEnvelope, 'deviceId' | 'seq'>>): VersionVector {
  const seqsByDevice = new Map<string, Set<number>>()
  for (const { deviceId, seq } of events) {
    let seqs = seqsByDevice.get(deviceId)
    if (!seqs) seqsByDevice.set(deviceId, (seqs = new Set()))
    seqs.add(seq)
  }
  const vector: Record<string, number> = {}
  for (const [deviceId, seqs] of seqsByDevice) {
    let contiguous = 0
    while (seqs.has(contiguous + 1)) contiguous++
    vector[deviceId] = contiguous
  }
  return vector
}
