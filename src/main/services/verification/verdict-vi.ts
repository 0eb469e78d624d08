import { VIETNAM_OFFSET_MS, vietnamDay, vietnameseDate } from '../../../shared/domain/time'
import { SEAL_REJECTION_VI, sealFieldsVi } from '../../../shared/seal/describe-vi'
import type { SealVerification } from '../seal/verify-seal'
import type { PdfVerification, PdfVerifyErrorCode, SignatureVerdict } from '../signing/verify-pdf'

/**
 * Verdicts in Vietnamese, line by line, as the CLI prints them and the screens show them: what
 * Circular 15/2025/TT-BKHCN asks verifying software to show (signer, time, integrity, trust chain).
 */

export function sealVerdictLines(verification: SealVerification): string[] {
  const verdict = verification.valid
    ? 'Con dấu HỢP LỆ: chữ ký đúng, người ký được tin cậy (valid).'
    : `Con dấu KHÔNG HỢP LỆ (${verification.reason}): ${verification.reason ? SEAL_REJECTION_VI[verification.reason] : ''}`
  const { signer, fields } = verification
  const signerLine = signer ? [`Người ký: ${signer.commonName ?? '(không tên)'}${signer.organization ? `, ${signer.organization}` : ''}`] : []
  const labelWidth = 24
  const fieldLines = fields ? sealFieldsVi(fields).map(([label, value]) => `${`${label}:`.padEnd(labelWidth)}${value}`) : []
  return [verdict, ...signerLine, ...(fields && !verification.valid ? ['Nội dung dưới đây CHƯA được xác thực:'] : []), ...fieldLines]
}

const PDF_REJECTION_VI: Record<PdfVerifyErrorCode, string> = {
  notPdf: 'tệp không phải PDF',
  noSignature: 'tài liệu không có chữ ký số',
  malformedSignatureDictionary: 'từ điển chữ ký bị hỏng',
  invalidByteRange: 'vùng dữ liệu được ký (ByteRange) không hợp lệ',
  malformedContents: 'dữ liệu chữ ký bị hỏng',
  missingSigningTime: 'thiếu thời điểm ký',
  malformedCms: 'cấu trúc chữ ký (CMS) bị hỏng',
  unsupportedAlgorithm: 'thuật toán ký không được hỗ trợ',
  signerCertificateMissing: 'thiếu chứng thư số của người ký',
}

const TRUST_VI: Record<SignatureVerdict['trust'], string> = {
  trusted: 'tin cậy: chuỗi chứng thư dẫn đến chứng thư gốc được tin cậy, còn hiệu lực tại thời điểm ký',
  untrusted: 'KHÔNG tin cậy: chuỗi chứng thư không dẫn đến chứng thư gốc được tin cậy',
  expired: 'KHÔNG tin cậy: có chứng thư trong chuỗi hết hiệu lực tại thời điểm ký',
}

export const isAccepted = (verdict: SignatureVerdict): boolean => verdict.integrity === 'intact' && verdict.signature === 'valid' && verdict.trust === 'trusted' && verdict.coversWholeDocument

/** What Circular 15/2025/TT-BKHCN asks verifying software to show: signer, time, integrity and the trust chain. */
export function pdfVerdictLines(verification: PdfVerification): string[] {
  if ('error' in verification) return [`Chữ ký KHÔNG HỢP LỆ (${verification.error}): ${PDF_REJECTION_VI[verification.error]}.`]
  const { signer, signingTime } = verification
  const day = vietnameseDate(vietnamDay(signingTime.getTime()))
  const time = new Date(signingTime.getTime() + VIETNAM_OFFSET_MS).toISOString().slice(11, 19)
  return [
    isAccepted(verification) ? 'Chữ ký số HỢP LỆ và được tin cậy.' : 'Chữ ký số KHÔNG HỢP LỆ hoặc không được tin cậy.',
    `Người ký:        ${signer.commonName ?? '(không tên)'}${signer.organization ? `, ${signer.organization}` : ''} (số hiệu chứng thư ${signer.serialNumber})`,
    `Thời điểm ký:    ${time} ngày ${day} (giờ Việt Nam, do người ký khai báo)`,
    `Toàn vẹn:        ${verification.integrity === 'intact' ? 'nội dung không bị thay đổi sau khi ký' : 'nội dung ĐÃ BỊ THAY ĐỔI sau khi ký'}`,
    `Chữ ký:          ${verification.signature === 'valid' ? 'khớp với khóa của chứng thư người ký' : 'KHÔNG khớp với chứng thư người ký'}`,
    `Chuỗi chứng thư: ${TRUST_VI[verification.trust]}`,
    `Phạm vi:         ${verification.coversWholeDocument ? 'chữ ký bao trùm toàn bộ tài liệu' : 'có nội dung được thêm vào SAU khi ký'}`,
  ]
}

