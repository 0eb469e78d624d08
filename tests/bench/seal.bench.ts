import { X509Certificate } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { sealKeyFromSigner, sha256 } from '../../src/main/services/seal/seal-key'
import { verifySeal } from '../../src/main/services/seal/verify-seal'
import { keyFileSigner } from '../../src/main/services/signing/signer'
import { applicantIdHash, createSeal, type ReceiptSealRecord } from '../../src/shared/seal/seal'
import { createTestPki } from '../helpers/signing-pki'
import { figure, ms, percentile } from './stats'

const RUNS = 300
const CODE = '000.00.12.H17-260314-0001'

/** Signing a receipt seal with the PKCS#12 key, and verifying it through the chain to the root, as a counter would. */
export async function benchSeal(): Promise<void> {
  const pki = createTestPki('ecP256')
  try {
    const key = sealKeyFromSigner(keyFileSigner(pki.p12, pki.passphrase))
    const trust = { certificates: [pki.signerDer, pki.intermediateDer, pki.rootDer].map((der) => new X509Certificate(der)), anchors: [new X509Certificate(pki.rootDer)] }
    const record: ReceiptSealRecord = {
      kind: 'receipt',
      code: CODE,
      serviceCode: '1.001193',
      applicantIdHash: applicantIdHash('048195001234', CODE, sha256),
      deviceId: '3f2b8c1e-7d4a-4e9b-a6c5-0d1e2f3a4b5c',
      receivedAt: Math.floor(Date.now() / 1000) * 1000,
      returnDate: '2026-12-31',
    }
    const signTimes: number[] = []
    const verifyTimes: number[] = []
    let seal = await createSeal(record, key) // warm-up
    for (let run = 0; run < RUNS; run++) {
      const signStart = performance.now()
      seal = await createSeal(record, key)
      signTimes.push(performance.now() - signStart)
      const verifyStart = performance.now()
      if (!verifySeal(seal, trust).valid) throw new Error('the benchmark seal does not verify')
      verifyTimes.push(performance.now() - verifyStart)
    }
    figure('seal sign (ES256, PKCS#12 key), p50', ms(percentile(signTimes, 50)))
    figure('seal sign, p95', ms(percentile(signTimes, 95)))
    figure('seal verify (decode, ES256, chain of 3), p50', ms(percentile(verifyTimes, 50)))
    figure('seal verify, p95', ms(percentile(verifyTimes, 95)))
    figure('seal length, realistic receipt', `${seal.length} chars`, '≤ 366, QR 11-M')
  } finally {
    pki.remove()
  }
}
