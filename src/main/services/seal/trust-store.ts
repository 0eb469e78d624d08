import { X509Certificate } from 'node:crypto'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { SigningError } from '../signing/errors'
import type { SealTrust } from './verify-seal'

export type TrustStoreErrorCode = 'unreadableTrustPath' | 'invalidCertificate' | 'noCertificates'

export class TrustStoreError extends SigningError<TrustStoreErrorCode> {}

const CERTIFICATE_FILE = /\.(pem|crt|cer|der)$/i
const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g

function certificatesInFile(path: string): X509Certificate[] {
  let bytes: Buffer
  try {
    bytes = readFileSync(path)
  } catch (error) {
    throw new TrustStoreError('unreadableTrustPath', `${path} cannot be read`, { cause: error })
  }
  const pemBlocks = bytes.toString('latin1').match(PEM_BLOCK)
  try {
    return pemBlocks ? pemBlocks.map((block) => new X509Certificate(block)) : [new X509Certificate(bytes)]
  } catch (error) {
    throw new TrustStoreError('invalidCertificate', `${path} is not a PEM or DER certificate`, { cause: error })
  }
}

function filesAt(path: string): string[] {
  try {
    if (!statSync(path).isDirectory()) return [path]
    return readdirSync(path)
      .filter((name) => CERTIFICATE_FILE.test(name))
      .sort()
      .map((name) => join(path, name))
  } catch (error) {
    throw new TrustStoreError('unreadableTrustPath', `${path} cannot be read`, { cause: error })
  }
}

const isSelfSignedCa = (certificate: X509Certificate): boolean => certificate.ca && certificate.checkIssued(certificate) && certificate.verify(certificate.publicKey)

/** The certificates in the given files (PEM bundles or DER) and folders (.pem, .crt, .cer, .der); at least one. */
export function loadCertificates(paths: readonly string[]): X509Certificate[] {
  const certificates = paths.flatMap(filesAt).flatMap(certificatesInFile)
  if (certificates.length === 0) throw new TrustStoreError('noCertificates', `No certificates in ${paths.join(', ')}`)
  return certificates
}

/**
 * The certificates in the given files and folders. The self-signed CAs among them are the anchors; the
 * rest (issuing CAs, seal certificates) are where kids and chains are looked up.
 */
export function loadSealTrust(paths: readonly string[]): SealTrust {
  const certificates = loadCertificates(paths)
  return { certificates, anchors: certificates.filter(isSelfSignedCa) }
}
