import { useState } from 'react'
import { kindOfFile, SNIFF_BYTES } from '../../../shared/capture/file-kinds'
import type { CaptureMode, PageSource, Quad } from '../../../shared/capture/types'
import { MAX_IMAGE_BYTES, MAX_PDF_BYTES } from '../../../shared/contract/capture-schemas'
import { useApp } from '../app/app-context'
import { base64OfBytes } from '../data/base64'
import { useI18n } from '../i18n/i18n'
import { Banner } from '../ui/Banner'
import { CameraCapture } from './CameraCapture'
import { describeCaptureError } from './describe-capture-error'
import { ScannerCapture } from './ScannerCapture'
import { useScanSession } from './use-scan-session'

/** An image on its way to the pipeline, from the camera, a document scanner or a file; the board adds its paper's dpi and mode. */
export interface PageImage {
  readonly imageBase64: string
  readonly source: PageSource
  readonly corners?: Quad
}

type Tab = 'camera' | 'scanner' | 'files'

/**
 * Where a paper's pages come from: the camera (live outline, auto-capture), a document scanner
 * (its feeder's pages one by one) or image and PDF files. Each image goes to `onImage`, one at a time.
 * A PDF's pages are rendered in main and come as a scan job's do, so they are scanned pages here too.
 * `onePage`: a page captured again in place, which takes exactly one image. Scanners are asked for, and PDFs
 * rendered at, the paper's `dpi` and the board's `mode`, so no more bytes travel than the page will keep.
 */
export function CapturePanel({
  paperName,
  dpi,
  mode,
  busy,
  onePage,
  onImage,
  onClose,
}: {
  paperName: string
  dpi: 200 | 300
  mode: CaptureMode
  busy: boolean
  onePage: boolean
  onImage: (image: PageImage) => Promise<void>
  onClose: () => void
}) {
  const { api } = useApp()
  const { t } = useI18n()
  const [tab, setTab] = useState<Tab>('camera')
  const [fileProblem, setFileProblem] = useState<string>()
  const pdfImport = useScanSession(onImage, onePage)
  const pdfJob = pdfImport.job

  /** The files in the order chosen; a PDF's pages all go in before the next file's. */
  const importFiles = async (files: FileList | null): Promise<void> => {
    setFileProblem(undefined)
    for (const file of Array.from(files ?? [])) {
      // Only the head is read to know the kind, so a file over its limit is refused before it is read or sent.
      const kind = kindOfFile(new Uint8Array(await file.slice(0, SNIFF_BYTES).arrayBuffer()))
      if (kind === 'pdf' ? file.size > MAX_PDF_BYTES : file.size > MAX_IMAGE_BYTES) return setFileProblem(t(kind === 'pdf' ? 'capture.pdfTooLarge' : 'capture.fileTooLarge', { name: file.name }))
      if (kind === 'other') return setFileProblem(t('capture.notAnImage', { name: file.name }))
      const base64 = base64OfBytes(new Uint8Array(await file.arrayBuffer()))
      if (kind !== 'pdf') {
        await onImage({ imageBase64: base64, source: 'auto' })
        continue
      }
      try {
        await pdfImport.start(() => api.importPdfPages({ pdfBase64: base64, dpi }))
      } catch (error) {
        return setFileProblem(describeCaptureError(error, t))
      }
      // Cancelled, or a page that would not render: the files after it are left for the clerk to choose again.
      if ((await pdfImport.done())?.error) return
    }
  }

  return (
    <section className="capture-panel" aria-label={paperName}>
      <h4>{paperName}</h4>
      <div className="choice-row" role="group">
        {(['camera', 'scanner', 'files'] as const).map((choice) => (
          <button key={choice} type="button" className="small-button" aria-pressed={tab === choice} onClick={() => setTab(choice)}>
            {t(`capture.${choice}`)}
          </button>
        ))}
        <button type="button" className="touch-button" onClick={onClose}>
          {t('capture.close')}
        </button>
      </div>
      {tab === 'camera' && (
        <CameraCapture
          busy={busy}
          onShot={async (shot) => onImage({ imageBase64: base64OfBytes(new Uint8Array(await shot.image.arrayBuffer())), source: 'photo', ...(shot.corners && { corners: shot.corners }) })}
        />
      )}
      {tab === 'scanner' && <ScannerCapture dpi={dpi} mode={mode} onImage={onImage} onePage={onePage} />}
      {tab === 'files' && (
        <label>
          {t('capture.importFiles')}
          <input type="file" multiple={!onePage} accept="image/jpeg,image/png,image/tiff,image/webp,application/pdf" disabled={busy || pdfImport.running} onChange={(event) => void importFiles(event.target.files)} />
        </label>
      )}
      {pdfJob && pdfImport.running && (
        <div className="camera-controls">
          <p role="status">{t('capture.pdfProgress', { page: Math.min(pdfJob.processed + 1, pdfJob.expected ?? pdfJob.received), total: pdfJob.expected ?? pdfJob.received })}</p>
          {!pdfJob.finished && (
            <button type="button" className="touch-button" onClick={pdfImport.cancel}>
              {t('capture.cancelImport')}
            </button>
          )}
        </div>
      )}
      {fileProblem && <Banner tone="error">{fileProblem}</Banner>}
      {!fileProblem && pdfJob?.error && pdfJob.error !== 'cancelled' && <Banner tone="error">{t('capture.pdfStopped', { reason: t(`scanError.${pdfJob.error}`) })}</Banner>}
      {busy && tab !== 'camera' && <p role="status">{t('capture.processing')}</p>}
    </section>
  )
}
