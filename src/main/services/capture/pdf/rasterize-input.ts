import { execFile } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { PDFDocument } from 'pdf-lib'
import { PdfInputError } from './errors'

/**
 * A PDF given to `motcua digitize` (what many office scanners save) becomes one PNG per page, rendered by
 * poppler's pdftoppm at the archival dpi, and then goes through the same page pipeline as photos and scans.
 * Rendering rather than lifting the embedded images: it works for every page (text, vector, mixed, any image
 * filter: JBIG2, JPEG 2000, predictors), keeps the page's own crop and rotation, and gives the pipeline one
 * kind of input; lifting images would be lossless only for the one-JPEG-per-page case and wrong for the rest.
 */

const run = promisify(execFile)
const PDF_MAGIC = '%PDF-'

export function looksLikePdf(bytes: Uint8Array): boolean {
  return Buffer.from(bytes.subarray(0, 1024)).toString('latin1').includes(PDF_MAGIC)
}

async function pageCount(bytes: Uint8Array, name: string): Promise<number> {
  let doc: PDFDocument
  try {
    // pdf-lib's EncryptedPDFError is not recognisable once caught, so load anyway and read the flag.
    doc = await PDFDocument.load(bytes, { ignoreEncryption: true, updateMetadata: false })
  } catch (error) {
    throw new PdfInputError('unreadablePdf', `${name} could not be parsed as a PDF`, { cause: error })
  }
  // Even an owner-password-only PDF is refused: its author restricted it, and an electronic original is not a paper to digitize.
  if (doc.isEncrypted) throw new PdfInputError('encryptedPdf', `${name} is encrypted; give the pages as images or an unencrypted PDF`)
  return doc.getPageCount()
}

/** PNG bytes of every page of `bytes`, in order, at `dpi`. `name` is only for messages. */
export async function rasterizePdf(bytes: Uint8Array, dpi: number, name: string, maxPages: number): Promise<Buffer[]> {
  const pages = await pageCount(bytes, name)
  if (pages > maxPages) throw new PdfInputError('tooManyPages', `${name} has ${pages} pages; at most ${maxPages} go into one archival PDF`)
  const dir = await mkdtemp(join(tmpdir(), 'motcua-digitize-'))
  try {
    await writeFile(join(dir, 'input.pdf'), bytes)
    try {
      await run('pdftoppm', ['-r', String(dpi), '-png', join(dir, 'input.pdf'), join(dir, 'page')])
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new PdfInputError('rasterizerMissing', 'Reading PDF inputs needs pdftoppm from poppler (Debian/Ubuntu: apt install poppler-utils; Windows: add poppler to PATH), or give the pages as images')
      }
      throw new PdfInputError('unreadablePdf', `pdftoppm could not render ${name}: ${String((error as { stderr?: string }).stderr ?? error).trim().slice(0, 300)}`, { cause: error })
    }
    // pdftoppm numbers pages page-1.png or page-01.png..., padded to the page count's width.
    const files = (await readdir(dir)).filter((file) => /^page-\d+\.png$/.test(file)).sort((a, b) => Number(/\d+/.exec(a)![0]) - Number(/\d+/.exec(b)![0]))
    return await Promise.all(files.map((file) => readFile(join(dir, file))))
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
