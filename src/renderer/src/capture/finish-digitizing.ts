import { MAX_PAGES_PER_PDF } from '../../../shared/contract/capture-schemas'
import type { MotcuaApi, OperationOutput } from '../../../shared/contract/contract'
import { MotcuaError } from '../../../shared/contract/dispatch'
import type { Dossier } from '../../../shared/domain/dossier/dossiers'
import { DossierEvent, type DossierPapersDigitized } from '../../../shared/domain/dossier/events'
import { getBlob, putBlob } from '../data/blobs'
import type { EventStore } from '../data/event-store'
import { pagesToArchive, type CaptureBoard } from './capture-boards'
import { MissingPageError } from './capture-errors'

export type DigitizedPdf = OperationOutput<'buildDossierPdf'>

/**
 * "Hoàn tất số hoá": main builds and signs the dossier's PDF from the board's pages (their sealed
 * files from the blobs table), the PDF is kept as a sealed blob, and only then the log records
 * `dossier.papersDigitized`. A failure anywhere leaves the board and its pages as they were.
 */
export async function finishDigitizing(store: EventStore, api: MotcuaApi, board: CaptureBoard, dossier: Dossier, digitizerName: string | undefined): Promise<DigitizedPdf> {
  const papers = pagesToArchive(board)
  const count = papers.reduce((total, paper) => total + paper.pages.length, 0)
  // Said before the pages are opened: main would refuse the list anyway, without saying why.
  if (count > MAX_PAGES_PER_PDF) throw new MotcuaError('invalidInput', `${count} pages; one PDF takes at most ${MAX_PAGES_PER_PDF}`, 'tooManyPages')
  const pages = await Promise.all(
    papers.flatMap(({ paperId, pages: paperPages }) =>
      paperPages.map(async ({ page }) => {
        const blob = await getBlob(store.db, page.sha256)
        if (!blob) throw new MissingPageError(`Page ${page.sha256} of ${paperId} is not in the blobs table`)
        const label = dossier.papers[Number(paperId.slice('paper-'.length)) - 1]?.name
        return { sealed: blob.sealed, page, ...(label && { label }) }
      }),
    ),
  )
  const built = await api.buildDossierPdf({
    dossierCode: dossier.code,
    sequence: dossier.digitized.length + 1,
    pages,
    ocr: true,
    ...(digitizerName && { digitizerName }),
  })
  await putBlob(store.db, { sha256: built.sha256, mime: 'application/pdf', size: built.bytes, sealed: built.sealedPdf })
  const payload: DossierPapersDigitized = {
    dossierCode: dossier.code,
    pdf: { sha256: built.sha256, bytes: built.bytes, fileName: built.fileName, pages: built.pages },
    pagesByPaper: papers.map(({ paperId, pages: paperPages }) => ({ paperId, pageSha256s: paperPages.map(({ page }) => page.sha256) })),
  }
  await store.append({ type: DossierEvent.papersDigitized, v: 1, payload })
  return built
}
