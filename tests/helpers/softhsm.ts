import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { runTool, type TestPki } from './signing-pki'

/**
 * A SoftHSM2 token in the test PKI's folder, holding the PKI's signer key and certificate as a CA's
 * token would: SOFTHSM2_CONF points at a config of our own, so no system token store is touched.
 */

export const SOFTHSM_MODULE = '/usr/lib/softhsm/libsofthsm2.so'
export const TOKEN_LABEL = 'test'
export const TOKEN_PIN = '1234'
const SO_PIN = '5678'
const OBJECT_ID = '01'
const KEY_LABEL = 'signer'

/** Creates the token and sets process.env.SOFTHSM2_CONF, which the module reads when it initialises. Returns that environment. */
export function softHsmTokenWithSigner(pki: TestPki): NodeJS.ProcessEnv {
  if (!existsSync(SOFTHSM_MODULE)) throw new Error(`REQUIRED MODULE MISSING: ${SOFTHSM_MODULE}. The PKCS#11 tests need the Debian package softhsm2.`)
  const tokenDir = join(pki.dir, 'tokens')
  mkdirSync(tokenDir, { recursive: true })
  const configPath = join(pki.dir, 'softhsm2.conf')
  writeFileSync(configPath, `directories.tokendir = ${tokenDir}\nobjectstore.backend = file\nlog.level = ERROR\n`)
  const env = { ...process.env, SOFTHSM2_CONF: configPath }
  process.env.SOFTHSM2_CONF = configPath

  runTool('softhsm2-util', ['--init-token', '--free', '--label', TOKEN_LABEL, '--pin', TOKEN_PIN, '--so-pin', SO_PIN], { env })
  runTool('openssl', ['pkcs8', '-topk8', '-nocrypt', '-in', 'signer.key', '-outform', 'DER', '-out', 'signer.key.der'], { cwd: pki.dir })
  const pkcs11Tool = (args: string[]) => runTool('pkcs11-tool', ['--module', SOFTHSM_MODULE, '--token-label', TOKEN_LABEL, '--login', '--pin', TOKEN_PIN, ...args], { cwd: pki.dir, env })
  pkcs11Tool(['--write-object', 'signer.key.der', '--type', 'privkey', '--id', OBJECT_ID, '--label', KEY_LABEL])
  pkcs11Tool(['--write-object', 'signer.der', '--type', 'cert', '--id', OBJECT_ID, '--label', KEY_LABEL])
  return env
}
