import { z } from 'zod'
import { DeviceIdSchema } from '../eventlog/envelope'
import { DossierCodeSchema } from './dossier-code'
import { ProcedureCodeSchema, RequiredPaperSchema } from './procedures'

/**
 * What the receipt (Giấy tiếp nhận hồ sơ và hẹn trả kết quả, form 1 of annex I to Circular 03/2025/TT-VPCP,
 * after form 01 of Circular 01/2018/TT-VPCP) prints. Times are epoch ms, shown in Vietnam time.
 */

const Text = (max: number) => z.string().trim().min(1).max(max)

export const ReceiptDataSchema = z
  .object({
    dossierCode: DossierCodeSchema,
    agency: z.object({
      /** The authority the centre belongs to, printed above it: "UBND PHƯỜNG HẢI CHÂU". */
      superior: Text(120),
      /** The receiving centre: "Trung tâm Phục vụ hành chính công phường Hải Châu". */
      name: Text(160),
      /** Where the receipt is issued, before the date: "Hải Châu". */
      place: Text(60),
    }),
    applicant: z.object({
      fullName: Text(120),
      /** The 12-digit CCCD or another identity paper's number. */
      idNumber: z.string().regex(/^[0-9A-Z]{6,20}$/),
      address: Text(300),
      phone: z.string().regex(/^\+?[0-9 .-]{8,20}$/).optional(),
      email: z.email().max(120).optional(),
    }),
    procedure: z.object({
      /** null while the national code is unknown; the seal then carries the catalogue id. */
      code: ProcedureCodeSchema.nullable(),
      id: z.string().min(1).max(40),
      name: Text(300),
    }),
    /** Nội dung yêu cầu giải quyết. */
    request: Text(500),
    papers: z.array(RequiredPaperSchema).min(1).max(40),
    /** Số lượng hồ sơ (bộ). */
    sets: z.number().int().min(1).max(99),
    /** "5 ngày làm việc", "Trong ngày" as the catalogue words it. */
    processingTimeText: Text(300),
    receivedAt: z.number().int(),
    returnAt: z.number().int(),
    /** Đăng ký nhận kết quả tại: the counter, or by post. */
    collectAt: Text(300),
    fee: z.object({
      amountVnd: z.number().int().min(0),
      /** How it is paid or why it is waived: "Miễn lệ phí", "Tiền mặt tại quầy". */
      note: z.string().max(200).optional(),
    }),
    officer: z.object({ fullName: Text(120) }),
    /** The receiving device, which the QR seal names. */
    deviceId: DeviceIdSchema,
  })
  .refine((receipt) => receipt.returnAt >= receipt.receivedAt, { message: 'the result cannot be due before the dossier is received', path: ['returnAt'] })

export type ReceiptData = z.infer<typeof ReceiptDataSchema>
