import sharp from 'sharp'
import { PDFDocument, PDFName, PDFNumber } from 'pdf-lib'
import { describe, expect, it } from 'vitest'
import { openPdfPages } from '../../../src/main/services/capture/pdf/rasterize-input'

/** A PDF of blank pages of the given sizes, in points. */
async function pdfOfPages(...sizes: [number, number][]): Promise<Uint8Array> {
  const doc = await PDFDocument.create()
  for (const size of sizes) doc.addPage(size)
  return doc.save({ addDefaultPage: false })
}

const A4: [number, number] = [595.28, 841.89]

async function render(bytes: Uint8Array, dpi = 200): Promise<Buffer[]> {
  const pdf = await openPdfPages(bytes, dpi, 'input.pdf', 200)
  const rendered: Buffer[] = []
  for await (const image of pdf.render()) rendered.push(image)
  return rendered
}

describe('a PDF given to digitize', () => {
  it('is rendered page by page at the dpi, in order', async () => {
    const pages = await render(await pdfOfPages(A4, [A4[1], A4[0]]))
    const sizes = await Promise.all(pages.map(async (page) => (await sharp(page).metadata()) as { width: number; height: number }))
    expect(sizes.map(({ width, height }) => [width, height])).toEqual([
      [1654, 2339],
      [2339, 1654],
    ])
  })

  it('is refused before rendering when a page is larger than the pipeline takes (a 5 m square page)', async () => {
    const huge = 5_000 / 25.4 * 72
    await expect(openPdfPages(await pdfOfPages(A4, [huge, huge]), 300, 'map.pdf', 200)).rejects.toMatchObject({ code: 'pageTooLarge', message: expect.stringMatching(/map\.pdf page 2 is 5000 × 5000 mm/) })
  })

  it('counts a page’s UserUnit in its size', async () => {
    const doc = await PDFDocument.create()
    doc.addPage(A4).node.set(PDFName.of('UserUnit'), PDFNumber.of(10))
    await expect(openPdfPages(await doc.save(), 200, 'scaled.pdf', 200)).rejects.toMatchObject({ code: 'pageTooLarge' })
  })

  it('takes an A0 plan at 200 dpi', async () => {
    await expect(openPdfPages(await pdfOfPages([2383.94, 3370.39]), 200, 'plan.pdf', 200)).resolves.toMatchObject({ count: 1 })
  })

  it('is refused when it is corrupt, has no pages, or has too many', async () => {
    await expect(render(Buffer.from('%PDF-1.7\nthis is not a PDF at all\n%%EOF\n'))).rejects.toMatchObject({ code: 'unreadablePdf' })
    await expect(render(await pdfOfPages())).rejects.toMatchObject({ code: 'unreadablePdf', message: expect.stringMatching(/no pages/) })
    await expect(openPdfPages(await pdfOfPages(A4, A4, A4), 200, 'three.pdf', 2)).rejects.toMatchObject({ code: 'tooManyPages' })
  })
})
