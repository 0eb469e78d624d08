import { readFileSync } from 'node:fs'
import { CommanderError, type Command } from 'commander'
import { addWorkingDays } from '../../shared/domain/calendar/workdays'
import { VIETNAM_OFFSET_MS, vietnamDay } from '../../shared/domain/time'
import { applicantIdHash, createSeal, type ReceiptSealRecord } from '../../shared/seal/seal'
import { sealKeyFromSigner, sha256 } from '../../main/services/seal/seal-key'
import { loadCertificates, loadSealTrust } from '../../main/services/seal/trust-store'
import { verifySeal } from '../../main/services/seal/verify-seal'
import { keyFileSigner } from '../../main/services/signing/signer'
import { verifyPdfSignature } from '../../main/services/signing/verify-pdf'
import { isAccepted, pdfVerdictLines, sealVerdictLines } from '../../main/services/verification/verdict-vi'

/** An invented applicant and a device id shaped like a real one (a UUID), so the demo has a real seal's length. */
const DEMO_ID_NUMBER = '048195001234'
const DEMO_DEVICE_ID = '3f2b8c1e-7d4a-4e9b-a6c5-0d1e2f3a4b5c'
const DEMO_PROCEDURE = '1.001193'
const DEMO_PROCESSING_WORKING_DAYS = 5

function demoReceipt(now: number): ReceiptSealRecord {
  const today = vietnamDay(now)
  const code = `000.00.12.H17-${today.slice(2).replaceAll('-', '')}-0001`
  return {
    kind: 'receipt',
    code,
    serviceCode: DEMO_PROCEDURE,
    applicantIdHash: applicantIdHash(DEMO_ID_NUMBER, code, sha256),
    deviceId: DEMO_DEVICE_ID,
    receivedAt: Math.floor(now / 1000) * 1000,
    returnDate: addWorkingDays(today, DEMO_PROCESSING_WORKING_DAYS),
  }
}

/** Adds `verify` (a PDF's signature, or a QR seal, offline) and `seal demo` (print a sample receipt seal). */
export function registerSealCommands(program: Command): void {
  program
    .command('verify')
    .description('kiểm tra chữ ký số của tệp PDF hoặc con dấu QR của giấy tiếp nhận, phiếu hẹn (verify a signed PDF or a QR seal); mã thoát 0: hợp lệ, 1: không')
    .argument('[file]', 'tệp PDF đã ký (a signed PDF)')
    .option('--qr <text>', 'nội dung mã QR, bắt đầu bằng MC1: (the scanned text)')
    .requiredOption('--trust <paths...>', 'chứng thư số tin cậy: tệp PEM/DER hoặc thư mục (trusted certificates: CA and seal certificates)')
    .option('--json', 'JSON output')
    .action((file: string | undefined, options: { qr?: string; trust: string[]; json?: boolean }) => {
      if ((file === undefined) === (options.qr === undefined)) throw new Error('cần đúng một trong hai: tệp PDF hoặc --qr (give a PDF file or --qr, not both)')
      const write = (value: unknown, lines: string[]) => process.stdout.write(options.json ? `${JSON.stringify(value, null, 2)}\n` : `${lines.join('\n')}\n`)
      // main() turns a CommanderError into its exit code without printing more: the verdict is above.
      if (file !== undefined) {
        const verification = verifyPdfSignature(readFileSync(file), loadCertificates(options.trust))
        write(verification, [`Tệp:             ${file}`, ...pdfVerdictLines(verification)])
        if ('error' in verification || !isAccepted(verification)) throw new CommanderError(1, 'motcua.verify.invalid', 'invalid or untrusted PDF signature')
        return
      }
      const verification = verifySeal(options.qr ?? '', loadSealTrust(options.trust))
      write(verification, sealVerdictLines(verification))
      if (!verification.valid) throw new CommanderError(1, 'motcua.verify.invalid', `invalid seal: ${verification.reason}`)
    })

  program
    .command('seal')
    .description('con dấu QR (QR seals)')
    .command('demo')
    .description('in một con dấu mẫu của giấy tiếp nhận hồ sơ (print a sample receipt seal)')
    .requiredOption('--p12 <file>', 'tệp khóa PKCS#12 (.p12/.pfx) với khóa ECDSA P-256')
    .requiredOption('--pass-env <variable>', 'tên biến môi trường chứa mật khẩu của tệp khóa')
    .action(async (options: { p12: string; passEnv: string }) => {
      const passphrase = process.env[options.passEnv]
      if (passphrase === undefined) throw new Error(`biến môi trường ${options.passEnv} chưa được đặt (environment variable not set)`)
      const key = sealKeyFromSigner(keyFileSigner(readFileSync(options.p12), passphrase))
      process.stdout.write(`${await createSeal(demoReceipt(Date.now()), key)}\n`)
    })
}
