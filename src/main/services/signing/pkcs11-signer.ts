import { createHash, X509Certificate } from 'node:crypto'
import pkcs11js from 'pkcs11js'
import { SigningError } from './errors'
import { orderedChain, signatureAlgorithmOf, type KeyPolicyViolation, type Signer } from './signer'

/**
 * A Signer over a key on a PKCS#11 token (USB token, smart card, HSM; SoftHSM2 in the tests). The key never
 * leaves the token: RSA signs with CKM_SHA256_RSA_PKCS; ECDSA hashes here and signs the digest with CKM_ECDSA,
 * which every token has (CKM_ECDSA_SHA256 is optional), and turns the token's r||s into DER.
 */

export type Pkcs11ErrorCode = 'moduleNotLoadable' | 'tokenNotFound' | 'wrongPin' | 'pinLocked' | 'noPrivateKey' | 'noCertificateForKey' | 'signingFailed' | KeyPolicyViolation

export class Pkcs11SignerError extends SigningError<Pkcs11ErrorCode> {}

export interface Pkcs11SignerOptions {
  /** The vendor's PKCS#11 library: /usr/lib/softhsm/libsofthsm2.so, a token's .so/.dll. */
  readonly modulePath: string
  readonly tokenLabel: string
  readonly pin: string
  /** Which key, when the token holds several; otherwise the first private key with a certificate. */
  readonly keyLabel?: string
  /** The issuing CAs, when the token holds only the signer's certificate. */
  readonly chain?: readonly X509Certificate[]
}

export interface Pkcs11Signer extends Signer {
  /** Logs out and unloads the module; the signer cannot sign afterwards. */
  close(): void
}

/** Room for the largest signature we accept: RSA-4096 (512 bytes). */
const SIGNATURE_BUFFER_BYTES = 512
const P256_COORDINATE_BYTES = 32

const isPkcs11Error = (error: unknown, code: number): boolean => error instanceof Error && (error as { code?: unknown }).code === code

/** Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } from the token's r||s (PKCS#11 2.40 section 2.3.1). */
export function ecdsaSignatureToDer(rs: Buffer): Buffer {
  if (rs.length !== 2 * P256_COORDINATE_BYTES) throw new Pkcs11SignerError('signingFailed', `An ECDSA P-256 signature is 64 bytes, not ${rs.length}`)
  const integer = (magnitude: Buffer): Buffer => {
    const firstNonZero = magnitude.findIndex((byte) => byte !== 0)
    const trimmed = firstNonZero < 0 ? Buffer.from([0]) : magnitude.subarray(firstNonZero)
    // A set high bit would read as negative: DER prefixes a zero byte.
    const body = (trimmed[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed
    return Buffer.concat([Buffer.from([0x02, body.length]), body])
  }
  const content = Buffer.concat([integer(rs.subarray(0, P256_COORDINATE_BYTES)), integer(rs.subarray(P256_COORDINATE_BYTES))])
  return Buffer.concat([Buffer.from([0x30, content.length]), content])
}

/** Tokens pad labels with spaces to 32 bytes. */
const trimLabel = (label: string): string => label.replace(/[\s\0]+$/, '')

function findObjects(module: pkcs11js.PKCS11, session: Buffer, template: pkcs11js.Template): Buffer[] {
  module.C_FindObjectsInit(session, template)
  try {
    const found: Buffer[] = []
    for (let handle = module.C_FindObjects(session); handle !== null; handle = module.C_FindObjects(session)) found.push(handle)
    return found
  } finally {
    module.C_FindObjectsFinal(session)
  }
}

function attributeBuffer(module: pkcs11js.PKCS11, session: Buffer, object: Buffer, type: number): Buffer {
  const [attribute] = module.C_GetAttributeValue(session, object, [{ type }])
  return Buffer.isBuffer(attribute?.value) ? attribute.value : Buffer.alloc(0)
}

function openTokenSession(module: pkcs11js.PKCS11, tokenLabel: string): Buffer {
  const slot = module.C_GetSlotList(true).find((candidate) => trimLabel(module.C_GetTokenInfo(candidate).label) === tokenLabel)
  if (slot === undefined) throw new Pkcs11SignerError('tokenNotFound', `No token labelled "${tokenLabel}" is present`)
  return module.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION)
}

function login(module: pkcs11js.PKCS11, session: Buffer, pin: string): void {
  try {
    module.C_Login(session, pkcs11js.CKU_USER, pin)
  } catch (error) {
    if (isPkcs11Error(error, pkcs11js.CKR_PIN_INCORRECT)) throw new Pkcs11SignerError('wrongPin', 'The token refused the PIN', { cause: error })
    if (isPkcs11Error(error, pkcs11js.CKR_PIN_LOCKED)) throw new Pkcs11SignerError('pinLocked', 'The token PIN is locked', { cause: error })
    if (!isPkcs11Error(error, pkcs11js.CKR_USER_ALREADY_LOGGED_IN)) throw error
  }
}

interface KeyAndCertificate {
  readonly key: Buffer
  readonly certificate: X509Certificate
}

/** The private key (by label, or the first) and the certificate stored under the same CKA_ID. */
function findKeyAndCertificate(module: pkcs11js.PKCS11, session: Buffer, keyLabel: string | undefined): KeyAndCertificate {
  const keyTemplate: pkcs11js.Template = [{ type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY }, ...(keyLabel === undefined ? [] : [{ type: pkcs11js.CKA_LABEL, value: keyLabel }])]
  const keys = findObjects(module, session, keyTemplate)
  if (keys.length === 0) throw new Pkcs11SignerError('noPrivateKey', keyLabel === undefined ? 'The token holds no private key' : `The token holds no private key labelled "${keyLabel}"`)
  for (const key of keys) {
    const id = attributeBuffer(module, session, key, pkcs11js.CKA_ID)
    const [certificateHandle] = findObjects(module, session, [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_CERTIFICATE },
      { type: pkcs11js.CKA_ID, value: id },
    ])
    if (certificateHandle !== undefined) return { key, certificate: new X509Certificate(attributeBuffer(module, session, certificateHandle, pkcs11js.CKA_VALUE)) }
  }
  throw new Pkcs11SignerError('noCertificateForKey', 'No certificate on the token shares its CKA_ID with a private key')
}

function loadModule(modulePath: string): pkcs11js.PKCS11 {
  const module = new pkcs11js.PKCS11()
  try {
    module.load(modulePath)
  } catch (error) {
    throw new Pkcs11SignerError('moduleNotLoadable', `The PKCS#11 module ${modulePath} cannot be loaded`, { cause: error })
  }
  try {
    module.C_Initialize()
  } catch (error) {
    // Another signer in this process may have initialised the module already; it stays usable.
    if (!isPkcs11Error(error, pkcs11js.CKR_CRYPTOKI_ALREADY_INITIALIZED)) throw new Pkcs11SignerError('moduleNotLoadable', `The PKCS#11 module ${modulePath} did not initialise`, { cause: error })
  }
  return module
}

/** Opens the token, logs in and finds the key; call close() when done. */
export function pkcs11Signer(options: Pkcs11SignerOptions): Pkcs11Signer {
  const module = loadModule(options.modulePath)
  let session: Buffer | undefined
  const close = (): void => {
    if (session !== undefined) {
      // The key is released whatever the token says about logging out.
      try {
        module.C_Logout(session)
      } catch {}
      module.C_CloseSession(session)
      session = undefined
    }
    module.C_Finalize()
  }
  try {
    session = openTokenSession(module, options.tokenLabel)
    login(module, session, options.pin)
    const { key, certificate } = findKeyAndCertificate(module, session, options.keyLabel)
    const algorithm = signatureAlgorithmOf(certificate.publicKey)
    if (typeof algorithm !== 'string') throw new Pkcs11SignerError(algorithm.violation, algorithm.message)
    const openSession = session
    const tokenSign = (mechanism: number, data: Buffer): Buffer => {
      try {
        module.C_SignInit(openSession, { mechanism }, key)
        return Buffer.from(module.C_Sign(openSession, data, Buffer.alloc(SIGNATURE_BUFFER_BYTES)))
      } catch (error) {
        throw new Pkcs11SignerError('signingFailed', `The token did not sign: ${error instanceof Error ? error.message : String(error)}`, { cause: error })
      }
    }
    return {
      certificateChain: orderedChain(certificate, [...(options.chain ?? [])]),
      algorithm,
      sign: async (dataToBeSigned) =>
        algorithm === 'RSA-SHA256'
          ? tokenSign(pkcs11js.CKM_SHA256_RSA_PKCS, dataToBeSigned)
          : ecdsaSignatureToDer(tokenSign(pkcs11js.CKM_ECDSA, createHash('sha256').update(dataToBeSigned).digest())),
      close,
    }
  } catch (error) {
    close()
    throw error
  }
}
