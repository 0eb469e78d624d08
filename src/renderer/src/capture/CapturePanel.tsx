import { useState } from 'react'
import { kindOfFile, SNIFF_BYTES } from '../../../shared/capture/file-kinds'
import { archivalDpi } from '../../../shared/capture/geometry'
import type { PageSource, Quad } from '../../../shared/capture/types'
import { MAX_IMAGE_BYTES } from '../../../shared/contract/capture-schemas'
import { base64OfBytes } from '../data/base64'
import { useI18n } from '../i18n/i18n'
import { Banner } from '../ui/Banner'
import { CameraCapture } from './CameraCapture'
import { ScannerCapture } from './ScannerCapture'

/** An image on its way to the pipeline, from the camera, a document scanner or a file. */
export interface PageImage {
  readonly imageBase64: string
  readonly source: PageSource
  readonly dpi: 200 | 300
  readonly corners?: Quad
}

type Tab = 'camera' | 'scanner' | 'files'

/**
 * Where a paper's pages come from: the camera (live outline, auto-capture), a document scanner
 * (its feeder's pages one by one) or image files. Each image goes to `onImage`, one at a time.
 * `onePage`: a page captured again in place, which takes exactly one image.
 */
export function CapturePanel({ paperName, busy, onePage, onImage, onClose }: { paperName: string; busy: boolean; onePage: boolean; onImage: (image: PageImage) => Promise<void>; onClose: () => void }) {
  const { t } = useI18n()
  const [tab, setTab] = useState<Tab>('camera')
  const [fileProblem, setFileProblem] = useState<string>()

  const importFiles = async (files: FileList | null): Promise<void> => {
    setFileProblem(undefined)
    for (const file of Array.from(files ?? [])) {
      if (file.size > MAX_IMAGE_BYTES) return setFileProblem(t('capture.fileTooLarge', { name: file.name }))
      const bytes = new Uint8Array(await file.arrayBuffer())
      const kind = kindOfFile(bytes.subarray(0, SNIFF_BYTES))
      if (kind === 'other') return setFileProblem(t('capture.notAnImage', { name: file.name }))
      if (kind === 'pdf') return setFileProblem(t('capture.pdfNotSupported', { name: file.name }))
      await onImage({ imageBase64: base64OfBytes(bytes), source: 'auto', dpi: 300 })
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
          onShot={async (shot) =>
            onImage({ imageBase64: base64OfBytes(new Uint8Array(await shot.image.arrayBuffer())), source: 'photo', dpi: archivalDpi(shot.longSidePx), ...(shot.corners && { corners: shot.corners }) })
          }
        />
      )}
      {tab === 'scanner' && <ScannerCapture onImage={onImage} onePage={onePage} />}
      {tab === 'files' && (
        <label>
          {t('capture.importFiles')}
          <input type="file" multiple={!onePage} accept="image/jpeg,image/png,image/tiff,image/webp,application/pdf" disabled={busy} onChange={(event) => void importFiles(event.target.files)} />
        </label>
      )}
      {fileProblem && <Banner tone="error">{fileProblem}</Banner>}
      {busy && tab !== 'camera' && <p role="status">{t('capture.processing')}</p>}
    </section>
  )
}
