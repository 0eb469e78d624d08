import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { PDFDocument, PDFName, PDFNumber } from 'pdf-lib'
import { MAX_INPUT_PIXELS } from '../../../../shared/capture/geometry'
import { PdfInputError } from './errors'

/**
 * A PDF given to `motcua digitize` or imported at the counter (what many office scanners save) becomes one PNG per page, rendered by
 * poppler's pdftoppm at the archival dpi, and then goes through the same page pipeline as photos and scans.
 * Rendering rather than lifting the embedded images: it works for every page (text, vector, mixed, any image
 * filter: JBIG2, JPEG 2000, predictors), keeps the page's own crop and rotation, and gives the pipeline one
 * kind of input; lifting images would be lossless only for the one-JPEG-per-page case and wrong for the rest.
 */

const run = promisify(execFile)
/** One page at 300 dpi renders in a few seconds; a page still rendering after this is a trap (or a broken file). */
const PAGE_RENDER_TIMEOUT_MS = 60_000
const POINTS_PER_INCH = 72

export interface PdfPages {
  readonly count: number
  /** PNG bytes of each page in order, rendered one at a time as they are asked for; `signal` stops pdftoppm mid-page. */
  render(signal?: AbortSignal): AsyncIterable<Buffer>
}

const rasterizerMissing = (): PdfInputError =>
  new PdfInputError('rasterizerMissing', 'Reading PDF inputs needs pdftoppm from poppler (Debian/Ubuntu: apt install poppler-utils; Windows: add poppler to PATH), or give the pages as images')

/**
 * A PDF's pages at `dpi`, once the whole file has been checked: parseable, not encrypted, at most `maxPages`
 * pages, and no page larger than the page pipeline takes (MAX_INPUT_PIXELS at this dpi: A1 at 300 dpi, A0 at
 * 200 dpi). The size is checked before rendering because pdftoppm would write a 5 m × 5 m page, gigabytes of
 * PNG, to the disk before anything could refuse it. `name` is only for messages.
 */
export async function openPdfPages(bytes: Uint8Array, dpi: number, name: string, maxPages: number): Promise<PdfPages> {
  const unreadable = (error: unknown): PdfInputError => new PdfInputError('unreadablePdf', `${name} could not be parsed as a PDF`, { cause: error })
  let doc: PDFDocument
  try {
    // pdf-lib's EncryptedPDFError is not recognisable once caught, so load anyway and read the flag.
    doc = await PDFDocument.load(bytes, { ignoreEncryption: true, updateMetadata: false })
  } catch (error) {
    throw unreadable(error)
  }
  // Even an owner-password-only PDF is refused: its author restricted it, and an electronic original is not a paper to digitize.
  if (doc.isEncrypted) throw new PdfInputError('encryptedPdf', `${name} is encrypted; give the pages as images or an unencrypted PDF`)
  let sizes: { width: number; height: number }[]
  try {
    // pdf-lib loads leniently: a file without a page tree only fails here.
    sizes = doc.getPages().map((page) => {
      const userUnit = page.node.lookupMaybe(PDFName.of('UserUnit'), PDFNumber)?.asNumber() ?? 1
      const { width, height } = page.getMediaBox()
      return { width: Math.abs(width * userUnit), height: Math.abs(height * userUnit) }
    })
  } catch (error) {
    throw unreadable(error)
  }
  const count = sizes.length
  if (count === 0) throw new PdfInputError('unreadablePdf', `${name} has no pages`)
  if (count > maxPages) throw new PdfInputError('tooManyPages', `${name} has ${count} pages; at most ${maxPages} go into one archival PDF`)
  sizes.forEach(({ width, height }, index) => {
    const pixels = (width / POINTS_PER_INCH) * dpi * ((height / POINTS_PER_INCH) * dpi)
    if (!(pixels <= MAX_INPUT_PIXELS)) {
      const mm = (points: number): number => Math.round((points / POINTS_PER_INCH) * 25.4)
      throw new PdfInputError('pageTooLarge', `${name} page ${index + 1} is ${mm(width)} × ${mm(height)} mm; at ${dpi} dpi that is more than ${MAX_INPUT_PIXELS} pixels`)
    }
  })
  await requirePdftoppm()
  return { count, render: (signal) => renderPages(bytes, dpi, name, count, signal) }
}

/** Looked for before any page is asked for, so that a machine without poppler says so at once, not pages later. */
async function requirePdftoppm(): Promise<void> {
  try {
    await run('pdftoppm', ['-v'], { timeout: PAGE_RENDER_TIMEOUT_MS })
  } catch (error) {
    // Only a missing program matters here; a pdftoppm that answers oddly still gets its chance at the pages.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw rasterizerMissing()
  }
}

async function* renderPages(bytes: Uint8Array, dpi: number, name: string, count: number, signal: AbortSignal | undefined): AsyncGenerator<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'motcua-digitize-'))
  try {
    const input = join(dir, 'input.pdf')
    await writeFile(input, bytes)
    for (let page = 1; page <= count; page++) {
      signal?.throwIfAborted()
      const output = join(dir, 'page')
      try {
        await run('pdftoppm', ['-r', String(dpi), '-png', '-f', String(page), '-l', String(page), '-singlefile', input, output], { timeout: PAGE_RENDER_TIMEOUT_MS, killSignal: 'SIGKILL', ...(signal && { signal }) })
      } catch (error) {
        if (signal?.aborted) throw error
        const failure = error as NodeJS.ErrnoException & { killed?: boolean; stderr?: string }
        if (failure.code === 'ENOENT') throw rasterizerMissing()
        if (failure.killed) throw new PdfInputError('unreadablePdf', `pdftoppm took more than ${PAGE_RENDER_TIMEOUT_MS} ms over ${name} page ${page}`, { cause: error })
        throw new PdfInputError('unreadablePdf', `pdftoppm could not render ${name} page ${page}: ${String(failure.stderr ?? error).trim().slice(0, 300)}`, { cause: error })
      }
      const png = await readFile(`${output}.png`)
      await rm(`${output}.png`)
      yield png
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
