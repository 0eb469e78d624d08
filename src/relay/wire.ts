/** Wire constants the relay's client and server share beyond src/shared/sync/protocol.ts. */

/** tus 1.0.0 with the creation and checksum extensions (https://tus.io/protocols/resumable-upload). */
export const TUS_VERSION = '1.0.0'
export const TUS_EXTENSIONS = 'creation,checksum'
export const TUS_CHECKSUM_ALGORITHMS = 'sha256'
/** tus checksum extension: the chunk's checksum does not match. */
export const HTTP_CHECKSUM_MISMATCH = 460

/** Every error answer names its code in this header too, since a HEAD answer has no body to carry it (and the answer's signature covers it). */
export { ERROR_CODE_HEADER } from '../shared/sync/http-signature'
