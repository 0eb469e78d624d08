import { BarcodeFormat, EncodeHintType, QRCodeWriter, type BitMatrix } from '@zxing/library'

/** The modules of a QR code for text, quiet zone included: level M, UTF-8. */
export function encodeQr(text: string): BitMatrix {
  const hints = new Map<EncodeHintType, unknown>([
    [EncodeHintType.ERROR_CORRECTION, 'M'],
    [EncodeHintType.CHARACTER_SET, 'UTF-8'],
    [EncodeHintType.MARGIN, 4],
  ])
  return new QRCodeWriter().encode(text, BarcodeFormat.QR_CODE, 0, 0, hints)
}
