import { describe, expect, it } from 'vitest'
import { CAPTURE_REFUSALS, captureRefusalOf } from '../../../src/shared/contract/capture-schemas'
import { MotcuaError } from '../../../src/shared/contract/dispatch'
import { captureProblemKey, MissingPageError } from '../../../src/renderer/src/capture/capture-errors'
import { en, vi } from '../../../src/renderer/src/i18n/messages'

describe('what the screen says about a refused page', () => {
  it.each([
    ['unreadableImage', 'capture.unreadableImage', 'Không đọc được ảnh này'],
    ['imageTooLarge', 'capture.imageTooLarge', 'Ảnh quá lớn'],
    ['imageTooSmall', 'capture.imageTooSmall', 'Ảnh quá nhỏ'],
    ['tooManyPages', 'capture.tooManyPages', 'quá 200 trang'],
    ['unreadablePdf', 'capture.unreadablePdf', 'Không đọc được tệp PDF'],
    ['encryptedPdf', 'capture.encryptedPdf', 'mật khẩu'],
    ['pageTooLarge', 'capture.pageTooLarge', 'trang quá khổ'],
    ['tooManyPdfPages', 'capture.tooManyPdfPages', 'Tệp PDF có quá 200 trang'],
  ] as const)('%s: its own Vietnamese message', (reason, key, vietnamese) => {
    expect(captureProblemKey(new MotcuaError('invalidInput', 'the English detail', reason))).toBe(key)
    expect(vi[key]).toContain(vietnamese)
    expect(en[key]).not.toBe(vi[key])
  })

  it('has a message for every reason the contract names', () => {
    expect(new Set(CAPTURE_REFUSALS.map((reason) => captureProblemKey(new MotcuaError('invalidInput', 'x', reason)))).size).toBe(CAPTURE_REFUSALS.length)
  })

  it('says the picture cannot be read for other bad input (a file over the contract’s size), and a missing page plainly', () => {
    expect(captureProblemKey(new MotcuaError('invalidInput', 'Invalid input for processCapturedPage: imageBase64: Too big'))).toBe('capture.unreadableImage')
    expect(captureProblemKey(new MissingPageError('Page 00 is missing'))).toBe('capture.pageMissing')
    expect(vi['capture.pageMissing']).toContain('không còn trên máy này')
  })

  it('tells the clerk to import images or call the technician when this machine has no PDF renderer', () => {
    expect(captureProblemKey(new MotcuaError('unavailable', 'Reading PDF inputs needs pdftoppm', 'pdfRendererMissing'))).toBe('capture.pdfRendererMissing')
    expect(vi['capture.pdfRendererMissing']).toMatch(/tệp ảnh.*kỹ thuật viên.*poppler/)
    expect(captureProblemKey(new MotcuaError('unavailable', 'Scanner busy'))).toBeUndefined()
  })

  it('leaves other failures to the general messages', () => {
    expect(captureProblemKey(new MotcuaError('failed', 'not a refusal', 'imageTooSmall'))).toBeUndefined()
    expect(captureProblemKey(new Error('imageTooSmall: not ours'))).toBeUndefined()
  })

  it('takes only the reasons capture defines', () => {
    expect(captureRefusalOf('imageTooSmall')).toBe('imageTooSmall')
    expect(captureRefusalOf('processingFailed')).toBeUndefined()
    expect(captureRefusalOf('constructor')).toBeUndefined()
    expect(captureRefusalOf(undefined)).toBeUndefined()
  })
})
