import 'fake-indexeddb/auto'
import Dexie from 'dexie'
import { describe, expect, it } from 'vitest'
import { emptyBoard, keepBlankPage, markDrawing, movePage, pagesToArchive, paperDpi, readBoard, removePage, saveBoard, saveCapturedPage, type BoardPage, type CaptureBoard } from '../../../src/renderer/src/capture/capture-boards'
import { kindOfFile } from '../../../src/shared/capture/file-kinds'
import { getBlob, putBlob } from '../../../src/renderer/src/data/blobs'
import { MotcuaDatabase, SCHEMA_VERSIONS } from '../../../src/renderer/src/data/db'
import type { CapturedPage, CapturedPageOutput } from '../../../src/shared/contract/capture-schemas'
import type { SealedBlob } from '../../../src/shared/domain/eventlog/envelope'

let databases = 0
const freshDb = (): MotcuaDatabase => new MotcuaDatabase(`motcua-capture-test-${++databases}`)
const sealedOf = (tag: string): SealedBlob => ({ alg: 'A256GCM', kid: 'device-key', iv: 'AAAAAAAAAAAAAAAA', ct: btoa(`ciphertext of ${tag}`.padEnd(24, '.')) })
const sha = (n: number): string => n.toString(16).padStart(64, '0')
const capturedPage = (n: number, blank = false): CapturedPage => ({
  sha256: sha(n),
  bytes: 1000 + n,
  widthPx: 1654,
  heightPx: 2339,
  dpi: 200,
  encoding: 'jpeg',
  rotation: 0,
  deskewDegrees: 0,
  blank,
  quality: { score: 0.9, sharpness: 2000, glareShare: 0, warnings: [] },
})
const output = (n: number, blank = false): CapturedPageOutput => ({ page: capturedPage(n, blank), sealed: sealedOf(`page ${n}`), thumbnailBase64: 'AAAA', sealedThumbnail: sealedOf(`thumbnail ${n}`) })
const boardPage = (n: number, blank = false): BoardPage => ({ id: `page-${n}`, page: capturedPage(n, blank), sealedThumbnail: sealedOf(`thumbnail ${n}`), keepBlank: false })
const shas = (board: CaptureBoard, paperId = 'paper-1'): string[] => board.papers.find((paper) => paper.paperId === paperId)!.pages.map((page) => page.page.sha256)
const NONE: ReadonlySet<string> = new Set()

describe('the capture board (pure)', () => {
  const board: CaptureBoard = { ...emptyBoard('dossier', 2), papers: [{ paperId: 'paper-1', drawing: false, pages: [1, 2, 3].map((n) => boardPage(n)) }, { paperId: 'paper-2', drawing: false, pages: [boardPage(4, true)] }] }

  it('starts in colour with one empty list per paper', () => {
    expect(emptyBoard('dossier', 3)).toMatchObject({ mode: 'color', papers: [{ paperId: 'paper-1', pages: [] }, { paperId: 'paper-2', pages: [] }, { paperId: 'paper-3', pages: [] }] })
  })

  it('digitizes every paper at 200 dpi until the clerk marks it a map or drawing (300 dpi), one paper at a time', () => {
    expect(board.papers.map((paper) => paperDpi(board, paper.paperId))).toEqual([200, 200])
    const drawing = markDrawing(board, 'paper-2', true)
    expect([paperDpi(drawing, 'paper-1'), paperDpi(drawing, 'paper-2')]).toEqual([200, 300])
    // Its pages stay as they were captured; only what comes next is at 300 dpi.
    expect(drawing.papers[1]!.pages).toEqual(board.papers[1]!.pages)
    expect(paperDpi(markDrawing(drawing, 'paper-2', false), 'paper-2')).toBe(200)
  })

  it('reorders within a paper, and ignores moves out of range', () => {
    expect(shas(movePage(board, 'paper-1', 2, 0))).toEqual([sha(3), sha(1), sha(2)])
    expect(shas(movePage(board, 'paper-1', 0, 1))).toEqual([sha(2), sha(1), sha(3)])
    expect(shas(movePage(board, 'paper-1', 0, 3))).toEqual([sha(1), sha(2), sha(3)])
    expect(shas(movePage(board, 'paper-1', -1, 0))).toEqual([sha(1), sha(2), sha(3)])
  })

  it('deletes one page and leaves the others in order', () => {
    expect(shas(removePage(board, 'paper-1', 'page-2'))).toEqual([sha(1), sha(3)])
  })

  it('leaves a blank page out of the PDF unless the clerk keeps it; papers with no page are left out', () => {
    expect(pagesToArchive(board).map((paper) => paper.paperId)).toEqual(['paper-1'])
    const kept = keepBlankPage(board, 'paper-2', 'page-4', true)
    expect(pagesToArchive(kept).map((paper) => [paper.paperId, paper.pages.length])).toEqual([
      ['paper-1', 3],
      ['paper-2', 1],
    ])
  })
})

describe('captured pages in IndexedDB', () => {
  it('adds schema versions 2 (blobs, capture boards) and 3 (maps and drawings) after version 1, unchanged', () => {
    expect(SCHEMA_VERSIONS.map((version) => version.version)).toEqual([1, 2, 3])
    expect(SCHEMA_VERSIONS[0]!.stores).toEqual({ events: '[deviceId+seq], hlc, type', meta: 'key' })
    expect(SCHEMA_VERSIONS[1]!.stores).toEqual({ blobs: 'sha256', captureBoards: 'dossierId' })
  })

  it('keeps a paper marked as a drawing across a reload', async () => {
    const db = freshDb()
    await saveBoard(db, markDrawing(emptyBoard('dossier-1', 2), 'paper-2', true), NONE)
    db.close()
    const reopened = new MotcuaDatabase(db.name)
    expect(paperDpi((await readBoard(reopened, 'dossier-1'))!, 'paper-2')).toBe(300)
  })

  it('upgrades a board saved before version 3: its papers are text (200 dpi), its pages untouched', async () => {
    const name = `motcua-capture-test-${++databases}`
    const before = new Dexie(name)
    for (const { version, stores } of SCHEMA_VERSIONS.filter((schema) => schema.version <= 2)) before.version(version).stores(stores)
    const oldPaper = { paperId: 'paper-1', pages: [boardPage(1)] }
    await before.table('captureBoards').put({ dossierId: 'dossier-1', mode: 'gray', papers: [oldPaper, { paperId: 'paper-2', pages: [] }], updatedAt: 5 })
    before.close()

    const db = new MotcuaDatabase(name)
    const upgraded = (await readBoard(db, 'dossier-1'))!
    expect(upgraded).toEqual({ dossierId: 'dossier-1', mode: 'gray', papers: [{ ...oldPaper, drawing: false }, { paperId: 'paper-2', drawing: false, pages: [] }], updatedAt: 5 })
    expect(paperDpi(upgraded, 'paper-1')).toBe(200)
  })

  it('stores a blob once by its content address, keeping the first copy', async () => {
    const db = freshDb()
    await putBlob(db, { sha256: sha(1), mime: 'image/jpeg', size: 10, sealed: sealedOf('first') }, 1)
    await putBlob(db, { sha256: sha(1), mime: 'image/jpeg', size: 10, sealed: sealedOf('second') }, 2)
    expect(await db.blobs.count()).toBe(1)
    expect(await getBlob(db, sha(1))).toMatchObject({ sealed: sealedOf('first'), createdAt: 1 })
  })

  it('keeps a captured page and its board together, and a rescan replaces the page in place', async () => {
    const db = freshDb()
    let board = emptyBoard('dossier-1', 1)
    board = await saveCapturedPage(db, board, 'paper-1', output(1), undefined, NONE)
    board = await saveCapturedPage(db, board, 'paper-1', output(2), undefined, NONE)
    const second = board.papers[0]!.pages[1]!
    board = await saveCapturedPage(db, board, 'paper-1', output(3), board.papers[0]!.pages[0], NONE)
    expect(shas((await readBoard(db, 'dossier-1'))!)).toEqual([sha(3), sha(2)])
    expect(board.papers[0]!.pages[1]).toEqual(second)
    expect((await db.blobs.toArray()).map((blob) => [blob.sha256, blob.mime, blob.size])).toEqual([
      [sha(2), 'image/jpeg', 1002],
      [sha(3), 'image/jpeg', 1003],
    ])
  })

  it('deletes the file of a page that left the board, unless an event or another board still refers to it', async () => {
    const db = freshDb()
    let board = emptyBoard('dossier-1', 1)
    for (const n of [1, 2, 3]) board = await saveCapturedPage(db, board, 'paper-1', output(n), undefined, NONE)
    await saveCapturedPage(db, emptyBoard('dossier-2', 1), 'paper-1', output(3), undefined, NONE)
    board = await saveBoard(db, removePage(board, 'paper-1', board.papers[0]!.pages[0]!.id), new Set([sha(1)]))
    board = await saveBoard(db, removePage(board, 'paper-1', board.papers[0]!.pages[0]!.id), NONE)
    board = await saveBoard(db, removePage(board, 'paper-1', board.papers[0]!.pages[0]!.id), NONE)
    expect(shas(board)).toEqual([])
    // 1: referenced by an event; 2: gone; 3: still on dossier-2's board.
    expect((await db.blobs.toArray()).map((blob) => blob.sha256)).toEqual([sha(1), sha(3)])
  })
})

describe('imported files', () => {
  const bytes = (...values: (number | string)[]): Uint8Array => new Uint8Array(values.flatMap((value) => (typeof value === 'string' ? [...value].map((char) => char.charCodeAt(0)) : [value])))
  it.each([
    ['jpeg', bytes(0xff, 0xd8, 0xff, 0xe0)],
    ['png', bytes(0x89, 'PNG', 0x0d, 0x0a, 0x1a, 0x0a)],
    ['tiff', bytes('II', 42, 0)],
    ['tiff', bytes('MM', 0, 42)],
    ['webp', bytes('RIFF', 0, 0, 0, 0, 'WEBP')],
    ['pdf', bytes('%PDF-1.7')],
    ['pdf', bytes('junk before the header\n%PDF-1.4')],
    ['other', bytes('GIF89a')],
    ['other', bytes('hello, not an image')],
    ['other', bytes()],
  ])('tells a %s file by its first bytes', (kind, head) => {
    expect(kindOfFile(head)).toBe(kind)
  })
})
