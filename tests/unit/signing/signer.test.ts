import { X509Certificate, verify } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { KeyFileError, keyFileSigner } from '../../../src/main/services/signing/signer'
import { createTestPki, type KeyKind, type TestPki } from '../../helpers/signing-pki'

const pkis = new Map<KeyKind, TestPki>()
const pki = (kind: KeyKind): TestPki => pkis.get(kind)!

beforeAll(() => {
  for (const kind of ['rsa2048', 'ecP256', 'rsa1024', 'ecP384'] as const) pkis.set(kind, createTestPki(kind))
})
afterAll(() => pkis.forEach((entry) => entry.remove()))

function keyFileErrorCode(p12: Buffer, passphrase: string): string | undefined {
  try {
    keyFileSigner(p12, passphrase)
    return undefined
  } catch (error) {
    expect(error).toBeInstanceOf(KeyFileError)
    return (error as KeyFileError).code
  }
}

describe('keyFileSigner', () => {
  it.each([
    ['rsa2048', 'RSA-SHA256'],
    ['ecP256', 'ECDSA-P256-SHA256'],
  ] as const)('reads a %s PKCS#12 with a Vietnamese passphrase: %s, chain signer first with exact DER', (kind, algorithm) => {
    const signer = keyFileSigner(pki(kind).p12, pki(kind).passphrase)
    expect(signer.algorithm).toBe(algorithm)
    expect(signer.certificateChain).toEqual([pki(kind).signerDer, pki(kind).intermediateDer, pki(kind).rootDer])
  })

  it.each(['rsa2048', 'ecP256'] as const)('%s signatures verify with the certificate key; ECDSA ones are DER', async (kind) => {
    const signer = keyFileSigner(pki(kind).p12, pki(kind).passphrase)
    const data = Buffer.from('Giấy tiếp nhận hồ sơ')
    const signature = await signer.sign(data)
    expect(verify('sha256', data, { key: new X509Certificate(pki(kind).signerDer).publicKey, dsaEncoding: 'der' }, signature)).toBe(true)
    if (kind === 'ecP256') expect(signature[0]).toBe(0x30)
  })

  it('refuses a wrong passphrase', () => {
    expect(keyFileErrorCode(pki('rsa2048').p12, 'not the passphrase')).toBe('wrongPassphrase')
    expect(keyFileErrorCode(pki('ecP256').p12, 'Mật khẩu sai')).toBe('wrongPassphrase')
  })

  it('refuses RSA-1024 and curves other than P-256 (Circular 15/2025/TT-BKHCN)', () => {
    expect(keyFileErrorCode(pki('rsa1024').p12, pki('rsa1024').passphrase)).toBe('keyTooWeak')
    expect(keyFileErrorCode(pki('ecP384').p12, pki('ecP384').passphrase)).toBe('keyTypeNotAllowed')
  })

  it('refuses a file that is not PKCS#12', () => {
    expect(keyFileErrorCode(Buffer.from('not a key file'), 'x')).toBe('unreadableKeyFile')
  })
})
