import { z } from 'zod'
import { DeviceIdSchema, EventEnvelopeSchema, WardCodeSchema, type EventEnvelope, type VersionVector } from '../domain/eventlog/envelope'

/**
 * The one replication protocol, spoken by a device to its ward hub, by a device to the city, and by
 * the hub to the city (docs/sync-protocol.md). Everything here is data: the Node client and the
 * relay server both check what crosses the wire against these schemas.
 */

export const PROTOCOL_VERSION = 1
export const API_PREFIX = '/v1'

export const SYNC_PATHS = {
  health: '/health',
  enroll: `${API_PREFIX}/devices/enroll`,
  events: `${API_PREFIX}/events`,
  blobs: `${API_PREFIX}/blobs`,
} as const

/** The upload URL of a blob is its content address: a blob is never stored twice. */
export const blobPath = (sha256: string): string => `${SYNC_PATHS.blobs}/${sha256}`

export const SYNC_LIMITS = {
  /** Events in one push; the client sends fewer when the link is slow. */
  maxEventsPerPush: 1000,
  /** One event as JSON, in bytes. */
  maxEventBytes: 64 * 1024,
  /** A request body as sent (after gzip), and once decompressed (a guard against zip bombs). */
  maxBodyBytes: 4 * 1024 * 1024,
  maxDecodedBodyBytes: 16 * 1024 * 1024,
  /** Events in one pull answer. */
  maxEventsPerPull: 2000,
  /** How long a pull may wait for new events (long-poll), in seconds. */
  maxPullWaitSeconds: 25,
  /** A blob (a digitized dossier PDF, a page image). */
  maxBlobBytes: 512 * 1024 * 1024,
  /** One PATCH of a resumable upload. */
  maxChunkBytes: 8 * 1024 * 1024,
  /** How far a signature's `created` may be from the server's clock. */
  maxClockSkewSeconds: 15 * 60,
  /** A pull answer as the client reads it (decoded): a page of at most maxBodyBytes of events (one event may cross it) and the cursor of up to 10,000 devices. */
  maxPullAnswerBytes: 8 * 1024 * 1024,
  /** Any other answer: health, enrolment, a push's acknowledgement (the frontier of at most 1000 devices), an error. */
  maxAnswerBytes: 256 * 1024,
} as const

const utf8 = new TextEncoder()
/** An event's size as the limit counts it: its JSON in UTF-8 bytes (device, relay and pull pages alike). */
export const eventJsonBytes = (event: EventEnvelope): number => utf8.encode(JSON.stringify(event)).length

export const Sha256HexSchema = z.string().regex(/^[0-9a-f]{64}$/, 'sha256: 64 lower-case hex digits')

export const VersionVectorSchema = z.record(DeviceIdSchema, z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)).refine((vector) => Object.keys(vector).length <= 10_000, 'at most 10,000 devices')

/** A version vector travels in the pull's query string as base64url JSON. */
export function encodeVersionVector(vector: VersionVector): string {
  const json = JSON.stringify(Object.fromEntries(Object.entries(vector).filter(([, seq]) => seq > 0).sort(([a], [b]) => (a < b ? -1 : 1))))
  return base64UrlFromUtf8(json)
}

export function decodeVersionVector(encoded: string): VersionVector | undefined {
  if (!/^[A-Za-z0-9_-]{0,400000}$/.test(encoded)) return undefined
  try {
    const parsed = VersionVectorSchema.safeParse(JSON.parse(utf8FromBase64Url(encoded)))
    return parsed.success ? parsed.data : undefined
  } catch {
    return undefined
  }
}

function base64UrlFromUtf8(text: string): string {
  const bytes = new TextEncoder().encode(text)
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

function utf8FromBase64Url(encoded: string): string {
  const binary = atob(encoded.replace(/-/g, '+').replace(/_/g, '/'))
  return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(binary, (char) => char.charCodeAt(0)))
}

// ---- keys ----------------------------------------------------------------------------------------

/** An Ed25519 public key as a JWK (RFC 8037). */
export const Ed25519PublicJwkSchema = z
  .object({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), x: z.string().regex(/^[A-Za-z0-9_-]{43}$/) })
  .strict()
export type Ed25519PublicJwk = z.infer<typeof Ed25519PublicJwkSchema>

/** A JWK thumbprint (RFC 7638, SHA-256, base64url): a relay key's id. */
export const KeyThumbprintSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'key thumbprint: 43 base64url characters')

/** A relay's own signing key, published by /health: `kid` is the JWK's thumbprint (the client checks). */
export const ServerKeySchema = Ed25519PublicJwkSchema.extend({ kid: KeyThumbprintSchema })
export type ServerKey = z.infer<typeof ServerKeySchema>

// ---- health ---------------------------------------------------------------------------------------

export const HealthResponseSchema = z
  .object({
    status: z.literal('ok'),
    role: z.enum(['hub', 'city']),
    protocol: z.literal(PROTOCOL_VERSION),
    /** The server's clock, so a device can tell the technician its own is wrong. */
    time: z.iso.datetime(),
    wardCode: WardCodeSchema.optional(),
    /** The key that signs the server's answers; a device pins it at enrolment. */
    key: ServerKeySchema,
  })
  .strict()
export type HealthResponse = z.infer<typeof HealthResponseSchema>

// ---- enrolment ------------------------------------------------------------------------------------

/** An enrolment code: what the technician types or scans, issued by the server for one ward. */
export const EnrollmentCodeSchema = z.string().regex(/^[A-Z2-7]{16}$/, 'enrolment code: 16 characters A-Z, 2-7')

export const DeviceKindSchema = z.enum(['device', 'hub'])

/**
 * Enrolment is itself a signed request (keyid = deviceId, verified with the key in the body), so the
 * server knows the device holds the private key it registers.
 */
export const EnrollRequestSchema = z
  .object({
    deviceId: DeviceIdSchema,
    wardCode: WardCodeSchema,
    kind: DeviceKindSchema,
    publicKey: Ed25519PublicJwkSchema,
    enrollmentCode: EnrollmentCodeSchema,
  })
  .strict()
export type EnrollRequest = z.infer<typeof EnrollRequestSchema>

export const EnrollResponseSchema = z.object({ deviceId: DeviceIdSchema, wardCode: WardCodeSchema, kind: DeviceKindSchema }).strict()

// ---- events ---------------------------------------------------------------------------------------

/**
 * A push carries events in order of seq per device; each device's events must continue its log
 * with no gap (seq = the server's frontier + 1, or already held). A device pushes only its own
 * events; a hub also relays those of its ward's devices.
 */
export const PushRequestSchema = z
  .object({ events: z.array(EventEnvelopeSchema).min(1).max(SYNC_LIMITS.maxEventsPerPush) })
  .strict()
export type PushRequest = z.infer<typeof PushRequestSchema>

/** Sent only after the server committed: `frontier` is, for each device in the push, the highest seq it holds with no gap. */
export const PushResponseSchema = z
  .object({
    accepted: z.number().int().min(0),
    duplicates: z.number().int().min(0),
    frontier: VersionVectorSchema,
  })
  .strict()
export type PushResponse = z.infer<typeof PushResponseSchema>

/**
 * GET /v1/events?after=VECTOR&limit=N&wait=S: the ward's events with seq above `after` for their
 * device, ordered by (hlc, deviceId, seq), so each device's events come in seq order and a cut-off
 * answer is a gap-free prefix of every device's log. `frontier` is the server's vector after the
 * events returned; `more` says another pull would return events at once.
 */
export const PullResponseSchema = z
  .object({
    events: z.array(EventEnvelopeSchema).max(SYNC_LIMITS.maxEventsPerPull),
    frontier: VersionVectorSchema,
    more: z.boolean(),
  })
  .strict()
export type PullResponse = z.infer<typeof PullResponseSchema>

// ---- errors ---------------------------------------------------------------------------------------

export const SYNC_ERROR_CODES = [
  'malformedRequest',
  'payloadTooLarge',
  'unsupportedMediaType',
  'unauthenticated',
  'clockSkew',
  'unknownDevice',
  'enrollmentRefused',
  'wrongWard',
  'notYourEvents',
  'sequenceGap',
  'conflictingEvent',
  'checksumMismatch',
  'offsetMismatch',
  'digestMismatch',
  'notFound',
  'methodNotAllowed',
  'unavailable',
] as const
export type SyncErrorCode = (typeof SYNC_ERROR_CODES)[number]

/** Every error answer: a 4xx for anything the client sent wrong, never a 5xx for bad input. */
export const SyncErrorBodySchema = z
  .object({
    error: z
      .object({
        code: z.enum(SYNC_ERROR_CODES),
        message: z.string().max(2000),
        /** sequenceGap: the seq the server expects next for `deviceId`. */
        expected: z.object({ deviceId: DeviceIdSchema, seq: z.number().int().min(1) }).strict().optional(),
      })
      .strict(),
  })
  .strict()
export type SyncErrorBody = z.infer<typeof SyncErrorBodySchema>

// ---- provisioning ---------------------------------------------------------------------------------

/**
 * What the technician scans from the hub's screen (or the city's enrolment sheet) to point a device
 * at it: `MCSYNC1:` followed by this object as JSON.
 */
export const SYNC_PROVISIONING_PREFIX = 'MCSYNC1:'
export const SyncProvisioningSchema = z
  .object({
    url: z.url({ protocol: /^https?$/ }).max(300),
    role: z.enum(['hub', 'city']),
    wardCode: WardCodeSchema,
    enrollmentCode: EnrollmentCodeSchema,
    /** The server key's thumbprint: the device refuses a server that answers with another key. */
    serverKey: KeyThumbprintSchema.optional(),
  })
  .strict()
export type SyncProvisioning = z.infer<typeof SyncProvisioningSchema>

export function parseSyncProvisioning(text: string): SyncProvisioning | undefined {
  if (!text.startsWith(SYNC_PROVISIONING_PREFIX) || text.length > 1000) return undefined
  try {
    const parsed = SyncProvisioningSchema.safeParse(JSON.parse(text.slice(SYNC_PROVISIONING_PREFIX.length)))
    return parsed.success ? parsed.data : undefined
  } catch {
    return undefined
  }
}
