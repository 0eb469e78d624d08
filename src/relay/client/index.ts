/** The Node client of the relay protocol, for every sender: devices through main, the hub to the city. */
export { createSyncClient, SyncClientError } from './sync-client'
export type { BlobSource, EnrollInput, PullInput, SyncClient, SyncClientErrorCode, SyncClientErrorDetails, SyncClientOptions, UploadBlobOptions, UploadBlobResult } from './sync-client'
export { generateDeviceKey, publicJwkOf, publicKeyFromJwk } from '../auth/device-key'
