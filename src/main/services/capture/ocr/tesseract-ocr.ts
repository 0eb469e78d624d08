import { dirname, join } from 'node:path'
import { createRequire } from 'node:module'
import { createWorker, OEM, PSM, type Worker } from 'tesseract.js'

/**
 * OCR for the archival PDF's text layer and for search, with tesseract.js in a Node worker thread. Everything
 * it loads comes from node_modules: the worker script, the WebAssembly core and the Vietnamese model
 * (@tesseract.js-data/vie, "4.0.0_best_int": the integer LSTM model, a third the size of "4.0.0" for the
 * same accuracy on clean prints). Nothing is fetched and nothing is cached to disk.
 */

export type OcrLanguage = 'vie'

/** Pixel box in the OCR image, origin at the top-left. */
export interface PixelBox {
  readonly x0: number
  readonly y0: number
  readonly x1: number
  readonly y1: number
}

export interface OcrWord {
  readonly text: string
  /** 0..100, tesseract's own estimate. */
  readonly confidence: number
  readonly box: PixelBox
  /** The word's baseline height in image px, from its line (straight-line fit), so all words of a line sit on it. */
  readonly baseline: number
  /** The line's box height in px: one font size per line keeps the text layer's lines even. */
  readonly lineHeight: number
}

export interface OcrPage {
  readonly words: readonly OcrWord[]
  /** Lines joined with newlines, paragraphs with blank lines, NFC. */
  readonly text: string
}

export interface OcrEngine {
  /** `image`: PNG or JPEG bytes of an upright page. */
  recognize(image: Uint8Array): Promise<OcrPage>
  terminate(): Promise<void>
}

const require = createRequire(import.meta.url)

/** Where the local copies are: resolved through Node's module lookup, so the app's own node_modules answers. */
export function tesseractPaths(language: OcrLanguage): { workerPath: string; corePath: string; langPath: string } {
  const tesseractRoot = dirname(require.resolve('tesseract.js/package.json'))
  return {
    workerPath: join(tesseractRoot, 'src', 'worker-script', 'node', 'index.js'),
    corePath: dirname(require.resolve('tesseract.js-core/package.json')),
    langPath: join(dirname(require.resolve(`@tesseract.js-data/${language}/package.json`)), '4.0.0_best_int'),
  }
}

interface TesseractLine {
  readonly words: ReadonlyArray<{ readonly text: string; readonly confidence: number; readonly bbox: PixelBox }>
  readonly text: string
  readonly bbox: PixelBox
  readonly baseline: PixelBox & { readonly has_baseline?: boolean }
}

function baselineAt(line: TesseractLine, x: number): number {
  const { x0, y0, x1, y1, has_baseline: hasBaseline } = line.baseline
  if (hasBaseline === false || x1 === x0) return line.bbox.y1
  return y0 + ((y1 - y0) * (x - x0)) / (x1 - x0)
}

/** Starts one worker for `language`; reuse it for every page of a batch and terminate it at the end. */
export async function createOcrEngine(language: OcrLanguage = 'vie'): Promise<OcrEngine> {
  const worker: Worker = await createWorker(language, OEM.LSTM_ONLY, {
    ...tesseractPaths(language),
    // The data package ships vie.traineddata.gz; the worker gunzips it in memory.
    gzip: true,
    cacheMethod: 'none',
  })
  // Pages are whole documents: let tesseract find the blocks; keep the spaces between words as printed.
  await worker.setParameters({ tessedit_pageseg_mode: PSM.AUTO, preserve_interword_spaces: '1' })
  return {
    async recognize(image) {
      const { data } = await worker.recognize(Buffer.from(image), {}, { text: true, blocks: true })
      const words: OcrWord[] = []
      const paragraphs: string[] = []
      for (const block of data.blocks ?? []) {
        for (const paragraph of block.paragraphs) {
          const lines: string[] = []
          for (const line of paragraph.lines as unknown as TesseractLine[]) {
            const lineWords = line.words.filter((word) => word.text.trim() !== '')
            if (lineWords.length === 0) continue
            lines.push(lineWords.map((word) => word.text.trim().normalize('NFC')).join(' '))
            for (const word of lineWords) {
              words.push({
                text: word.text.trim().normalize('NFC'),
                confidence: word.confidence,
                box: word.bbox,
                baseline: baselineAt(line, (word.bbox.x0 + word.bbox.x1) / 2),
                lineHeight: line.bbox.y1 - line.bbox.y0,
              })
            }
          }
          if (lines.length > 0) paragraphs.push(lines.join('\n'))
        }
      }
      return { words, text: paragraphs.join('\n\n') }
    },
    async terminate() {
      await worker.terminate()
    },
  }
}
