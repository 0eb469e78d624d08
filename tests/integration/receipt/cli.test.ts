import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestPki, nssDatabaseTrusting, pdfsigReport, SIGNER_SUBJECT, withFlippedByte, type TestPki } from '../../helpers/signing-pki'
import { SOFTHSM_MODULE, softHsmTokenWithSigner, TOKEN_LABEL, TOKEN_PIN } from '../../helpers/softhsm'
import { motcua } from '../../helpers/motcua-cli'

let pki: TestPki
let softHsmEnv: NodeJS.ProcessEnv
const path = (name: string) => join(pki.dir, name)

beforeAll(() => {
  pki = createTestPki('ecP256')
  softHsmEnv = softHsmTokenWithSigner(pki)
})
afterAll(() => pki.remove())

describe('motcua receipt demo and motcua verify FILE.pdf', () => {
  it('signs a sample receipt with the PKCS#12 key and chain, which verify accepts in Vietnamese with exit 0', async () => {
    const demo = await motcua(['receipt', 'demo', '--out', path('demo.pdf'), '--p12', path('signer.p12'), '--pass-env', 'RECEIPT_PASS'], { RECEIPT_PASS: pki.passphrase })
    expect(demo).toMatchObject({ code: 0, stderr: '' })
    expect(demo.stdout).toMatch(/^Đã ghi .*demo\.pdf: giấy tiếp nhận hồ sơ 000\.00\.12\.H17-\d{6}-0001/)
    expect(pdfsigReport(nssDatabaseTrusting(pki.dir, pki.rootPemPath), path('demo.pdf'))).toContain('Certificate is Trusted.')

    const verify = await motcua(['verify', path('demo.pdf'), '--trust', pki.rootPemPath])
    expect(verify.code).toBe(0)
    expect(verify.stdout).toContain('Chữ ký số HỢP LỆ và được tin cậy.')
    expect(verify.stdout).toContain(`Người ký:        ${SIGNER_SUBJECT.commonName}, ${SIGNER_SUBJECT.organization}`)
    expect(verify.stdout).toMatch(/Thời điểm ký:    \d\d:\d\d:\d\d ngày \d\d\/\d\d\/\d{4} \(giờ Việt Nam/)
    expect(verify.stdout).toContain('Toàn vẹn:        nội dung không bị thay đổi sau khi ký')
    expect(verify.stdout).toContain('Chuỗi chứng thư: tin cậy')
  })

  it('exits 1 for a changed byte, an untrusted signer and an unsigned file', async () => {
    writeFileSync(path('changed.pdf'), withFlippedByte(readFileSync(path('demo.pdf')), 10))
    const changed = await motcua(['verify', path('changed.pdf'), '--trust', pki.rootPemPath])
    expect(changed.code).toBe(1)
    expect(changed.stdout).toContain('nội dung ĐÃ BỊ THAY ĐỔI sau khi ký')

    const otherPki = createTestPki('ecP256')
    const untrusted = await motcua(['verify', path('demo.pdf'), '--trust', otherPki.rootPemPath])
    otherPki.remove()
    expect(untrusted.code).toBe(1)
    expect(untrusted.stdout).toContain('Chuỗi chứng thư: KHÔNG tin cậy')

    writeFileSync(path('unsigned.pdf'), '%PDF-1.7\n%%EOF\n')
    const unsigned = await motcua(['verify', path('unsigned.pdf'), '--trust', pki.rootPemPath, '--json'])
    expect(unsigned.code).toBe(1)
    expect(JSON.parse(unsigned.stdout)).toMatchObject({ error: 'noSignature' })
  })

  it('signs a thermal receipt through a PKCS#11 token, the chain from a file', async () => {
    const demo = await motcua(
      ['receipt', 'demo', '--thermal', '--out', path('token.pdf'), '--pkcs11', SOFTHSM_MODULE, '--token', TOKEN_LABEL, '--pin-env', 'TOKEN_PIN', '--chain', path('chain.pem')],
      { ...softHsmEnv, TOKEN_PIN },
    )
    expect(demo).toMatchObject({ code: 0, stderr: '' })
    const verify = await motcua(['verify', path('token.pdf'), '--trust', pki.rootPemPath])
    expect(verify.code).toBe(0)
    expect(verify.stdout).toContain('Chữ ký số HỢP LỆ và được tin cậy.')
  })

  it('asks for exactly one of a PDF and --qr, and for a key', async () => {
    expect((await motcua(['verify', '--trust', pki.rootPemPath])).code).toBe(1)
    const keyless = await motcua(['receipt', 'demo', '--out', path('none.pdf')])
    expect(keyless.code).toBe(1)
    expect(keyless.stderr).toContain('--p12')
  })
})
