import { describe, expect, it } from 'vitest'
import { BuildDossierPdfInputSchema, CapturedPageSchema, ProcessCapturedPageInputSchema, RotateCapturedPageInputSchema } from '../../../src/shared/contract/capture-schemas'
import { dispatch, type OperationHandlers } from '../../../src/shared/contract/dispatch'

const page = {
  sha256: 'a'.repeat(64),
  bytes: 123_456,
  widthPx: 1654,
  heightPx: 2339,
  dpi: 200,
  encoding: 'jpeg',
  rotation: 0,
  deskewDegrees: 0.4,
  blank: false,
  quality: { score: 0.9, sharpness: 2100, glareShare: 0, warnings: [] },
}
const sealed = { alg: 'A256GCM', kid: 'device-key', iv: 'AAAAAAAAAAAAAAAA', ct: 'AAAAAAAAAAAAAAAAAAAAAAAA' }
const corners = [
  { x: 10, y: 10 },
  { x: 600, y: 12 },
  { x: 610, y: 700 },
  { x: 8, y: 690 },
]
const photo = { imageBase64: '/9j/4AAQ', mode: 'color', dpi: 300, source: 'photo', corners }

describe('the capture operations reject bad input before main sees it', () => {
  it('accepts a well-formed page, photo, rotation and PDF request', () => {
    expect(CapturedPageSchema.safeParse(page).success).toBe(true)
    expect(ProcessCapturedPageInputSchema.safeParse(photo).success).toBe(true)
    expect(RotateCapturedPageInputSchema.safeParse({ sealed, page, quarterTurns: 3 }).success).toBe(true)
    expect(BuildDossierPdfInputSchema.safeParse({ dossierCode: '48.20242-261123-0001', sequence: 1, pages: [{ sealed, page, label: 'Tờ khai' }], ocr: true }).success).toBe(true)
  })

  it.each([
    ['an image that is not base64', { imageBase64: 'not base64!' }],
    ['an empty image', { imageBase64: '' }],
    ['a resolution other than 200 or 300 dpi', { dpi: 600 }],
    ['an unknown colour mode', { mode: 'sepia' }],
    ['three corners', { corners: corners.slice(0, 3) }],
    ['a corner at infinity', { corners: [...corners.slice(0, 3), { x: Number.POSITIVE_INFINITY, y: 0 }] }],
    ['an unknown field', { ocr: true }],
  ])('processCapturedPage: %s', (_name, change) => {
    expect(ProcessCapturedPageInputSchema.safeParse({ ...photo, ...change }).success).toBe(false)
  })

  it.each([
    ['no turn', 0],
    ['a full turn', 4],
    ['half a turn of 90°', 1.5],
  ])('rotateCapturedPage: %s', (_name, quarterTurns) => {
    expect(RotateCapturedPageInputSchema.safeParse({ sealed, page, quarterTurns }).success).toBe(false)
  })

  it.each([
    ['no pages', { pages: [] }],
    ['a page whose hash is not SHA-256', { pages: [{ sealed, page: { ...page, sha256: 'xyz' } }] }],
    ['a sealed page under another algorithm', { pages: [{ sealed: { ...sealed, alg: 'A128GCM' }, page }] }],
    ['sequence 0', { sequence: 0 }],
    ['a dossier code that is not one', { dossierCode: 'HS 1' }],
  ])('buildDossierPdf: %s', (_name, change) => {
    expect(BuildDossierPdfInputSchema.safeParse({ dossierCode: '48.20242-261123-0001', sequence: 1, pages: [{ sealed, page }], ocr: false, ...change }).success).toBe(false)
  })

  it('never reaches the handler with bad input, and says which field', async () => {
    let called = false
    const handlers = { processCapturedPage: async () => ((called = true), {}) } as unknown as OperationHandlers
    const result = await dispatch(handlers, 'processCapturedPage', { ...photo, dpi: 72 })
    expect(called).toBe(false)
    expect(result).toMatchObject({ ok: false, error: { code: 'invalidInput', message: expect.stringContaining('dpi') } })
  })
})
