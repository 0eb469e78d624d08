import { join, resolve, sep } from 'node:path'
import pdfmake from 'pdfmake'
import type { Content, TDocumentDefinitions } from 'pdfmake/interfaces'
import type { ReceiptData } from '../../../shared/domain/dossier/receipt'
import { vietnamClock, vietnamDay } from '../../../shared/domain/time'

/**
 * The receipt (Giấy tiếp nhận hồ sơ và hẹn trả kết quả, form 1 of annex I to Circular 03/2025/TT-VPCP, after
 * form 01 of Circular 01/2018/TT-VPCP) laid out by Decree 30/2020/NĐ-CP annex I: A4, margins 20 mm top and
 * bottom, 30 mm left, 15 mm right; national name 12 pt bold, motto 13 pt bold ruled to its own length, agency
 * in capitals with a short rule, place and date in italics, body 13 pt; Liberation Serif, metric-compatible
 * with the Times New Roman the decree names. The 80 mm thermal version carries the same data condensed.
 */

export type ReceiptFormat = 'a4' | 'thermal'

const MM = 72 / 25.4
export const A4_MARGINS_MM = { top: 20, bottom: 20, left: 30, right: 15 } as const
const THERMAL_WIDTH_MM = 80
/** An 80 mm printer prints 72 mm: 4 mm each side stays blank anyway. */
const THERMAL_MARGIN_MM = 4
/**
 * pdfmake draws a QR module as a whole number of points (floor(fit / modules)). 2 pt (0.7 mm, 5.6 dots on a
 * 203 dpi printer) for the largest seal, version 11 (61 modules), reads well with counter and phone scanners.
 */
const QR_MODULE_POINTS = 2
const QR_MAX_MODULES = 61
const QR_FIT = QR_MODULE_POINTS * QR_MAX_MODULES
const QUIET_ZONE_MM = 3
const FONT_FILES = { normal: 'LiberationSerif-Regular.ttf', bold: 'LiberationSerif-Bold.ttf', italics: 'LiberationSerif-Italic.ttf', bolditalics: 'LiberationSerif-BoldItalic.ttf' }

export const NATIONAL_NAME = 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM'
export const MOTTO = 'Độc lập - Tự do - Hạnh phúc'
export const RECEIPT_TITLE = 'GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ'

let configuredFontsDir: string | undefined

/**
 * pdfmake keeps its fonts and access policies globally: set them once. It may read only our font files
 * and fetch nothing, so data in a receipt can never make it open a path or a URL.
 */
function useFonts(fontsDir: string): void {
  if (configuredFontsDir === fontsDir) return
  const fontPaths = Object.fromEntries(Object.entries(FONT_FILES).map(([style, file]) => [style, join(fontsDir, file)]))
  pdfmake.setFonts({ LiberationSerif: fontPaths })
  pdfmake.setUrlAccessPolicy(() => false)
  pdfmake.setLocalAccessPolicy((path) => resolve(path).startsWith(resolve(fontsDir) + sep))
  configuredFontsDir = fontsDir
}

interface VietnamMoment {
  readonly hour: string
  readonly minute: string
  readonly day: string
  readonly month: string
  readonly year: string
}

function vietnamMoment(epochMs: number): VietnamMoment {
  const [year = '', month = '', day = ''] = vietnamDay(epochMs).split('-')
  const [hour = '', minute = ''] = vietnamClock(epochMs).split(':')
  return { hour, minute, day, month, year }
}

const spelledTime = (epochMs: number): string => {
  const { hour, minute, day, month, year } = vietnamMoment(epochMs)
  return `${hour} giờ ${minute} phút, ngày ${day} tháng ${month} năm ${year}`
}

const shortTime = (epochMs: number): string => {
  const { hour, minute, day, month, year } = vietnamMoment(epochMs)
  return `${hour}:${minute} ${day}/${month}/${year}`
}

/** 10000 -> "10.000 đồng"; Vietnamese groups thousands with dots. */
function feeText({ amountVnd, note }: ReceiptData['fee']): string {
  const amount = amountVnd === 0 ? 'Không thu' : `${String(amountVnd).replace(/\B(?=(\d{3})+$)/g, '.')} đồng`
  return note ? `${amount} (${note})` : amount
}

const placeAndDate = (place: string, epochMs: number): string => {
  const { day, month, year } = vietnamMoment(epochMs)
  return `${place}, ngày ${day} tháng ${month} năm ${year}`
}

/** Text centred above a rule exactly as long as it: an auto-width table whose only line is its bottom border. */
function ruledToLength(text: Content): Content {
  return {
    columns: [
      { width: '*', text: '' },
      {
        width: 'auto',
        table: { body: [[text]] },
        layout: { hLineWidth: (row) => (row === 1 ? 0.75 : 0), vLineWidth: () => 0, paddingLeft: () => 0, paddingRight: () => 0, paddingTop: () => 0, paddingBottom: () => 1 },
      },
      { width: '*', text: '' },
    ],
  }
}

/** A centred rule of `fraction` of the width above it: Decree 30 wants 1/3 to 1/2 of the agency name. */
function shortRule(fraction: number): Content {
  const side = `${((1 - fraction) / 2) * 100}%`
  return {
    table: { widths: [side, `${fraction * 100}%`, side], body: [['', '', '']] },
    layout: { hLineWidth: (row) => (row === 0 ? 0.75 : 0), vLineWidth: () => 0, paddingTop: () => 0, paddingBottom: () => 0 },
  }
}

interface Sizes {
  readonly body: number
  readonly nationalName: number
  readonly motto: number
  readonly title: number
}

const A4_SIZES: Sizes = { body: 13, nationalName: 12, motto: 13, title: 14 }
const THERMAL_SIZES: Sizes = { body: 8.5, nationalName: 7.5, motto: 8, title: 8.5 }

function agencyBlock(receipt: ReceiptData, sizes: Sizes): Content {
  return {
    stack: [
      { text: receipt.agency.superior.toUpperCase(), fontSize: sizes.nationalName },
      { text: receipt.agency.name.toUpperCase(), fontSize: sizes.nationalName, bold: true },
      shortRule(0.4),
    ],
    alignment: 'center',
  }
}

function nationBlock(sizes: Sizes): Content {
  return {
    stack: [{ text: NATIONAL_NAME, fontSize: sizes.nationalName, bold: true }, ruledToLength({ text: MOTTO, fontSize: sizes.motto, bold: true })],
    alignment: 'center',
  }
}

const labelled = (label: string, value: string): Content => ({ text: [`${label}: `, { text: value, bold: true }] })

function applicantLines({ applicant, procedure, request }: ReceiptData): Content[] {
  const contact = [applicant.phone && `Số điện thoại: ${applicant.phone}`, applicant.email && `Email: ${applicant.email}`].filter(Boolean).join('    ')
  return [
    labelled('Ông/Bà', applicant.fullName),
    `Số định danh cá nhân: ${applicant.idNumber}`,
    `Địa chỉ: ${applicant.address}`,
    ...(contact ? [contact] : []),
    `Thủ tục: ${procedure.name}${procedure.code ? ` (mã ${procedure.code})` : ''}`,
    `Nội dung yêu cầu giải quyết: ${request}`,
  ]
}

const countCell = (count: number): Content => ({ text: count === 0 ? '' : String(count), alignment: 'center' })

function papersTable(receipt: ReceiptData, fontSize: number): Content {
  const header = ['TT', 'Tên giấy tờ', 'Bản chính', 'Bản sao chứng thực', 'Bản sao'].map((text) => ({ text, bold: true, alignment: 'center' as const }))
  const rows = receipt.papers.map((paper, index) => [
    { text: String(index + 1), alignment: 'center' as const },
    paper.note ? { text: [paper.name, { text: ` (${paper.note})`, italics: true }] } : paper.name,
    countCell(paper.originals),
    countCell(paper.certifiedCopies),
    countCell(paper.copies),
  ])
  return { table: { headerRows: 1, widths: [22, '*', 48, 62, 44], body: [header, ...rows] }, fontSize, margin: [0, 2, 0, 4] }
}

function numberedFacts(receipt: ReceiptData): Content[] {
  return [
    `2. Số lượng hồ sơ: ${receipt.sets} bộ.`,
    `3. Thời gian giải quyết hồ sơ theo quy định: ${receipt.processingTimeText}.`,
    `4. Thời gian nhận hồ sơ: ${spelledTime(receipt.receivedAt)}.`,
    { text: [`5. Thời gian trả kết quả giải quyết hồ sơ: `, { text: `${spelledTime(receipt.returnAt)}.`, bold: true }] },
    `6. Đăng ký nhận kết quả tại: ${receipt.collectAt}.`,
    `7. Phí, lệ phí: ${feeText(receipt.fee)}.`,
  ]
}

function signatureColumns(receipt: ReceiptData): Content {
  const signer = (role: string, name: string): Content => ({
    stack: [{ text: role, bold: true }, { text: '(Ký và ghi rõ họ tên)', italics: true, fontSize: 12 }, { text: name, bold: true, margin: [0, 56, 0, 0] }],
    alignment: 'center',
  })
  return { columns: [signer('NGƯỜI NỘP HỒ SƠ', receipt.applicant.fullName), signer('NGƯỜI TIẾP NHẬN HỒ SƠ', receipt.officer.fullName)], margin: [0, 12, 0, 0], unbreakable: true }
}

function a4Document(receipt: ReceiptData, seal: string): TDocumentDefinitions {
  const sizes = A4_SIZES
  return {
    pageSize: 'A4',
    pageMargins: [A4_MARGINS_MM.left * MM, A4_MARGINS_MM.top * MM, A4_MARGINS_MM.right * MM, A4_MARGINS_MM.bottom * MM],
    defaultStyle: { font: 'LiberationSerif', fontSize: sizes.body, lineHeight: 1.15 },
    content: [
      {
        columns: [
          { width: 60 * MM, stack: [agencyBlock(receipt, sizes)] },
          { width: '*', stack: [nationBlock(sizes), { text: placeAndDate(receipt.agency.place, receipt.receivedAt), italics: true, alignment: 'center', margin: [0, 6, 0, 0] }] },
        ],
        columnGap: 4,
      },
      {
        columns: [
          {
            width: '*',
            stack: [
              { text: RECEIPT_TITLE, fontSize: sizes.title, bold: true, alignment: 'center', margin: [0, 14, 0, 2] },
              { text: [`Mã hồ sơ: `, { text: receipt.dossierCode, bold: true }], alignment: 'center' },
              { text: `${receipt.agency.name} tiếp nhận hồ sơ của:`, margin: [0, 8, 0, 0] },
              ...applicantLines(receipt),
            ],
          },
          {
            width: QR_FIT,
            // The margin under the code keeps its quiet zone (4 modules) clear of the caption.
            stack: [{ qr: seal, fit: QR_FIT, mode: 'alphanumeric', eccLevel: 'M', margin: [0, 0, 0, QUIET_ZONE_MM * MM] }, { text: 'Mã xác thực giấy tiếp nhận', fontSize: 8, alignment: 'center' }],
            margin: [0, 14, 0, 0],
          },
        ],
        columnGap: 8,
      },
      { text: '1. Thành phần hồ sơ nộp gồm:', margin: [0, 4, 0, 0] },
      papersTable(receipt, 12),
      ...numberedFacts(receipt),
      signatureColumns(receipt),
    ],
  }
}

function thermalDocument(receipt: ReceiptData, seal: string): TDocumentDefinitions {
  const sizes = THERMAL_SIZES
  const paperLines = receipt.papers.map((paper, index) => {
    const counts = [paper.originals && `${paper.originals} bản chính`, paper.certifiedCopies && `${paper.certifiedCopies} bản sao chứng thực`, paper.copies && `${paper.copies} bản sao`].filter(Boolean).join(', ')
    return { text: `${index + 1}. ${paper.name}: ${counts}`, margin: [4, 0, 0, 0] } satisfies Content
  })
  return {
    pageSize: { width: THERMAL_WIDTH_MM * MM, height: 'auto' },
    pageMargins: THERMAL_MARGIN_MM * MM,
    defaultStyle: { font: 'LiberationSerif', fontSize: sizes.body, lineHeight: 1.05 },
    content: [
      nationBlock(sizes),
      { stack: [agencyBlock(receipt, sizes)], margin: [0, 4, 0, 0] },
      { text: RECEIPT_TITLE, fontSize: sizes.title, bold: true, alignment: 'center', margin: [0, 4, 0, 0] },
      { text: receipt.dossierCode, bold: true, alignment: 'center' },
      { qr: seal, fit: QR_FIT, mode: 'alphanumeric', eccLevel: 'M', alignment: 'center', margin: [0, QUIET_ZONE_MM * MM, 0, QUIET_ZONE_MM * MM] },
      ...applicantLines(receipt),
      'Thành phần hồ sơ:',
      ...paperLines,
      `Số lượng: ${receipt.sets} bộ. Thời hạn: ${receipt.processingTimeText}.`,
      labelled('Nhận lúc', shortTime(receipt.receivedAt)),
      labelled('Hẹn trả', shortTime(receipt.returnAt)),
      `Nơi trả: ${receipt.collectAt}`,
      `Phí, lệ phí: ${feeText(receipt.fee)}`,
      `Người tiếp nhận: ${receipt.officer.fullName}`,
      { text: placeAndDate(receipt.agency.place, receipt.receivedAt), italics: true, alignment: 'center', margin: [0, 3, 0, 0] },
    ],
  }
}

export interface ReceiptPdfOptions {
  readonly format: ReceiptFormat
  /** The QR seal text (MC1:...) printed on page 1. */
  readonly seal: string
  /** Folder holding the Liberation Serif TTFs (resources/fonts). */
  readonly fontsDir: string
  /** The document's creation date in its info dictionary. */
  readonly createdAt: Date
}

/** The unsigned receipt PDF; `receipt` must already satisfy ReceiptDataSchema. */
export async function buildReceiptPdf(receipt: ReceiptData, options: ReceiptPdfOptions): Promise<Buffer> {
  useFonts(options.fontsDir)
  const layout = options.format === 'a4' ? a4Document(receipt, options.seal) : thermalDocument(receipt, options.seal)
  const document: TDocumentDefinitions = {
    ...layout,
    // Decree 30/2020 annex I part II asks for PDF 1.4 or later.
    version: '1.7',
    language: 'vi-VN',
    info: { title: `Giấy tiếp nhận hồ sơ ${receipt.dossierCode}`, author: receipt.agency.name, subject: receipt.procedure.name, creator: 'Một Cửa Kiosk', producer: 'Một Cửa Kiosk', creationDate: options.createdAt },
  }
  return pdfmake.createPdf(document).getBuffer()
}
