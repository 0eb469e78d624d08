import { vietnamClock, vietnamDay, vietnameseDate } from '../domain/time'
import type { SealErrorCode, SealFields } from './seal'

/** Why a seal is not accepted: the text does not decode (SealErrorCode), or the check in main fails. */
export type SealRejection = SealErrorCode | 'unknownKey' | 'badSignature' | 'untrustedSigner' | 'certificateExpired'

/** Sentences a counter screen or the CLI shows; the codes stay in the data for machines and logs. */
export const SEAL_REJECTION_VI: Readonly<Record<SealRejection, string>> = {
  notSeal: 'Đây không phải mã QR có con dấu điện tử của Bộ phận Một cửa.',
  invalidBase45: 'Mã QR bị hỏng hoặc đọc sai ký tự.',
  invalidCbor: 'Nội dung mã QR bị hỏng.',
  invalidCose: 'Cấu trúc chữ ký trong mã QR không hợp lệ.',
  unsupportedAlgorithm: 'Mã QR dùng thuật toán ký không được chấp nhận.',
  unsupportedVersion: 'Mã QR thuộc phiên bản mà phần mềm này chưa đọc được.',
  invalidRecord: 'Thông tin trong mã QR không hợp lệ.',
  unknownKey: 'Không tìm thấy chứng thư số của khóa đã ký mã QR này.',
  badSignature: 'Chữ ký không khớp: nội dung mã QR đã bị sửa hoặc giả mạo.',
  untrustedSigner: 'Chứng thư số của người ký không được một tổ chức tin cậy cấp.',
  certificateExpired: 'Chứng thư số của người ký đã hết hạn hoặc chưa có hiệu lực.',
}

const KIND_VI = { receipt: 'Giấy tiếp nhận hồ sơ và hẹn trả kết quả', appointment: 'Phiếu hẹn' } as const

/** Label and value of each field, in the order a reader expects them. */
export function sealFieldsVi(fields: SealFields): [label: string, value: string][] {
  const specific: [string, string][] =
    fields.kind === 'receipt'
      ? [
          ['Mã hồ sơ', fields.code],
          ['Mã thủ tục', fields.serviceCode],
          ['Ngày giờ tiếp nhận', `${vietnamClock(fields.receivedAt)} ngày ${vietnameseDate(vietnamDay(fields.receivedAt))}`],
          ['Ngày hẹn trả kết quả', vietnameseDate(fields.returnDate)],
        ]
      : [
          ['Mã lịch hẹn', fields.code],
          ['Dịch vụ', fields.serviceCode],
          ['Thời gian hẹn', `${fields.time} ngày ${vietnameseDate(fields.day)}`],
        ]
  return [
    ['Loại giấy', KIND_VI[fields.kind]],
    ...specific,
    ['Mã băm số định danh', fields.applicantIdHash],
    ['Thiết bị cấp', fields.deviceId],
    ['Mã khóa ký', fields.keyId],
  ]
}
