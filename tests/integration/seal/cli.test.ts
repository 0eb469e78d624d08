import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestPki, SIGNER_SUBJECT, type TestPki } from '../../helpers/signing-pki'
import { motcua } from '../../helpers/motcua-cli'

let pki: TestPki
let seal: string
let trustArgs: string[]

beforeAll(async () => {
  pki = createTestPki('ecP256')
  const demo = await motcua(['seal', 'demo', '--p12', join(pki.dir, 'signer.p12'), '--pass-env', 'SEAL_PASS'], { SEAL_PASS: pki.passphrase })
  expect(demo).toMatchObject({ code: 0, stderr: '' })
  seal = demo.stdout.trimEnd()
  trustArgs = ['--trust', join(pki.dir, 'root.pem'), join(pki.dir, 'intermediate.pem'), join(pki.dir, 'signer.pem')]
})
afterAll(() => pki.remove())

describe('motcua seal demo and motcua verify', () => {
  it('prints a sample receipt seal that verifies, with the verdict and fields in Vietnamese', async () => {
    expect(seal).toMatch(/^MC1:[0-9A-Z $%*+\-./:]+$/)
    const { code, stdout } = await motcua(['verify', '--qr', seal, ...trustArgs])
    expect(code).toBe(0)
    expect(stdout).toContain('Con dấu HỢP LỆ')
    expect(stdout).toContain(`Người ký: ${SIGNER_SUBJECT.commonName}, ${SIGNER_SUBJECT.organization}`)
    expect(stdout).toMatch(/Mã thủ tục:\s+1\.001193/)
  })

  it('gives JSON for machines', async () => {
    const { code, stdout } = await motcua(['verify', '--qr', seal, ...trustArgs, '--json'])
    expect(code).toBe(0)
    expect(JSON.parse(stdout)).toMatchObject({ valid: true, fields: { kind: 'receipt', serviceCode: '1.001193' }, signer: SIGNER_SUBJECT })
  })

  it('exits 1 with the reason when the seal is changed or the signer not trusted', async () => {
    const changedAt = seal.length - 10
    const tampered = seal.slice(0, changedAt) + (seal[changedAt] === 'A' ? 'B' : 'A') + seal.slice(changedAt + 1)
    const changed = await motcua(['verify', '--qr', tampered, ...trustArgs, '--json'])
    expect(changed.code).toBe(1)
    expect(JSON.parse(changed.stdout)).toMatchObject({ valid: false })
    const untrusted = await motcua(['verify', '--qr', seal, '--trust', join(pki.dir, 'signer.pem')])
    expect(untrusted.code).toBe(1)
    expect(untrusted.stdout).toContain('KHÔNG HỢP LỆ (untrustedSigner)')
    expect(untrusted.stdout).toContain('CHƯA được xác thực')
  })

  it('exits 1 with a message when the passphrase variable is not set', async () => {
    const { code, stderr } = await motcua(['seal', 'demo', '--p12', join(pki.dir, 'signer.p12'), '--pass-env', 'MOTCUA_UNSET_VARIABLE'])
    expect(code).toBe(1)
    expect(stderr).toContain('MOTCUA_UNSET_VARIABLE')
  })
})
