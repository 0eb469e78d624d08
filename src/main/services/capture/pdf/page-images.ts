import { JpegEmbedder, PDFName, type PDFDocument, type PDFRef } from 'pdf-lib'
import { ArchivalPdfError } from './errors'

/** One page image as the PDF stores it: the encoder's bytes, never decoded or re-encoded here. */
export interface PageImage {
  readonly encoding: 'jpeg' | 'ccitt-g4'
  /** jpeg: a baseline JPEG file; ccitt-g4: a raw CCITT Group 4 stream (K -1, BlackIs1 false, EndOfBlock true). */
  readonly bytes: Uint8Array
  readonly widthPx: number
  readonly heightPx: number
}

/**
 * A JPEG as a /DCTDecode image XObject, its bytes as they came. PDF/A with an sRGB output intent allows
 * DeviceRGB and DeviceGray; CMYK (an Adobe JPEG) would need a CMYK intent, and the pipeline never makes one.
 */
async function jpegXObject(doc: PDFDocument, image: PageImage, pageNumber: number): Promise<PDFRef> {
  let jpeg: JpegEmbedder
  try {
    jpeg = await JpegEmbedder.for(image.bytes)
  } catch (error) {
    throw new ArchivalPdfError('invalidPageImage', `Page ${pageNumber}: not a readable JPEG`, { cause: error })
  }
  if (jpeg.colorSpace === 'DeviceCMYK') throw new ArchivalPdfError('unsupportedColorSpace', `Page ${pageNumber}: CMYK JPEGs are not allowed in the sRGB archival PDF`)
  if (jpeg.width !== image.widthPx || jpeg.height !== image.heightPx) {
    throw new ArchivalPdfError('invalidPageImage', `Page ${pageNumber}: the JPEG is ${jpeg.width}×${jpeg.height} px, the page says ${image.widthPx}×${image.heightPx}`)
  }
  return jpeg.embedIntoContext(doc.context)
}

/** A bilevel page as a /CCITTFaxDecode image XObject, written by hand: pdf-lib has no embedder for it. */
function ccittXObject(doc: PDFDocument, image: PageImage): PDFRef {
  const stream = doc.context.stream(image.bytes, {
    Type: 'XObject',
    Subtype: 'Image',
    Width: image.widthPx,
    Height: image.heightPx,
    ColorSpace: 'DeviceGray',
    BitsPerComponent: 1,
    Filter: 'CCITTFaxDecode',
    DecodeParms: { K: -1, Columns: image.widthPx, Rows: image.heightPx, BlackIs1: false, EndOfBlock: true },
  })
  // PDF/A forbids interpolation; say so rather than rely on the default.
  stream.dict.set(PDFName.of('Interpolate'), doc.context.obj(false))
  return doc.context.register(stream)
}

export async function embedPageImage(doc: PDFDocument, image: PageImage, pageNumber: number): Promise<PDFRef> {
  if (!(Number.isSafeInteger(image.widthPx) && image.widthPx > 0 && Number.isSafeInteger(image.heightPx) && image.heightPx > 0)) {
    throw new ArchivalPdfError('invalidPageImage', `Page ${pageNumber}: the image size ${image.widthPx}×${image.heightPx} is not a positive whole number of pixels`)
  }
  if (image.bytes.length === 0) throw new ArchivalPdfError('invalidPageImage', `Page ${pageNumber}: the image is empty`)
  return image.encoding === 'jpeg' ? jpegXObject(doc, image, pageNumber) : ccittXObject(doc, image)
}
