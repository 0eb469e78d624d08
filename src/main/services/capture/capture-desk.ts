import { createHash } from 'node:crypto'
import sharp, { type Sharp } from 'sharp'
import type { EventPayload } from '../../../shared/contract/contract'
import { type CapturedPage, type CapturedPageOutput } from '../../../shared/contract/capture-schemas'
import { MotcuaError, type OperationHandlers } from '../../../shared/contract/dispatch'
import type { DataKey } from '../privacy/data-key'
import type { Signer } from '../signing/signer'
import { buildArchivalPdf, type ArchivalPage } from './digitize'
import type { PixelBuffer } from '../../../shared/capture/process-page-image'
import { decodeG4Page } from './g4-pages'
import { encodePage, encodeThumbnail } from './page-encoding'
import { PageProcessingError, processPage, type ProcessedPage } from './page-processor'
import { ArchivalPdfError } from './pdf/errors'

type CaptureHandlers = Pick<OperationHandlers, 'processCapturedPage' | 'rotateCapturedPage' | 'buildDossierPdf' | 'openSealedBlob'>

export interface CaptureDeskOptions {
  readonly dataKey: DataKey
  readonly resourcesDir: string
  /** The key receipts are signed with: the digitized PDF is signed by the same desk. */
  readonly signer: () => Signer | undefined
  /** Who digitized, when the screen has no signed-in clerk: "Quầy N". */
  readonly counterName: () => Promise<string>
  /** The signature's location: the ward's one-stop desk. */
  readonly location: () => Promise<string>
  readonly onProgress: (progress: EventPayload<'digitizeProgress'>) => void
}


const sha256Of = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

/**
 * The capture operations: pages processed and sealed with the device data key before they leave
 * main (only the thumbnail also goes back in clear, for the screen's memory), and the dossier's
 * signed archival PDF built from sealed pages and sealed in turn.
 */
export function createCaptureDesk(options: CaptureDeskOptions): CaptureHandlers {
  const { dataKey } = options

  const sealed = async (page: CapturedPage, bytes: Uint8Array, thumbnail: Uint8Array): Promise<CapturedPageOutput> => ({
    page,
    sealed: await dataKey.sealBytes(bytes),
    thumbnailBase64: Buffer.from(thumbnail).toString('base64'),
    sealedThumbnail: await dataKey.sealBytes(thumbnail),
  })

  /** The page's bytes, checked against the content address the screen says they have. */
  const openPage = async (sealedPage: Parameters<DataKey['openBytes']>[0], page: CapturedPage): Promise<Buffer> => {
    const bytes = await dataKey.openBytes(sealedPage)
    if (sha256Of(bytes) !== page.sha256) throw new MotcuaError('invalidInput', `Sealed page does not match its sha256 ${page.sha256}`)
    return bytes
  }

  return {
    async processCapturedPage({ imageBase64, mode, dpi, source, corners }) {
      let processed: ProcessedPage
      try {
        processed = await processPage(Buffer.from(imageBase64, 'base64'), { mode, dpi, source, ...(corners && { corners }) })
      } catch (error) {
        // The clerk's picture, not our fault: the screen says which of these it was.
        if (error instanceof PageProcessingError && error.code !== 'processingFailed') {
          throw new MotcuaError('invalidInput', error.message, error.code === 'invalidOptions' ? undefined : error.code)
        }
        throw error
      }
      return sealed(describePage(processed), processed.bytes, processed.thumbnailJpeg)
    },

    async rotateCapturedPage({ sealed: sealedPage, page, quarterTurns }) {
      const bytes = await openPage(sealedPage, page)
      const turned = await decodedPage(bytes, page)
        .rotate(quarterTurns * 90)
        .raw()
        .toBuffer({ resolveWithObject: true })
      const pixels: PixelBuffer = { width: turned.info.width, height: turned.info.height, channels: turned.info.channels === 1 ? 1 : 3, data: turned.data }
      const mode = page.encoding === 'ccitt-g4' ? 'bw' : pixels.channels === 1 ? 'gray' : 'color'
      const encoded = await encodePage(pixels, mode, page.dpi)
      const rotated: CapturedPage = {
        ...page,
        sha256: sha256Of(encoded.bytes),
        bytes: encoded.bytes.length,
        widthPx: pixels.width,
        heightPx: pixels.height,
        rotation: ((page.rotation + quarterTurns * 90) % 360) as CapturedPage['rotation'],
      }
      return sealed(rotated, encoded.bytes, await encodeThumbnail(pixels))
    },

    async buildDossierPdf({ dossierCode, sequence, pages, ocr, digitizerName }) {
      const signer = options.signer()
      if (!signer) throw new MotcuaError('notConfigured', 'No signing key: the digitized PDF is signed with the receipt key (motcua web --signing-p12 FILE --signing-pass-env VAR)')
      const total = pages.length
      const archival: ArchivalPage[] = []
      for (const { sealed: sealedPage, page, label } of pages) {
        options.onProgress({ done: archival.length, total, stage: 'opening' })
        const bytes = await openPage(sealedPage, page)
        // OCR reads a grey picture of the page; only made when asked for.
        const ocrImage = ocr ? await decodedPage(bytes, page).grayscale().png({ compressionLevel: 1 }).toBuffer() : new Uint8Array()
        archival.push({ page: { widthPx: page.widthPx, heightPx: page.heightPx, dpi: page.dpi, encoding: page.encoding, bytes, ocrImage }, ...(label && { label }) })
      }
      let built: Awaited<ReturnType<typeof buildArchivalPdf>>
      try {
        built = await buildArchivalPdf(archival, {
          resourcesDir: options.resourcesDir,
          dossierCode,
          sequence,
          ocr,
          signer,
          digitizerName: digitizerName ?? (await options.counterName()),
          location: await options.location(),
          onProgress: (done, of) => options.onProgress({ done, total: of, stage: 'pages' }),
        })
      } catch (error) {
        if (error instanceof ArchivalPdfError) throw new MotcuaError('invalidInput', `${error.code}: ${error.message}`)
        throw error
      }
      options.onProgress({ done: total, total, stage: 'sealing' })
      return {
        sealedPdf: await dataKey.sealBytes(built.pdf),
        sha256: sha256Of(built.pdf),
        fileName: built.fileName,
        pages: total,
        bytes: built.pdf.length,
        textChars: built.text.length,
      }
    },

    async openSealedBlob({ sealed: blob }) {
      return { base64: (await dataKey.openBytes(blob)).toString('base64') }
    },
  }
}

/** A stored page as libvips sees it: a JPEG as is, a bare G4 stream in its TIFF wrapper; bilevel pixels come out 0 or 255. */
function decodedPage(bytes: Uint8Array, page: CapturedPage): Sharp {
  return page.encoding === 'jpeg' ? sharp(bytes) : decodeG4Page(bytes, page).toColourspace('b-w')
}

function describePage(processed: ProcessedPage): CapturedPage {
  const { sha256, bytes, widthPx, heightPx, dpi, encoding, rotation, deskewDegrees, blank, quality } = processed
  return { sha256, bytes: bytes.length, widthPx, heightPx, dpi, encoding, rotation, deskewDegrees, blank, quality: { ...quality, warnings: [...quality.warnings] } }
}
