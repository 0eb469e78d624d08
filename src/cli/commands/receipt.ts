import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Option, type Command } from 'commander'
import { dossierCode } from '../../shared/domain/dossier/dossier-code'
import { returnTime, type ProcedureCatalog } from '../../shared/domain/dossier/procedures'
import type { ReceiptData } from '../../shared/domain/dossier/receipt'
import { loadSampleProcedureCatalog } from '../../main/services/catalog/procedures'
import { issueReceipt } from '../../main/services/receipt/issue-receipt'
import { sealKeyFromSigner } from '../../main/services/seal/seal-key'
import { loadCertificates } from '../../main/services/seal/trust-store'
import { pkcs11Signer } from '../../main/services/signing/pkcs11-signer'
import { keyFileSigner, type Signer } from '../../main/services/signing/signer'

/** An invented dossier at Hải Châu: its agency code follows QĐ 20/2020's shape but is not the ward's real one. */
const DEMO_AGENCY_CODE = '000.00.12.H17'
const DEMO_PROCEDURE_ID = 'dang-ky-khai-sinh'
const DEMO_DEVICE_ID = '3f2b8c1e-7d4a-4e9b-a6c5-0d1e2f3a4b5c'

/** The sample dossier `receipt demo` prints, received at `receivedAt`; also the fixture of the receipt tests and benchmark. */
export function demoReceipt(catalog: ProcedureCatalog, receivedAt: number): ReceiptData {
  const procedure = catalog.procedures.find((candidate) => candidate.id === DEMO_PROCEDURE_ID)
  if (procedure === undefined) throw new Error(`The catalogue has no ${DEMO_PROCEDURE_ID}`)
  return {
    dossierCode: dossierCode({ agencyCode: DEMO_AGENCY_CODE, receivedAt, ordinal: 1, block: { index: 0, count: 1 } }),
    agency: { superior: 'UBND phường Hải Châu', name: 'Trung tâm Phục vụ hành chính công phường Hải Châu', place: 'Hải Châu' },
    applicant: {
      fullName: 'Nguyễn Thị Ngọc Ánh',
      idNumber: '048195001234',
      address: '12 Trần Phú, phường Hải Châu, thành phố Đà Nẵng',
      phone: '0905 123 456',
    },
    procedure: { code: procedure.code, id: procedure.id, name: procedure.name },
    request: 'Đăng ký khai sinh cho con: Lê Hoàng Bảo Ngọc',
    papers: procedure.papers,
    sets: 1,
    processingTimeText: procedure.processing.text,
    receivedAt,
    returnAt: returnTime({ receivedAt, processing: procedure.processing, returnClock: catalog.returnClock }),
    collectAt: 'Quầy số 2, Trung tâm Phục vụ hành chính công phường Hải Châu, 270 Trưng Nữ Vương',
    fee: { amountVnd: procedure.fee.amountVnd ?? 0, note: procedure.fee.text },
    officer: { fullName: 'Trần Văn Bình' },
    deviceId: DEMO_DEVICE_ID,
  }
}

interface DemoOptions {
  out: string
  p12?: string
  passEnv?: string
  pkcs11?: string
  token?: string
  pinEnv?: string
  chain?: string
  thermal?: boolean
}

function secretFrom(variable: string): string {
  const value = process.env[variable]
  if (value === undefined) throw new Error(`biến môi trường ${variable} chưa được đặt (environment variable not set)`)
  return value
}

/** The PKCS#12 file's signer, chain included, or the token's; the caller closes the token. */
function openSigner(options: DemoOptions): Signer & { close?: () => void } {
  if (options.p12 !== undefined && options.passEnv !== undefined) return keyFileSigner(readFileSync(options.p12), secretFrom(options.passEnv))
  if (options.pkcs11 !== undefined && options.token !== undefined && options.pinEnv !== undefined) {
    const chain = options.chain === undefined ? [] : loadCertificates([options.chain])
    return pkcs11Signer({ modulePath: options.pkcs11, tokenLabel: options.token, pin: secretFrom(options.pinEnv), chain })
  }
  throw new Error('cần --p12 và --pass-env, hoặc --pkcs11, --token và --pin-env (a key file or a token is required)')
}

/** Adds `receipt demo`: a signed receipt for a sample dossier. */
export function registerReceiptCommands(program: Command, resourcesDir: string): void {
  program
    .command('receipt')
    .description('giấy tiếp nhận hồ sơ và hẹn trả kết quả (dossier receipts)')
    .command('demo')
    .description('tạo và ký số giấy tiếp nhận cho một hồ sơ mẫu (build and sign a sample receipt)')
    .requiredOption('--out <file>', 'tệp PDF sẽ ghi (the PDF to write)')
    .option('--p12 <file>', 'tệp khóa PKCS#12 (.p12/.pfx); chuỗi chứng thư trong tệp được đưa vào chữ ký')
    .option('--pass-env <variable>', 'tên biến môi trường chứa mật khẩu của tệp khóa')
    .addOption(new Option('--pkcs11 <module>', 'thư viện PKCS#11 của token (the token vendor library)').conflicts('p12'))
    .option('--token <label>', 'nhãn token (token label)')
    .option('--pin-env <variable>', 'tên biến môi trường chứa mã PIN của token')
    .option('--chain <file>', 'chứng thư CA cấp trên (PEM) khi token chỉ chứa chứng thư người ký')
    .option('--thermal', 'khổ giấy in nhiệt 80 mm thay cho A4')
    .action(async (options: DemoOptions) => {
      const signer = openSigner(options)
      try {
        const catalog = await loadSampleProcedureCatalog(resourcesDir)
        const receipt = demoReceipt(catalog, Date.now())
        // The QR seal is ES256, so the demo signs it with the same key: that key must be ECDSA P-256.
        const { pdf } = await issueReceipt(receipt, { format: options.thermal ? 'thermal' : 'a4', signer, sealKey: sealKeyFromSigner(signer), fontsDir: join(resourcesDir, 'fonts') })
        writeFileSync(options.out, pdf)
        process.stdout.write(`Đã ghi ${options.out}: giấy tiếp nhận hồ sơ ${receipt.dossierCode}, đã ký số (PAdES-B-B).\n`)
      } finally {
        signer.close?.()
      }
    })
}
