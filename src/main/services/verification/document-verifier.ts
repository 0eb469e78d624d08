import type { X509Certificate } from 'node:crypto'
import { existsSync } from 'node:fs'
import { MotcuaError } from '../../../shared/contract/dispatch'
import { loadCertificates, loadSealTrust, TrustStoreError } from '../seal/trust-store'
import { verifySeal } from '../seal/verify-seal'
import { verifyPdfSignature } from '../signing/verify-pdf'
import { isAccepted, pdfVerdictLines, sealVerdictLines } from './verdict-vi'

export interface DocumentVerdict {
  readonly accepted: boolean
  readonly linesVi: string[]
  /** The dossier or appointment code a valid seal carries, for looking the dossier up. */
  readonly code?: string
}

/**
 * Checks what a resident brings back, offline: a receipt's or slip's QR seal, or a signed PDF,
 * against the trust anchors a technician put in the device's trust folders.
 */
export function createDocumentVerifier(trustDirs: readonly string[], ownSealCertificates: () => readonly X509Certificate[] = () => []) {
  // Read at each check: a technician may add the city's certificates while the app runs.
  const withTrust = <T>(load: (paths: string[]) => T): T => {
    try {
      return load(trustDirs.filter((dir) => existsSync(dir)))
    } catch (error) {
      if (error instanceof TrustStoreError) throw new MotcuaError('notConfigured', `No trust anchors in ${trustDirs.join(', ')}: ${error.message}`)
      throw error
    }
  }
  return {
    seal(text: string): DocumentVerdict {
      // The device's own seal certificate is known without provisioning; it must still chain to a trusted root.
      const trust = withTrust(loadSealTrust)
      const verification = verifySeal(text, { ...trust, certificates: [...trust.certificates, ...ownSealCertificates()] })
      return { accepted: verification.valid, linesVi: sealVerdictLines(verification), ...(verification.valid && verification.fields && { code: verification.fields.code }) }
    },
    pdf(pdf: Buffer): DocumentVerdict {
      const verification = verifyPdfSignature(pdf, withTrust(loadCertificates))
      return { accepted: !('error' in verification) && isAccepted(verification), linesVi: pdfVerdictLines(verification) }
    },
  }
}
