import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseSod } from '../../../src/main/services/idcard/datagroups/sod'
import { buildDg1, buildDg13, buildSod } from '../../../src/main/services/idcard/emulator/lds-builder'
import type { CardProfile } from '../../../src/main/services/idcard/emulator/profile'
import { createTestPki, testPkiFromPem, type DocumentSignerAlgorithm } from '../../../src/main/services/idcard/emulator/test-pki'
import { TrustListError, loadTrustList, verifyPassiveAuthentication } from '../../../src/main/services/idcard/passive-authentication'
import { CSCA_VN_PATH, sampleProfile } from '../../helpers/idcard-card'

let profile: CardProfile
let dataGroups: Map<number, Buffer>
const directories: string[] = []
beforeAll(async () => {
  profile = await sampleProfile()
  dataGroups = new Map([[1, buildDg1(profile.mrz)], [13, buildDg13(profile.dg13)]])
})
afterAll(() => directories.forEach((directory) => rmSync(directory, { recursive: true, force: true })))

function directoryWith(files: Record<string, string | Buffer>): string {
  const directory = mkdtempSync(join(tmpdir(), 'motcua-csca-'))
  directories.push(directory)
  for (const [name, content] of Object.entries(files)) writeFileSync(join(directory, name), content)
  return directory
}

describe('passive authentication', () => {
  it.each<[DocumentSignerAlgorithm, 'sha256' | 'sha512']>([
    ['ecdsa', 'sha256'],
    ['ecdsa', 'sha512'],
    ['rsa', 'sha256'],
    ['rsaPss', 'sha256'],
  ])("is 'valid' for a %s document signer with %s", (algorithm, hash) => {
    const pki = createTestPki(algorithm)
    const sod = parseSod(buildSod(dataGroups, pki, hash))
    expect(verifyPassiveAuthentication(sod, dataGroups, [pki.csca])).toEqual({ verdict: 'valid', csca: pki.csca })
  })

  it("is 'unknownCsca' when another CSCA, or the real Vietnamese one, is all the trust list has", async () => {
    const pki = createTestPki()
    const sod = parseSod(buildSod(dataGroups, pki))
    const vietnam = await loadTrustList(directoryWith({ 'csca-vn.pem': readFileSync(CSCA_VN_PATH) }), () => undefined)
    expect(vietnam).toHaveLength(1)
    expect(verifyPassiveAuthentication(sod, dataGroups, [...vietnam, createTestPki().csca])).toEqual({ verdict: 'unknownCsca' })
  })

  it("is 'hashMismatch' naming the data group that differs, or that the SOD does not cover", () => {
    const pki = createTestPki()
    const sod = parseSod(buildSod(dataGroups, pki))
    const changed = new Map(dataGroups).set(13, buildDg13({ ...profile.dg13, fullName: 'Nguyễn Văn Khác' }))
    expect(verifyPassiveAuthentication(sod, changed, [pki.csca])).toEqual({ verdict: 'hashMismatch', dataGroup: 13 })
    expect(verifyPassiveAuthentication(sod, new Map(dataGroups).set(2, Buffer.from('75')), [pki.csca])).toEqual({ verdict: 'hashMismatch', dataGroup: 2 })
  })

  it("is 'signatureInvalid' when the security object, the signature or the signer changes", () => {
    const pki = createTestPki()
    const sod = parseSod(buildSod(dataGroups, pki))
    const otherSigner = createTestPki()
    expect(verifyPassiveAuthentication({ ...sod, securityObject: Buffer.concat([sod.securityObject, Buffer.from([0])]) }, dataGroups, [pki.csca])).toEqual({ verdict: 'signatureInvalid' })
    expect(verifyPassiveAuthentication({ ...sod, signature: Buffer.alloc(sod.signature.length) }, dataGroups, [pki.csca])).toEqual({ verdict: 'signatureInvalid' })
    expect(verifyPassiveAuthentication({ ...sod, documentSigner: otherSigner.documentSigner }, dataGroups, [otherSigner.csca])).toEqual({ verdict: 'signatureInvalid' })
    expect(verifyPassiveAuthentication({ ...sod, signatureScheme: { kind: 'rsa', hash: 'sha256' } }, dataGroups, [pki.csca])).toEqual({ verdict: 'signatureInvalid' })
  })

  it('survives a PKI saved as PEM and loaded again', () => {
    const pki = createTestPki('rsa')
    const reloaded = testPkiFromPem({
      csca: pki.csca.toString(),
      documentSigner: pki.documentSigner.toString(),
      documentSignerKey: pki.documentSignerKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      algorithm: 'rsa',
    })
    expect(verifyPassiveAuthentication(parseSod(buildSod(dataGroups, reloaded)), dataGroups, [pki.csca]).verdict).toBe('valid')
  })
})

describe('trust list', () => {
  it('reads PEM bundles and DER files, ignoring other files', async () => {
    const [first, second, third] = [createTestPki().csca, createTestPki().csca, createTestPki().csca]
    const directory = directoryWith({ 'bundle.pem': `${first!.toString()}\n${second!.toString()}`, 'third.cer': third!.raw, 'README.txt': 'not a certificate' })
    const loaded = await loadTrustList(directory, () => undefined)
    expect(loaded.map((certificate) => certificate.fingerprint256).sort()).toEqual([first!, second!, third!].map((certificate) => certificate.fingerprint256).sort())
  })

  it('skips and logs a file that is not a certificate, keeping the others', async () => {
    const good = createTestPki().csca
    const log: string[] = []
    const loaded = await loadTrustList(directoryWith({ 'broken.pem': '-----BEGIN CERTIFICATE-----\nbm9uc2Vuc2U=\n-----END CERTIFICATE-----', 'garbage.der': 'nonsense', 'good.pem': good.toString() }), (line) => log.push(line))
    expect(loaded.map((certificate) => certificate.fingerprint256)).toEqual([good.fingerprint256])
    expect(log).toHaveLength(2)
    expect(log.join('\n')).toMatch(/skipped .*broken\.pem[\s\S]*skipped .*garbage\.der/)
  })

  it('names a missing directory', async () => {
    await expect(loadTrustList('/nonexistent/csca', () => undefined)).rejects.toBeInstanceOf(TrustListError)
  })
})
