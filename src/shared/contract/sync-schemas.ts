import { z } from 'zod'
import { EventEnvelopeSchema, MAX_BLOB_BYTES } from '../domain/eventlog/envelope'
import { EnrollmentCodeSchema, PullResponseSchema, PushResponseSchema, ServerKeySchema, Sha256HexSchema, SYNC_ERROR_CODES, SYNC_LIMITS, VersionVectorSchema } from '../sync/protocol'

/**
 * Sync through the contract (issue #5): the screen's engine reads the outbox from IndexedDB and
 * asks main to talk to the hub or the city, since the device key never leaves main.
 */

/** How this device takes part: not at all, as a device of a hub or the city, or as the ward's hub. */
export const SyncRoleSchema = z.enum(['none', 'device', 'hub'])

const ServerUrlSchema = z.url({ protocol: /^https?$/ }).max(300)
const PortSchema = z.number().int().min(1024).max(65535)

/** Kept in the device configuration (device.json); written only by configureSync. */
export const SyncConfigSchema = z
  .object({
    role: SyncRoleSchema,
    /** device: its hub or the city; hub: the city it replicates to (absent while the city is not set up). */
    upstreamUrl: ServerUrlSchema.optional(),
    /** What answered at upstreamUrl when the device enrolled. */
    upstreamRole: z.enum(['hub', 'city']).optional(),
    /** hub: the port the relay listens on, on every interface of the PC. */
    hubPort: PortSchema.optional(),
    /** When the upstream server accepted this device's key. */
    enrolledAt: z.iso.datetime().optional(),
    /** upstreamUrl's signing key, pinned at enrolment (from the provisioning QR, or trusted on first use): answers signed by another are refused. */
    serverKey: ServerKeySchema.optional(),
  })
  .strict()
export type SyncConfig = z.infer<typeof SyncConfigSchema>

/** Where to enrol: the provisioning text scanned from a QR (`MCSYNC1:{…}`), or a typed address and code. */
const EnrollTargetSchema = z.union([
  z.object({ provisioning: z.string().min(1).max(1000) }).strict(),
  z.object({ url: ServerUrlSchema, enrollmentCode: EnrollmentCodeSchema }).strict(),
])
export type EnrollTarget = z.infer<typeof EnrollTargetSchema>

export const ConfigureSyncInputSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('none') }).strict(),
  z.object({ mode: z.literal('device'), target: EnrollTargetSchema }).strict(),
  z.object({ mode: z.literal('hub'), port: PortSchema, city: EnrollTargetSchema.optional() }).strict(),
])
export type ConfigureSyncInput = z.infer<typeof ConfigureSyncInputSchema>

/** What went wrong last, with the protocol's code so the screen can say it in Vietnamese. */
export const SyncProblemSchema = z
  .object({
    code: z.enum([...SYNC_ERROR_CODES, 'network', 'timeout', 'badResponse', 'serverKeyChanged', 'notConfigured']),
    message: z.string().max(2000),
    at: z.iso.datetime(),
    /** clockSkew: the server's clock, to show beside the device's. */
    serverTime: z.iso.datetime().optional(),
  })
  .strict()
export type SyncProblem = z.infer<typeof SyncProblemSchema>

const LinkStatusSchema = z
  .object({ lastSuccessAt: z.iso.datetime().optional(), lastError: SyncProblemSchema.optional() })
  .strict()

export const SyncStatusSchema = z
  .object({
    role: SyncRoleSchema,
    topology: z.enum(['standalone', 'ward', 'city']),
    upstreamUrl: ServerUrlSchema.optional(),
    upstreamRole: z.enum(['hub', 'city']).optional(),
    enrolled: z.boolean(),
    /** This device's own link to its server. */
    link: LinkStatusSchema,
    /** When this device is the hub: where devices reach it, what they scan, and its link to the city. */
    hub: z
      .object({
        lanUrls: z.array(z.string().max(300)).max(10),
        provisioningText: z.string().max(1000),
        enrollmentCode: EnrollmentCodeSchema,
        city: LinkStatusSchema.extend({ pendingEvents: z.number().int().min(0).optional(), pendingBlobs: z.number().int().min(0).optional() }).strict().optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
export type SyncStatus = z.infer<typeof SyncStatusSchema>

export const SyncPushInputSchema = z.object({ events: z.array(EventEnvelopeSchema).min(1).max(SYNC_LIMITS.maxEventsPerPush) }).strict()

/** The server holds a different prefix of this device's log than the screen thought: continue from `expected`. */
export const SyncPushGapSchema = z.object({ gap: z.object({ deviceId: z.string(), seq: z.number().int().min(1) }).strict() }).strict()
export const SyncPushOutputSchema = z.union([PushResponseSchema, SyncPushGapSchema])
export type SyncPushOutput = z.infer<typeof SyncPushOutputSchema>

export const SyncPullInputSchema = z
  .object({
    after: VersionVectorSchema,
    limit: z.number().int().min(1).max(SYNC_LIMITS.maxEventsPerPull),
    waitSeconds: z.number().int().min(0).max(SYNC_LIMITS.maxPullWaitSeconds),
  })
  .strict()
export const SyncPullOutputSchema = PullResponseSchema

/**
 * A sealed blob goes to main in slices of its ciphertext (never one huge message): main keeps
 * them in its data folder still encrypted, checks the whole once (GCM tag, then the plaintext's
 * SHA-256 against the address), and uploads from there, decrypting only the chunk it sends.
 */
export const MAX_STAGE_SLICE_BYTES = 256 * 1024
export const SyncStageBlobInputSchema = z
  .object({
    sha256: Sha256HexSchema,
    kid: z.string().min(1).max(64),
    iv: z.base64().length(16),
    /** Ciphertext and tag, in bytes: the plaintext's size + 16. */
    sealedLength: z.number().int().min(17).max(MAX_BLOB_BYTES + 16),
    offset: z.number().int().min(0).max(MAX_BLOB_BYTES + 16),
    sliceBase64: z.base64().min(4).max(Math.ceil(MAX_STAGE_SLICE_BYTES / 3) * 4),
  })
  .strict()

export const SyncBlobProgressSchema = z
  .object({
    /** Ciphertext bytes main holds for this blob (0 once uploaded and cleared). */
    staged: z.number().int().min(0),
    /** main holds all of it and it opened and matched its address. */
    ready: z.boolean(),
    /** The server's offset: how much of the plaintext it holds (undefined: never heard of it). */
    uploaded: z.number().int().min(0).optional(),
    length: z.number().int().min(0).optional(),
    complete: z.boolean(),
  })
  .strict()
export type SyncBlobProgress = z.infer<typeof SyncBlobProgressSchema>

export const SyncUploadBlobChunkInputSchema = z
  .object({
    sha256: Sha256HexSchema,
    /** At most this many bytes in this PATCH; the engine sizes it to the link (~2 s). */
    maxBytes: z.number().int().min(1024).max(SYNC_LIMITS.maxChunkBytes),
  })
  .strict()

export const SyncBlobOffsetInputSchema = z.object({ sha256: Sha256HexSchema, length: z.number().int().min(0).max(MAX_BLOB_BYTES) }).strict()
