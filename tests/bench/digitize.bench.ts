import { readFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { createOcrEngine } from '../../src/main/services/capture/ocr/tesseract-ocr'
import { assembleArchivalPdf, type ArchivalPdfPage } from '../../src/main/services/capture/pdf/archival-pdf'
import { buildArchivalPdf, type DigitizablePage } from '../../src/main/services/capture/digitize'
import { signPdf } from '../../src/main/services/signing/pades'
import { keyFileSigner } from '../../src/main/services/signing/signer'
import { characterErrorRate, FORM_LINES, g4Page, jpegPage, renderTextPage } from '../helpers/capture-pages'
import { createTestPki } from '../helpers/signing-pki'
import { figure } from './stats'

const RESOURCES = fileURLToPath(new URL('../../resources', import.meta.url))
const OCR_PAGES = 4
const BIG_DOCUMENT_PAGES = 50
const MIB = 1024 * 1024

/** Samples the process's resident set and JS heap while `work` runs; returns the peaks above the starting point. */
async function peakMemory<T>(work: () => Promise<T>): Promise<{ result: T; rssMiB: number; heapMiB: number }> {
  const start = process.memoryUsage()
  let peakRss = start.rss
  let peakHeap = start.heapUsed
  const sample = () => {
    const now = process.memoryUsage()
    peakRss = Math.max(peakRss, now.rss)
    peakHeap = Math.max(peakHeap, now.heapUsed)
  }
  const timer = setInterval(sample, 10)
  try {
    const result = await work()
    sample()
    return { result, rssMiB: (peakRss - start.rss) / MIB, heapMiB: (peakHeap - start.heapUsed) / MIB }
  } finally {
    clearInterval(timer)
  }
}

/**
 * The archival PDF of issue #8: OCR time per page (tesseract.js, Vietnamese best_int model, one worker), what a page
 * costs in the file for each encoding, and the memory a 50-page dossier takes to assemble and sign.
 */
export async function benchDigitize(): Promise<void> {
  const grey = await renderTextPage(FORM_LINES, { dpi: 200 })
  const colour = await renderTextPage(FORM_LINES, { dpi: 200, color: true })
  const encodings: Record<string, DigitizablePage> = {
    'colour JPEG 200 dpi': await jpegPage(colour, 200),
    'grey JPEG 200 dpi': await jpegPage(grey, 200),
    'bilevel CCITT G4 200 dpi': await g4Page(grey, 200),
  }

  const initStart = performance.now()
  const engine = await createOcrEngine('vie')
  figure('OCR worker start (model load)', `${((performance.now() - initStart) / 1000).toFixed(2)} s`)
  const ocrStart = performance.now()
  let ocr
  for (let page = 0; page < OCR_PAGES; page++) ocr = await engine.recognize(grey)
  figure('OCR per A4 page, 200 dpi, 12 lines', `${((performance.now() - ocrStart) / 1000 / OCR_PAGES).toFixed(2)} s`)
  figure('OCR character error rate (clean print)', `${(characterErrorRate(FORM_LINES.join('\n'), ocr!.text) * 100).toFixed(2)} %`, '≤ 2 %')
  await engine.terminate()

  for (const [name, page] of Object.entries(encodings)) {
    const { pdf } = await buildArchivalPdf(
      Array.from({ length: 10 }, () => ({ page })),
      { resourcesDir: RESOURCES, ocr: false },
    )
    figure(`PDF bytes per page, ${name}`, `${(pdf.length / 10 / 1024).toFixed(0)} KiB`)
  }

  const pki = createTestPki('ecP256')
  try {
    const signer = keyFileSigner(pki.p12, pki.passphrase)
    const font = readFileSync(`${RESOURCES}/fonts/LiberationSerif-Regular.ttf`)
    const srgbProfile = readFileSync(`${RESOURCES}/icc/sRGB.icc`)
    const colourPage = encodings['colour JPEG 200 dpi']!
    // 50 colour pages with a full text layer each (the OCR words of one page reused: OCR time is measured above).
    const pages: ArchivalPdfPage[] = Array.from({ length: BIG_DOCUMENT_PAGES }, () => ({ ...colourPage, ocr: { widthPx: colourPage.widthPx, heightPx: colourPage.heightPx, words: ocr!.words } }))
    const started = performance.now()
    const { result, rssMiB, heapMiB } = await peakMemory(async () => {
      const { pdf, stamp } = await assembleArchivalPdf(pages, { title: 'Bench', createdAt: new Date(), creatorTool: 'bench', producer: 'bench', font, srgbProfile, stamp: 'Người số hoá: Trần Văn Bình' })
      return signPdf(Buffer.from(pdf), { signer, reason: 'bench', location: 'bench', visible: stamp! })
    })
    figure(`${BIG_DOCUMENT_PAGES}-page PDF: assemble + sign`, `${((performance.now() - started) / 1000).toFixed(2)} s`)
    figure(`${BIG_DOCUMENT_PAGES}-page PDF: size`, `${(result.length / MIB).toFixed(1)} MiB`)
    figure(`${BIG_DOCUMENT_PAGES}-page PDF: peak RSS above start`, `${rssMiB.toFixed(0)} MiB`)
    figure(`${BIG_DOCUMENT_PAGES}-page PDF: peak JS heap above start`, `${heapMiB.toFixed(0)} MiB`)
  } finally {
    pki.remove()
  }
}
