import { existsSync } from 'node:fs'
import { isAbsolute } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createOcrEngine, tesseractPaths, type OcrEngine, type OcrPage } from '../../../src/main/services/capture/ocr/tesseract-ocr'
import { characterErrorRate, FORM_LINES, renderTextPage } from '../../helpers/capture-pages'

/**
 * Vietnamese OCR with tesseract.js on clean renders of known text (Liberation Serif 13 pt, rasterised by
 * pdftoppm at 200 dpi), scored by character error rate. That the engine works with the network blocked is
 * shown by the CLI test (tests/integration/capture/digitize-cli.test.ts), which runs it under no-network.cjs.
 */

const SECOND_PAGE = ['Giấy chứng nhận quyền sử dụng đất', 'Thửa đất số 125, tờ bản đồ số 7, xã Hoà Vang', 'Diện tích: 150,5 m² (một trăm năm mươi mét vuông)'] as const

let engine: OcrEngine
let first: OcrPage
let second: OcrPage

beforeAll(async () => {
  engine = await createOcrEngine('vie')
  // One worker for both pages, as a batch uses it.
  first = await engine.recognize(await renderTextPage(FORM_LINES, { dpi: 200 }))
  second = await engine.recognize(await renderTextPage(SECOND_PAGE, { dpi: 200 }))
}, 120_000)
afterAll(() => engine.terminate())

describe('the OCR engine', () => {
  it('loads everything from local files: the worker script, the core and the Vietnamese model', () => {
    const paths = tesseractPaths('vie')
    for (const path of Object.values(paths)) {
      expect(isAbsolute(path)).toBe(true)
      expect(existsSync(path)).toBe(true)
    }
    expect(paths.langPath).toMatch(/@tesseract\.js-data[/\\]vie[/\\]4\.0\.0_best_int$/)
    expect(existsSync(`${paths.langPath}/vie.traineddata.gz`)).toBe(true)
  })

  it('reads clean Vietnamese print with a character error rate of at most 2 %', () => {
    const rate = characterErrorRate(FORM_LINES.join('\n'), first.text)
    expect(rate).toBeLessThanOrEqual(0.02)
    expect(first.text).toContain('Nguyễn Thị Ngọc Ánh')
    expect(first.text).toContain('Đà Nẵng')
    expect(first.text).toBe(first.text.normalize('NFC'))
  })

  it('reads a second page with the same worker', () => {
    expect(characterErrorRate(SECOND_PAGE.join('\n'), second.text)).toBeLessThanOrEqual(0.02)
  })

  it('gives each word its box, baseline, line height and confidence, in reading order', () => {
    const words = first.words.map((word) => word.text)
    expect(words.join(' ')).toBe(first.text.replace(/\s+/g, ' '))
    // 13 pt at 200 dpi: capitals with Vietnamese marks stand about 36 px high.
    for (const word of first.words) {
      expect(word.box.x1).toBeGreaterThan(word.box.x0)
      expect(word.box.y1).toBeGreaterThan(word.box.y0)
      expect(word.baseline).toBeGreaterThan(word.box.y0)
      // A dash sits above the baseline, so only bound it by the line.
      expect(word.baseline).toBeLessThanOrEqual(word.box.y0 + word.lineHeight)
      expect(word.lineHeight).toBeGreaterThan(20)
      expect(word.lineHeight).toBeLessThan(60)
      expect(word.confidence).toBeGreaterThan(50)
      expect(word.confidence).toBeLessThanOrEqual(100)
    }
    // The 30 mm left margin at 200 dpi is 236 px: every line starts there.
    const lineStarts = first.words.filter((word, index) => index === 0 || first.words[index - 1]!.baseline < word.baseline - 10)
    expect(lineStarts).toHaveLength(FORM_LINES.length)
    for (const word of lineStarts) expect(Math.abs(word.box.x0 - 236)).toBeLessThan(6)
  })
})
