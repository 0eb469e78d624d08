import { toMonochrome, type RasterWidth } from '../../../shared/printing/escpos'
import type { BitMatrix } from '@zxing/library'
import { loadQrEncoder } from '../ui/QrCode'
import { base64OfBytes } from '../data/base64'

/** What a queue ticket says, already in the resident's language. */
export interface TicketPrintout {
  readonly wardName: string
  readonly label: string
  readonly serviceName: string
  /** Date and time of issue, Vietnam time. */
  readonly issuedAt: string
  /** "Có N người đang chờ trước quý khách". */
  readonly ahead: string
  readonly priority?: string
  readonly qrText: string
}

/** The page's webfont: it has every Vietnamese diacritic, which printer fonts lack. */
const FONT_FAMILY = '"Noto Sans"'
/** Layout sizes are for 80 mm paper (576 dots) and scale down for 58 mm. */
const REFERENCE_WIDTH = 576
/** Drawing room before the ticket is cropped to what was drawn. */
const SCRATCH_HEIGHT = 3000

/**
 * Draws the ticket in black on white at the printer's resolution, widthDots across (203 dpi):
 * the same picture goes to a thermal printer as 1-bit rows and to the system printer as an image.
 */
export async function drawTicket(ticket: TicketPrintout, widthDots: RasterWidth): Promise<HTMLCanvasElement> {
  const lines = [ticket.wardName, ticket.label, ticket.serviceName, ticket.issuedAt, ticket.ahead, ticket.priority ?? ''].join(' ')
  // The font's Vietnamese subset is only fetched when text needs it; a canvas does not ask, so ask first.
  const [{ encodeQr }] = await Promise.all([loadQrEncoder(), document.fonts.load(`400 32px ${FONT_FAMILY}`, lines), document.fonts.load(`700 32px ${FONT_FAMILY}`, lines)])

  const scale = widthDots / REFERENCE_WIDTH
  const margin = Math.round(16 * scale)
  const scratch = document.createElement('canvas')
  scratch.width = widthDots
  scratch.height = SCRATCH_HEIGHT
  const context = scratch.getContext('2d')!
  context.fillStyle = '#fff'
  context.fillRect(0, 0, widthDots, SCRATCH_HEIGHT)
  context.fillStyle = '#000'
  context.textAlign = 'center'
  context.textBaseline = 'top'

  let y = margin
  const text = (value: string, sizeDots: number, weight: 400 | 700): void => {
    context.font = `${weight} ${Math.round(sizeDots * scale)}px ${FONT_FAMILY}`
    for (const line of wrap(context, value, widthDots - 2 * margin)) {
      context.fillText(line, widthDots / 2, y)
      y += Math.round(sizeDots * scale * 1.3)
    }
  }
  const rule = (): void => {
    y += Math.round(8 * scale)
    context.fillRect(margin, y, widthDots - 2 * margin, Math.max(2, Math.round(3 * scale)))
    y += Math.round(16 * scale)
  }

  text(ticket.wardName, 28, 700)
  rule()
  y += drawLargest(context, ticket.label, widthDots, y, widthDots - 2 * margin, Math.round(200 * scale))
  text(ticket.serviceName, 30, 700)
  if (ticket.priority) text(ticket.priority, 28, 700)
  rule()
  text(ticket.ahead, 26, 400)
  text(ticket.issuedAt, 24, 400)
  y += Math.round(8 * scale)
  y += drawQr(context, encodeQr(ticket.qrText), widthDots, y, Math.round(220 * scale))
  y += margin

  const ticketCanvas = document.createElement('canvas')
  ticketCanvas.width = widthDots
  ticketCanvas.height = Math.min(y, SCRATCH_HEIGHT)
  ticketCanvas.getContext('2d')!.drawImage(scratch, 0, 0)
  return ticketCanvas
}

/** The ticket as the printTicket operation takes it: 1-bit rows in base64. */
export function ticketRaster(canvas: HTMLCanvasElement): { width: RasterWidth; height: number; rows: string } {
  const image = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height)
  const { height, rows } = toMonochrome(image)
  // drawTicket made the canvas one of the printer widths.
  return { width: canvas.width as RasterWidth, height, rows: base64OfBytes(rows) }
}

/** Breaks text into lines no wider than maxWidth, at spaces (a single overlong word gets its own line). */
function wrap(context: CanvasRenderingContext2D, text: string, maxWidth: number): string[] {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const candidate = line ? `${line} ${word}` : word
    if (line && context.measureText(candidate).width > maxWidth) {
      lines.push(line)
      line = word
    } else {
      line = candidate
    }
  }
  if (line) lines.push(line)
  return lines
}

/** The ticket number as large as the paper allows, in bold; returns the height used. */
function drawLargest(context: CanvasRenderingContext2D, text: string, widthDots: number, top: number, maxWidth: number, maxSize: number): number {
  let size = maxSize
  context.font = `700 ${size}px ${FONT_FAMILY}`
  const measured = context.measureText(text).width
  if (measured > maxWidth) size = Math.floor((size * maxWidth) / measured)
  context.font = `700 ${size}px ${FONT_FAMILY}`
  context.fillText(text, widthDots / 2, top)
  // Digits and capitals have no descenders: most of the font's line gap would be blank paper.
  return Math.round(size * 1.05)
}

/** A QR code of about sizeDots, centred, with whole dots per module so that it scans; returns the height used. */
function drawQr(context: CanvasRenderingContext2D, matrix: BitMatrix, widthDots: number, top: number, sizeDots: number): number {
  const modules = matrix.getWidth()
  const dotsPerModule = Math.max(2, Math.floor(sizeDots / modules))
  const left = Math.floor((widthDots - modules * dotsPerModule) / 2)
  for (let y = 0; y < modules; y++) {
    for (let x = 0; x < modules; x++) if (matrix.get(x, y)) context.fillRect(left + x * dotsPerModule, top + y * dotsPerModule, dotsPerModule, dotsPerModule)
  }
  return modules * dotsPerModule
}
