import type { CapturedPage, CapturedPageOutput } from '../../../shared/contract/capture-schemas'
import type { CaptureMode } from '../../../shared/capture/types'
import type { SealedBlob } from '../../../shared/domain/eventlog/envelope'
import { paperIdAt } from '../../../shared/domain/dossier/events'
import { deleteBlobsNotNeeded, putBlob, type BlobMime } from '../data/blobs'
import type { MotcuaDatabase } from '../data/db'

/** One captured page on the board: its description, and its thumbnail sealed (the page's bytes are a blob, by sha256). */
export interface BoardPage {
  /** Stable across rotations and rescans, for the screen's keys and focus. */
  readonly id: string
  readonly page: CapturedPage
  readonly sealedThumbnail: SealedBlob
  /** A blank page goes into the PDF only when the clerk keeps it. */
  readonly keepBlank: boolean
}

export interface BoardPaper {
  readonly paperId: string
  /** A map or a drawing: Decree 30/2020 asks for 300 dpi where other papers take 200. */
  readonly drawing: boolean
  readonly pages: readonly BoardPage[]
}

/** A dossier's captured pages, per paper and in order: what "Hoàn tất số hoá" turns into the PDF. */
export interface CaptureBoard {
  readonly dossierId: string
  readonly mode: CaptureMode
  readonly papers: readonly BoardPaper[]
  readonly updatedAt: number
}

/** Decree 30/2020 asks for colour scans of records; the clerk may choose grey or black and white per dossier. */
export const DEFAULT_CAPTURE_MODE: CaptureMode = 'color'

export function emptyBoard(dossierId: string, paperCount: number): CaptureBoard {
  return { dossierId, mode: DEFAULT_CAPTURE_MODE, papers: Array.from({ length: paperCount }, (_paper, index) => ({ paperId: paperIdAt(index), drawing: false, pages: [] })), updatedAt: 0 }
}

/** The dpi every source digitizes the paper at (Decree 30/2020): 300 for a map or a drawing, else 200. */
export function paperDpi(board: CaptureBoard, paperId: string): 200 | 300 {
  return board.papers.find((paper) => paper.paperId === paperId)?.drawing ? 300 : 200
}

/** Marks a paper as a map or drawing, or not; pages already captured keep the dpi they were made at. */
export function markDrawing(board: CaptureBoard, paperId: string, drawing: boolean): CaptureBoard {
  return { ...board, papers: board.papers.map((paper) => (paper.paperId === paperId ? { ...paper, drawing } : paper)) }
}

function withPages(board: CaptureBoard, paperId: string, change: (pages: readonly BoardPage[]) => readonly BoardPage[]): CaptureBoard {
  return { ...board, papers: board.papers.map((paper) => (paper.paperId === paperId ? { ...paper, pages: change(paper.pages) } : paper)) }
}

/** Adds a captured page at the end of a paper, or in place of the page being rescanned or rotated. */
export function placePage(board: CaptureBoard, paperId: string, page: BoardPage, replacing?: string): CaptureBoard {
  return withPages(board, paperId, (pages) => (replacing !== undefined && pages.some((candidate) => candidate.id === replacing) ? pages.map((candidate) => (candidate.id === replacing ? page : candidate)) : [...pages, page]))
}

export function movePage(board: CaptureBoard, paperId: string, from: number, to: number): CaptureBoard {
  return withPages(board, paperId, (pages) => {
    if (from < 0 || from >= pages.length || to < 0 || to >= pages.length || from === to) return pages
    const reordered = [...pages]
    const [moved] = reordered.splice(from, 1)
    reordered.splice(to, 0, moved!)
    return reordered
  })
}

export function removePage(board: CaptureBoard, paperId: string, pageId: string): CaptureBoard {
  return withPages(board, paperId, (pages) => pages.filter((page) => page.id !== pageId))
}

export function keepBlankPage(board: CaptureBoard, paperId: string, pageId: string, keep: boolean): CaptureBoard {
  return withPages(board, paperId, (pages) => pages.map((page) => (page.id === pageId ? { ...page, keepBlank: keep } : page)))
}

/** The pages that go into the PDF, per paper: blank ones only if kept; papers without pages left out. */
export function pagesToArchive(board: CaptureBoard): { paperId: string; pages: BoardPage[] }[] {
  return board.papers.map((paper) => ({ paperId: paper.paperId, pages: paper.pages.filter((page) => !page.page.blank || page.keepBlank) })).filter((paper) => paper.pages.length > 0)
}

export function mimeOfPage(page: CapturedPage): BlobMime {
  return page.encoding === 'jpeg' ? 'image/jpeg' : 'image/x-ccitt-g4'
}

export function readBoard(db: MotcuaDatabase, dossierId: string): Promise<CaptureBoard | undefined> {
  return db.captureBoards.get(dossierId)
}

/**
 * Keeps a processed page: its sealed bytes in the blobs table, then the board that shows it, in one
 * transaction, so a reload finds either both or neither.
 */
export async function saveCapturedPage(
  db: MotcuaDatabase,
  board: CaptureBoard,
  paperId: string,
  captured: CapturedPageOutput,
  replacing: BoardPage | undefined,
  referencedElsewhere: ReadonlySet<string>,
): Promise<CaptureBoard> {
  const page: BoardPage = { id: replacing?.id ?? crypto.randomUUID(), page: captured.page, sealedThumbnail: captured.sealedThumbnail, keepBlank: replacing?.keepBlank ?? false }
  return db.transaction('rw', db.blobs, db.captureBoards, async () => {
    await putBlob(db, { sha256: captured.page.sha256, mime: mimeOfPage(captured.page), size: captured.page.bytes, sealed: captured.sealed })
    return saveBoard(db, placePage(board, paperId, page, replacing?.id), referencedElsewhere)
  })
}

/**
 * Records the board as the clerk left it. The files of pages that left it (deleted, rotated,
 * rescanned) go too, unless another board or an event (`referencedElsewhere`) still needs them.
 */
export async function saveBoard(db: MotcuaDatabase, board: CaptureBoard, referencedElsewhere: ReadonlySet<string>): Promise<CaptureBoard> {
  const saved = { ...board, updatedAt: Date.now() }
  return db.transaction('rw', db.blobs, db.captureBoards, async () => {
    const before = await db.captureBoards.get(board.dossierId)
    await db.captureBoards.put(saved)
    const kept = new Set(shaOfPages(saved))
    const dropped = (before ? shaOfPages(before) : []).filter((sha256) => !kept.has(sha256))
    if (dropped.length === 0) return saved
    const onBoards = (await db.captureBoards.toArray()).flatMap(shaOfPages)
    await deleteBlobsNotNeeded(db, dropped, new Set([...onBoards, ...referencedElsewhere]))
    return saved
  })
}

function shaOfPages(board: CaptureBoard): string[] {
  return board.papers.flatMap((paper) => paper.pages.map((page) => page.page.sha256))
}
