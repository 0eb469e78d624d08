import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * Throwaway PKI made with the openssl command line at test time: root CA -> intermediate CA -> signer,
 * the signer's key and chain packed into a passphrase-protected PKCS#12, as a CA would issue it.
 */

export type KeyKind = 'rsa2048' | 'ecP256' | 'rsa1024' | 'ecP384'

export interface TestPki {
  readonly dir: string
  readonly rootPemPath: string
  readonly rootDer: Buffer
  readonly intermediateDer: Buffer
  readonly signerDer: Buffer
  readonly p12: Buffer
  readonly passphrase: string
  /** The signer certificate stays valid this many days from today. */
  readonly signerValidityDays: number
  remove(): void
}

export const SIGNER_SUBJECT = { commonName: 'Nguyễn Văn An', organization: 'UBND phường Hải Châu' }
const PASSPHRASE = 'Mật-khẩu thử 123!'
const SIGNER_VALIDITY_DAYS = 365

const NEW_KEY_OPTIONS: Record<KeyKind, string[]> = {
  rsa2048: ['-newkey', 'rsa:2048'],
  rsa1024: ['-newkey', 'rsa:1024'],
  ecP256: ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'],
  ecP384: ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384'],
}

/** Runs a tool the signing tests depend on; a missing tool fails the test loudly instead of skipping it. */
export function runTool(
  tool: 'openssl' | 'pdfsig' | 'pdfinfo' | 'pdftotext' | 'pdffonts' | 'pdftoppm' | 'pdfimages' | 'qpdf' | 'certutil' | 'softhsm2-util' | 'pkcs11-tool',
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): string {
  try {
    return execFileSync(tool, args, { cwd: options.cwd, env: options.env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`REQUIRED TOOL MISSING: '${tool}' is not installed. The signing tests need poppler-utils (pdfsig, pdfinfo, pdftotext, pdffonts, pdftoppm, pdfimages), qpdf, libnss3-tools (certutil), openssl, softhsm2 and opensc (pkcs11-tool).`)
    }
    const failed = error as { status?: number; stdout?: string; stderr?: string }
    throw new Error(`${tool} ${args.join(' ')} exited ${failed.status}: ${failed.stdout ?? ''}${failed.stderr ?? ''}`)
  }
}

function writeExtensions(dir: string): void {
  writeFileSync(
    join(dir, 'ext.cnf'),
    [
      '[req]',
      'distinguished_name = dn',
      '[dn]',
      '[ca]',
      'basicConstraints = critical, CA:TRUE',
      'keyUsage = critical, keyCertSign, cRLSign',
      'subjectKeyIdentifier = hash',
      'authorityKeyIdentifier = keyid',
      '[signer]',
      'basicConstraints = critical, CA:FALSE',
      'keyUsage = critical, digitalSignature, nonRepudiation',
      'subjectKeyIdentifier = hash',
      'authorityKeyIdentifier = keyid',
      '',
    ].join('\n'),
  )
}

/** Issues `name`.pem from a fresh key, signed by `issuer` (or self-signed when issuer is undefined). */
function issue(dir: string, name: string, subject: string, keyKind: KeyKind, extensions: 'ca' | 'signer', issuer: string | undefined, days: number): void {
  const openssl = (args: string[]) => runTool('openssl', args, { cwd: dir })
  if (issuer === undefined) {
    openssl(['req', '-x509', '-utf8', ...NEW_KEY_OPTIONS[keyKind], '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', String(days), '-subj', subject, '-config', 'ext.cnf', '-extensions', extensions])
    return
  }
  openssl(['req', '-new', '-utf8', ...NEW_KEY_OPTIONS[keyKind], '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject, '-config', 'ext.cnf'])
  openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${issuer}.pem`, '-CAkey', `${issuer}.key`, '-CAcreateserial', '-days', String(days), '-extfile', 'ext.cnf', '-extensions', extensions, '-out', `${name}.pem`])
}

const derOf = (dir: string, name: string): Buffer => {
  runTool('openssl', ['x509', '-in', `${name}.pem`, '-outform', 'DER', '-out', `${name}.der`], { cwd: dir })
  return readFileSync(join(dir, `${name}.der`))
}

/** The CAs always use the signer's key family so both RSA and ECDSA chains are exercised end to end. */
export function createTestPki(signerKey: KeyKind): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'motcua-signing-'))
  writeExtensions(dir)
  const caKey: KeyKind = signerKey.startsWith('ec') ? 'ecP256' : 'rsa2048'
  issue(dir, 'root', '/CN=Motcua Test Root CA/O=Test', caKey, 'ca', undefined, 3650)
  issue(dir, 'intermediate', '/CN=Motcua Test Issuing CA/O=Test', caKey, 'ca', 'root', 1825)
  issue(dir, 'signer', `/CN=${SIGNER_SUBJECT.commonName}/O=${SIGNER_SUBJECT.organization}/C=VN`, signerKey, 'signer', 'intermediate', SIGNER_VALIDITY_DAYS)
  writeFileSync(join(dir, 'chain.pem'), Buffer.concat([readFileSync(join(dir, 'intermediate.pem')), readFileSync(join(dir, 'root.pem'))]))
  runTool('openssl', ['pkcs12', '-export', '-inkey', 'signer.key', '-in', 'signer.pem', '-certfile', 'chain.pem', '-passout', `pass:${PASSPHRASE}`, '-out', 'signer.p12'], { cwd: dir })
  return {
    dir,
    rootPemPath: join(dir, 'root.pem'),
    rootDer: derOf(dir, 'root'),
    intermediateDer: derOf(dir, 'intermediate'),
    signerDer: derOf(dir, 'signer'),
    p12: readFileSync(join(dir, 'signer.p12')),
    passphrase: PASSPHRASE,
    signerValidityDays: SIGNER_VALIDITY_DAYS,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  }
}

/** An NSS database trusting `rootPemPath` as a CA, for pdfsig. Returns the -nssdir argument. */
export function nssDatabaseTrusting(dir: string, rootPemPath: string): string {
  const nssDir = `sql:${dir}`
  runTool('certutil', ['-N', '--empty-password', '-d', nssDir])
  runTool('certutil', ['-A', '-n', 'testca', '-t', 'CT,C,C', '-i', rootPemPath, '-d', nssDir])
  return nssDir
}

/** pdfsig exits 0 whatever it finds, so callers read its report. */
export function pdfsigReport(nssDir: string, pdfPath: string): string {
  return runTool('pdfsig', ['-nssdir', nssDir, pdfPath])
}

/** A one-page A4 document like the receipt; `objectStreams: false` gives a classic xref table instead of an xref stream. */
export async function onePagePdf(options: { objectStreams?: boolean } = {}): Promise<Buffer> {
  const { PDFDocument, StandardFonts } = await import('pdf-lib')
  const doc = await PDFDocument.create()
  const font = await doc.embedFont(StandardFonts.Helvetica)
  doc.addPage([595.28, 841.89]).drawText('Giay tiep nhan ho so va hen tra ket qua', { x: 50, y: 780, size: 14, font })
  return Buffer.from(await doc.save({ useObjectStreams: options.objectStreams ?? true }))
}

/** The last signature's ByteRange, the bytes it covers and the DER CMS without its zero padding, read independently of the code under test. */
export function signedParts(pdf: Buffer): { byteRange: number[]; covered: Buffer; cms: Buffer } {
  const matches = [...pdf.toString('latin1').matchAll(/\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g)]
  const byteRange = matches.at(-1)!.slice(1).map(Number)
  const [, gapStart, gapEnd, tailLength] = byteRange as [number, number, number, number]
  const der = Buffer.from(pdf.subarray(gapStart + 1, gapEnd - 1).toString('latin1'), 'hex')
  // DER length of the outer SEQUENCE (long form) tells where the padding starts.
  const lengthBytes = der[1]! & 0x7f
  const cmsLength = 2 + lengthBytes + der.subarray(2, 2 + lengthBytes).reduce((total, byte) => total * 256 + byte, 0)
  return { byteRange, covered: Buffer.concat([pdf.subarray(0, gapStart), pdf.subarray(gapEnd, gapEnd + tailLength)]), cms: der.subarray(0, cmsLength) }
}

/** A copy of `pdf` with the byte at `offset` XOR-ed with `mask`. */
export function withFlippedByte(pdf: Buffer, offset: number, mask = 0x01): Buffer {
  const copy = Buffer.from(pdf)
  copy.writeUInt8(copy.readUInt8(offset) ^ mask, offset)
  return copy
}
