import { useEffect, useRef, useState } from 'react'
import type { DocumentScanner, DocumentScanPage, ScanSource } from '../../../shared/contract/document-scanner-schemas'
import { useApp } from '../app/app-context'
import { useI18n } from '../i18n/i18n'
import { Banner } from '../ui/Banner'
import { describeError } from '../ui/error-message'
import type { PageImage } from './CapturePanel'

interface Job {
  readonly jobId: string
  received: number
  processed: number
  finished: boolean
}

/**
 * A document scanner (eSCL on the network, SANE on Linux): the feeder's or the glass's pages come
 * one by one as events and go through the pipeline in order, with "page N of M" as they arrive.
 */
export function ScannerCapture({ onImage }: { onImage: (image: PageImage) => Promise<void> }) {
  const { api } = useApp()
  const { t } = useI18n()
  const [scanners, setScanners] = useState<DocumentScanner[]>()
  const [scannerId, setScannerId] = useState<string>()
  const [job, setJob] = useState<Job>()
  const [problem, setProblem] = useState<string>()
  const pending = useRef<DocumentScanPage[]>([])
  const jobRef = useRef<Job | undefined>(undefined)
  const working = useRef(false)
  const onImageRef = useRef(onImage)
  onImageRef.current = onImage

  useEffect(() => {
    api.listDocumentScanners({}).then(
      (found) => {
        setScanners(found)
        setScannerId(found[0]?.id)
      },
      (error: unknown) => setProblem(describeError(error, t)),
    )
  }, [api, t])

  // Pages are taken in the order the scanner sent them, one through the pipeline at a time.
  const drain = async (): Promise<void> => {
    if (working.current) return
    working.current = true
    try {
      for (let page = pending.current.shift(); page; page = pending.current.shift()) {
        await onImageRef.current({ imageBase64: page.imageBase64, source: 'scan', dpi: page.dpi >= 300 ? 300 : 200 })
        if (jobRef.current) setJob({ ...jobRef.current, processed: ++jobRef.current.processed })
      }
    } finally {
      working.current = false
    }
  }

  useEffect(() => {
    const pages = api.onDocumentScanPage((page) => {
      if (page.jobId !== jobRef.current?.jobId) return
      jobRef.current.received++
      setJob({ ...jobRef.current })
      pending.current.push(page)
      void drain()
    })
    const finished = api.onDocumentScanFinished((end) => {
      if (end.jobId !== jobRef.current?.jobId) return
      jobRef.current.finished = true
      setJob({ ...jobRef.current })
      if (end.error && end.error !== 'cancelled') setProblem(t('capture.scanStopped', { reason: t(`scanError.${end.error}`) }))
    })
    return () => {
      pages()
      finished()
    }
  }, [api, t])

  const scan = async (source: ScanSource): Promise<void> => {
    if (!scannerId) return
    setProblem(undefined)
    try {
      const { jobId } = await api.scanDocuments({ scannerId, source, colorMode: 'color', dpi: 300 })
      jobRef.current = { jobId, received: 0, processed: 0, finished: false }
      setJob({ ...jobRef.current })
    } catch (error) {
      setProblem(describeError(error, t))
    }
  }

  const scanner = scanners?.find((candidate) => candidate.id === scannerId)
  const scanning = job !== undefined && !(job.finished && job.processed === job.received)
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
            <button type="button" className="touch-button" onClick={() => void api.cancelDocumentScan({ jobId: job.jobId })}>
              {t('capture.cancelScan')}
            </button>
          )}
        </div>
      )}
      {job && scanning && (
        <p role="status">{job.received > job.processed ? t('capture.scanProgress', { page: job.processed + 1, total: job.received }) : t('capture.scanning', { pages: job.received })}</p>
      )}
      {problem && <Banner tone="error">{problem}</Banner>}
    </div>
  )
}
