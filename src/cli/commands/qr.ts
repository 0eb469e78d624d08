import { CommanderError, type Command } from 'commander'
import { decodeImageFile, ImageFileError, type FileCode } from '../../main/services/scan/image-file'
import type { CccdQrData } from '../../shared/domain/scan/cccd-qr'
import type { SealFields } from '../../shared/seal/seal'

/** One code as `qr decode --json` prints it; a scan classifyScan refuses is kept as text with its error. */
type CodeReport = {
  readonly text: string
  readonly format: FileCode['format']
  readonly error?: { readonly code: string; readonly message: string }
} & (
  | { readonly kind: 'cccd'; readonly fields: CccdQrData }
  | { readonly kind: 'procedure'; readonly fields: { readonly code: string } }
  | { readonly kind: 'receipt' | 'appointment'; readonly fields: SealFields }
  | { readonly kind: 'text'; readonly fields: Record<string, never> }
)

function reportOf(code: FileCode): CodeReport {
  const { text, format, scan } = code
  if (!scan.ok) return { text, format, kind: 'text', fields: {}, error: { code: scan.error.code, message: scan.error.message } }
  const { value } = scan
  if (value.kind === 'cccd') return { text, format, kind: 'cccd', fields: value.card }
  if (value.kind === 'procedure') return { text, format, kind: 'procedure', fields: { code: value.code } }
  // Read, not verified: `motcua verify --qr` checks the signature against trust anchors.
  if (value.kind === 'receipt' || value.kind === 'appointment') return { text, format, kind: value.kind, fields: value.seal }
  return { text, format, kind: 'text', fields: {} }
}

function humanLine(file: string, report: CodeReport): string {
  const what =
    report.kind === 'cccd'
      ? `thẻ căn cước ${report.fields.id}, ${report.fields.fullName}`
      : report.kind === 'procedure'
        ? `mã thủ tục ${report.fields.code}`
        : report.kind === 'receipt' || report.kind === 'appointment'
          ? `mã niêm phong (${report.kind === 'receipt' ? 'giấy tiếp nhận' : 'phiếu hẹn'}, chưa kiểm tra chữ ký)`
          : `văn bản: ${report.text}`
  return `${file}: ${report.format} ${what}${report.error ? ` (không hợp lệ / invalid: ${report.error.message})` : ''}`
}

/**
 * Adds `qr decode IMAGE...`. Every image is read even when one fails; the exit code then says the worst:
 * 2 when a file is not a readable image, 1 when a picture holds no code, 0 otherwise.
 */
export function registerQrCommands(program: Command): void {
  const qr = program.command('qr').description('mã QR, PDF417 và Code 128 (codes in pictures)')
  qr.command('decode')
    .description('đọc mã trong tệp ảnh PNG, JPEG, WebP... (decode the codes in image files)')
    .argument('<images...>', 'tệp ảnh')
    .option('--json', 'một dòng JSON cho mỗi ảnh (one JSON line per image)')
    .action(async (images: string[], options: { json?: boolean }) => {
      let unreadable = 0
      let withoutCode = 0
      for (const file of images) {
        let codes: FileCode[]
        try {
          codes = await decodeImageFile(file)
        } catch (error) {
          if (!(error instanceof ImageFileError)) throw error
          unreadable++
          process.stderr.write(`Lỗi (${error.code}): không đọc được ảnh (unreadable image): ${error.message}\n`)
          continue
        }
        if (codes.length === 0) withoutCode++
        const reports = codes.map(reportOf)
        if (options.json) process.stdout.write(`${JSON.stringify({ file, results: reports })}\n`)
        else if (reports.length === 0) process.stdout.write(`${file}: không tìm thấy mã (no code found)\n`)
        else for (const report of reports) process.stdout.write(`${humanLine(file, report)}\n`)
      }
      // main() turns a CommanderError into its exit code without printing more: each file was reported above.
      if (unreadable > 0) throw new CommanderError(2, 'motcua.qr.unreadable', `${unreadable} unreadable image(s)`)
      if (withoutCode > 0) throw new CommanderError(1, 'motcua.qr.noCode', `${withoutCode} image(s) without a code`)
    })
}
