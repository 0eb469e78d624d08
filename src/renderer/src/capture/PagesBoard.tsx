import { useLiveQuery } from 'dexie-react-hooks'
import { useEffect, useRef, useState } from 'react'
import type { CaptureMode } from '../../../shared/capture/types'
import type { DigitizeProgress } from '../../../shared/contract/capture-schemas'
import type { Dossier } from '../../../shared/domain/dossier/dossiers'
import { paperIdAt, type DossierPapersDigitized } from '../../../shared/domain/dossier/events'
import { useApp } from '../app/app-context'
import { bytesOfBase64 } from '../data/base64'
import { getBlob } from '../data/blobs'
import { formatBytes } from '../data/storage'
import { useI18n } from '../i18n/i18n'
import { Banner } from '../ui/Banner'
import { describeError } from '../ui/error-message'
import { emptyBoard, keepBlankPage, markDrawing, movePage, pagesToArchive, paperDpi, readBoard, removePage, saveBoard, saveCapturedPage, type BoardPage, type CaptureBoard } from './capture-boards'
import { MissingPageError } from './capture-errors'
import { describeCaptureError } from './describe-capture-error'
import { CapturePanel, type PageImage } from './CapturePanel'
import { finishDigitizing } from './finish-digitizing'
import { useThumbnails } from './use-thumbnails'

const MODES: readonly CaptureMode[] = ['color', 'gray', 'bw']
/** Quality warnings worth a retake; noPageFound and lowResolution are said but the page is usually fine. */
const RETAKE_WARNINGS = new Set(['blurry', 'glare', 'tooDark'])

/**
 * The dossier's papers as the clerk digitizes them: for each paper, "Chụp/Quét", whether it is a map
 * or drawing (300 dpi, else 200), and its pages as thumbnails (reorder by dragging or with the
 * buttons, rotate, delete, capture again in place; a blank page is left out unless kept), the colour
 * mode, and "Hoàn tất số hoá", which builds the signed PDF. Everything is in IndexedDB as it
 * happens, so a reload loses nothing.
 */
export function PagesBoard({ dossier, digitizerName }: { dossier: Dossier; digitizerName: string | undefined }) {
  const { api, store } = useApp()
  const { t } = useI18n()
  const { db } = store
  const stored = useLiveQuery(() => readBoard(db, dossier.dossierId), [db, dossier.dossierId])
  const latest = useRef<CaptureBoard | undefined>(undefined)
  const board = latest.current && stored && latest.current.updatedAt > stored.updatedAt ? latest.current : (stored ?? emptyBoard(dossier.dossierId, dossier.papers.length))
  latest.current = board
  const thumbnails = useThumbnails(api, board)
  const [capturing, setCapturing] = useState<{ paperId: string; replacing?: BoardPage }>()
  const [busy, setBusy] = useState(false)
  const [message, setMessage] = useState<{ tone: 'error' | 'info'; text: string }>()
  const [progress, setProgress] = useState<DigitizeProgress>()
  const dragged = useRef<{ paperId: string; index: number } | undefined>(undefined)
  const referenced = new Set(dossier.digitized.flatMap((digitized) => digitized.pagesByPaper.flatMap((paper) => paper.pageSha256s)))
  const lastPdf = dossier.digitized.at(-1)

  /** Runs one change of the board, one at a time, keeping what it saved as the latest board. */
  const change = async (work: (current: CaptureBoard) => Promise<CaptureBoard>, describe: (error: unknown) => string = (error) => describeError(error, t)): Promise<void> => {
    setBusy(true)
    try {
      latest.current = await work(latest.current ?? board)
    } catch (error) {
      setMessage({ tone: 'error', text: describe(error) })
    } finally {
      setBusy(false)
    }
  }

  const capture = async (image: PageImage): Promise<void> => {
    if (!capturing) return
    const { paperId, replacing } = capturing
    setMessage(undefined)
    await change(async (current) => {
      const output = await api.processCapturedPage({ ...image, mode: current.mode, dpi: paperDpi(current, paperId) })
      thumbnails.remember(output.page.sha256, output.thumbnailBase64)
      const saved = await saveCapturedPage(db, current, paperId, output, replacing, referenced)
      if (output.page.quality.warnings.some((warning) => RETAKE_WARNINGS.has(warning))) setMessage({ tone: 'info', text: t('capture.retakePrompt') })
      if (replacing) setCapturing(undefined)
      return saved
    }, (error) => describeCaptureError(error, t))
  }

  const rotate = (paperId: string, page: BoardPage): Promise<void> =>
    change(async (current) => {
      const blob = await getBlob(db, page.page.sha256)
      if (!blob) throw new MissingPageError(`Page ${page.page.sha256} is missing from the blobs table`)
      const output = await api.rotateCapturedPage({ sealed: blob.sealed, page: page.page, quarterTurns: 1 })
      thumbnails.remember(output.page.sha256, output.thumbnailBase64)
      return saveCapturedPage(db, current, paperId, output, page, referenced)
    }, (error) => describeCaptureError(error, t))

  const edit = (transform: (current: CaptureBoard) => CaptureBoard): Promise<void> => change((current) => saveBoard(db, transform(current), referenced))

  const finish = async (): Promise<void> => {
    setMessage(undefined)
    setBusy(true)
    const unsubscribe = api.onDigitizeProgress(setProgress)
    try {
      await finishDigitizing(store, api, latest.current ?? board, dossier, digitizerName)
    } catch (error) {
      setMessage({ tone: 'error', text: t('capture.failedKept', { reason: describeCaptureError(error, t) }) })
    } finally {
      unsubscribe()
      setProgress(undefined)
      setBusy(false)
    }
  }

  const archivable = pagesToArchive(board).reduce((count, paper) => count + paper.pages.length, 0)
  const capturingPaper = capturing && dossier.papers[board.papers.findIndex((paper) => paper.paperId === capturing.paperId)]
  // An open panel scans and renders at the board's mode and dpi: changed mid-job, pages would be processed at settings they were not scanned at.
  const settingsLocked = busy || capturing !== undefined

  return (
    <section className="pages-board" aria-label={t('capture.title', { code: dossier.code })}>
      <h3>{t('capture.title', { code: dossier.code })}</h3>
      {message && <Banner tone={message.tone}>{message.text}</Banner>}
      <fieldset className="capture-mode">
        <legend>{t('capture.mode')}</legend>
        {MODES.map((mode) => (
          <label key={mode} className="checkbox">
            <input type="radio" name={`mode-${dossier.dossierId}`} checked={board.mode === mode} disabled={settingsLocked} onChange={() => void edit((current) => ({ ...current, mode }))} />
            {t(`capture.mode.${mode}`)}
          </label>
        ))}
        <p className="hint">{t('capture.modeHint')}</p>
      </fieldset>
      <ol className="board-papers">
        {dossier.papers.map((paper, paperIndex) => {
          const paperId = paperIdAt(paperIndex)
          const boardPaper = board.papers.find((candidate) => candidate.paperId === paperId)
          const pages = boardPaper?.pages ?? []
          return (
            <li key={paperId} className="board-paper" data-testid={`paper-${paperIndex + 1}`}>
              <div className="board-paper-head">
                <strong>{paper.name}</strong> <span className="hint">{t('capture.pageCount', { count: pages.length })}</span>
                <button type="button" className="small-button" disabled={busy} onClick={() => setCapturing({ paperId })}>
                  {t('capture.captureOrScan')}
                </button>
                <label className="checkbox">
                  <input
                    type="checkbox"
                    aria-label={`${t('capture.drawing')}: ${paper.name}`}
                    checked={boardPaper?.drawing ?? false}
                    disabled={settingsLocked}
                    onChange={(event) => {
                      const drawing = event.target.checked
                      void edit((current) => markDrawing(current, paperId, drawing))
                    }}
                  />
                  {t('capture.drawing')}
                </label>
              </div>
              {pages.length === 0 && <p className="hint">{t('capture.noPages')}</p>}
              <ol className="board-pages">
                {pages.map((page, index) => {
                  const label = t('capture.pageOf', { page: index + 1, paper: paper.name })
                  return (
                    <li
                      key={page.id}
                      className={`board-page${page.page.blank && !page.keepBlank ? ' left-out' : ''}`}
                      aria-label={label}
                      data-sha256={page.page.sha256}
                      data-size={`${page.page.widthPx}x${page.page.heightPx}`}
                      draggable={!busy}
                      onDragStart={() => (dragged.current = { paperId, index })}
                      onDragOver={(event) => dragged.current?.paperId === paperId && event.preventDefault()}
                      onDrop={(event) => {
                        event.preventDefault()
                        const from = dragged.current
                        dragged.current = undefined
                        if (from && from.paperId === paperId) void edit((current) => movePage(current, paperId, from.index, index))
                      }}
                    >
                      {thumbnails.urls.has(page.page.sha256) ? <img src={thumbnails.urls.get(page.page.sha256)} alt={label} data-rotation={page.page.rotation} /> : <div className="thumbnail-placeholder" aria-hidden="true" />}
                      <span className="page-number">{index + 1}</span>
                      {page.page.quality.warnings.map((warning) => (
                        <p key={warning} className="page-warning">
                          {t(`capture.${warning}`)}
                        </p>
                      ))}
                      {page.page.blank && (
                        <label className="checkbox">
                          <input type="checkbox" checked={page.keepBlank} disabled={busy} onChange={() => void edit((current) => keepBlankPage(current, paperId, page.id, !page.keepBlank))} />
                          {page.keepBlank ? t('capture.keepBlank') : t('capture.blank')}
                        </label>
                      )}
                      <div className="page-actions" role="group" aria-label={label}>
                        <button type="button" className="small-button" disabled={busy || index === 0} aria-label={`${t('capture.moveUp')}: ${label}`} onClick={() => void edit((current) => movePage(current, paperId, index, index - 1))}>
                          ◀
                        </button>
                        <button type="button" className="small-button" disabled={busy || index === pages.length - 1} aria-label={`${t('capture.moveDown')}: ${label}`} onClick={() => void edit((current) => movePage(current, paperId, index, index + 1))}>
                          ▶
                        </button>
                        <button type="button" className="small-button" disabled={busy} aria-label={`${t('capture.rotate')}: ${label}`} onClick={() => void rotate(paperId, page)}>
                          ↻
                        </button>
                        <button type="button" className="small-button" disabled={busy} aria-label={`${t('capture.rescan')}: ${label}`} onClick={() => setCapturing({ paperId, replacing: page })}>
                          {t('capture.rescan')}
                        </button>
                        <button type="button" className="small-button" disabled={busy} aria-label={`${t('capture.delete')}: ${label}`} onClick={() => void edit((current) => removePage(current, paperId, page.id))}>
                          ✕
                        </button>
                      </div>
                    </li>
                  )
                })}
              </ol>
            </li>
          )
        })}
      </ol>
      {capturing && capturingPaper && (
        <CapturePanel paperName={capturingPaper.name} dpi={paperDpi(board, capturing.paperId)} mode={board.mode} busy={busy} onePage={capturing.replacing !== undefined} onImage={capture} onClose={() => setCapturing(undefined)} />
      )}
      {progress && (
        <p role="status" data-testid="digitize-progress">
          {t(`capture.progress.${progress.stage}`, { done: progress.done, total: progress.total })}
        </p>
      )}
      <button type="button" className="touch-button primary" disabled={busy || archivable === 0} onClick={() => void finish()}>
        {t('capture.finish')}
      </button>
      {archivable === 0 && <p className="hint">{t('capture.nothingToFinish')}</p>}
      {lastPdf && <DigitizedPdf digitized={lastPdf} />}
    </section>
  )
}

/** The dossier's current PDF: name, pages, size, and the file itself, opened by main for this screen only. */
function DigitizedPdf({ digitized }: { digitized: DossierPapersDigitized }) {
  const { api, store } = useApp()
  const { t } = useI18n()
  const [url, setUrl] = useState<string>()
  const [problem, setProblem] = useState<string>()

  useEffect(() => {
    let created: string | undefined
    let cancelled = false
    void (async () => {
      const blob = await getBlob(store.db, digitized.pdf.sha256)
      if (!blob) throw new Error(`PDF ${digitized.pdf.sha256} is not on this device`)
      const { base64 } = await api.openSealedBlob({ sealed: blob.sealed })
      if (cancelled) return
      created = URL.createObjectURL(new Blob([bytesOfBase64(base64)], { type: 'application/pdf' }))
      setUrl(created)
    })().catch((error: unknown) => !cancelled && setProblem(describeError(error, t)))
    return () => {
      cancelled = true
      if (created) URL.revokeObjectURL(created)
    }
  }, [api, store, digitized.pdf.sha256, t])

  return (
    <div className="intake-done" role="status" data-testid="digitized-pdf">
      <p>{t('capture.done', { fileName: digitized.pdf.fileName, pages: digitized.pdf.pages, size: formatBytes(digitized.pdf.bytes) })}</p>
      {url && (
        <>
          <a className="touch-button primary" href={url} download={digitized.pdf.fileName}>
            {t('capture.downloadPdf')}
          </a>
          <a className="touch-button" href={url} target="_blank" rel="noopener">
            {t('capture.openPdf')}
          </a>
        </>
      )}
      {problem && <Banner tone="error">{problem}</Banner>}
    </div>
  )
}
