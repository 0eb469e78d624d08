import { useEffect, useState } from 'react'
import type { CaptureMode } from '../../../shared/capture/types'
import type { DocumentScanner, ScanSource } from '../../../shared/contract/document-scanner-schemas'
import { useApp } from '../app/app-context'
import { useI18n } from '../i18n/i18n'
import { Banner } from '../ui/Banner'
import { describeError } from '../ui/error-message'
import type { PageImage } from './CapturePanel'
import { useScanSession } from './use-scan-session'

/**
 * A document scanner (eSCL on the network, SANE on Linux): the feeder's or the glass's pages come
 * one by one as events and go through the pipeline in order, with "page N of M" as they arrive.
 * `onePage`: a page scanned again in place, so a job stops after its first page. The scanner is asked for the
 * paper's `dpi` and the board's `mode` (main asks grey for black-and-white): a grey page is a third of a colour one.
 */
export function ScannerCapture({ dpi, mode, onImage, onePage }: { dpi: 200 | 300; mode: CaptureMode; onImage: (image: PageImage) => Promise<void>; onePage: boolean }) {
  const { api } = useApp()
  const { t } = useI18n()
  const [scanners, setScanners] = useState<DocumentScanner[]>()
  const [scannerId, setScannerId] = useState<string>()
  const [problem, setProblem] = useState<string>()
  const scanSession = useScanSession(onImage, onePage)
  const { job, running: scanning } = scanSession

  useEffect(() => {
    api.listDocumentScanners({}).then(
      (found) => {
        setScanners(found)
        setScannerId(found[0]?.id)
      },
      (error: unknown) => setProblem(describeError(error, t)),
    )
  }, [api, t])

  const scan = async (source: ScanSource): Promise<void> => {
    if (!scannerId) return
    setProblem(undefined)
    try {
      await scanSession.start(() => api.scanDocuments({ scannerId, source, colorMode: mode, dpi }))
    } catch (error) {
      setProblem(describeError(error, t))
    }
  }

  const scanner = scanners?.find((candidate) => candidate.id === scannerId)
  return (
    <div className="capture-scanner">
      {scanners?.length === 0 && <p className="camera-problem">{t('capture.noScanner')}</p>}
      {scanners && scanners.length > 1 && (
        <label>
          {t('capture.chooseScanner')}
          <select value={scannerId} onChange={(event) => setScannerId(event.target.value)}>
            {scanners.map((candidate) => (
              <option key={candidate.id} value={candidate.id}>
                {candidate.name}
              </option>
            ))}
          </select>
        </label>
      )}
      {scanner && (
        <div className="camera-controls">
          {scanner.capabilities.sources.includes('feeder') && (
            <button type="button" className="touch-button primary" disabled={scanning} onClick={() => void scan('feeder')}>
              {t('capture.scanFeeder')}
            </button>
          )}
          {scanner.capabilities.sources.includes('platen') && (
            <button type="button" className="touch-button" disabled={scanning} onClick={() => void scan('platen')}>
              {t('capture.scanPlaten')}
            </button>
          )}
          {job && !job.finished && (
            <button type="button" className="touch-button" onClick={scanSession.cancel}>
              {t('capture.cancelScan')}
            </button>
          )}
        </div>
      )}
      {job && scanning && (
        <p role="status">{job.received > job.processed ? t('capture.scanProgress', { page: job.processed + 1, total: job.received }) : t('capture.scanning', { pages: job.received })}</p>
      )}
      {problem && <Banner tone="error">{problem}</Banner>}
      {!problem && job?.error && job.error !== 'cancelled' && <Banner tone="error">{t('capture.scanStopped', { reason: t(`scanError.${job.error}`) })}</Banner>}
    </div>
  )
}
