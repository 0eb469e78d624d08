import type { X509Certificate } from 'node:crypto'

/** The CA certificate among `candidates` whose name and key identifier match `certificate`'s issuer and whose key verifies it. */
export function findIssuer(certificate: X509Certificate, candidates: readonly X509Certificate[]): X509Certificate | undefined {
  return candidates.find((candidate) => candidate.ca && certificate.checkIssued(candidate) && certificate.verify(candidate.publicKey))
}
