import { execFile } from 'node:child_process'
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { PDFDocument } from 'pdf-lib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PROJECT_ROOT } from '../../helpers/browser-mode-host'
import { characterErrorRate, FORM_LINES, renderTextPage } from '../../helpers/capture-pages'
import { motcua } from '../../helpers/motcua-cli'
import { createTestPki, nssDatabaseTrusting, pdfsigReport, runTool, type TestPki } from '../../helpers/signing-pki'

/**
 * `motcua digitize` end to end, as a technician runs it: a scanned page as PNG and a scanner's image-only PDF
 * become one signed PDF/A with a Vietnamese text layer, with every network door of the process (and of its
 * worker threads: the page pipeline's and tesseract's) shut by tests/helpers/no-network.cjs.
 */

const NO_NETWORK = join(PROJECT_ROOT, 'tests/helpers/no-network.cjs')
const OFFLINE = { NODE_OPTIONS: `--require ${NO_NETWORK}` }
const DOSSIER_CODE = '000.00.12.H17-261008-0007'
const SECOND_PAGE = ['Bản sao Giấy khai sinh', 'Họ và tên cha: Lê Văn Hùng', 'Họ và tên mẹ: Nguyễn Thị Ngọc Ánh'] as const

let pki: TestPki
const path = (name: string) => join(pki.dir, name)

beforeAll(async () => {
  pki = createTestPki('rsa2048')
  writeFileSync(path('to-khai.png'), await renderTextPage(FORM_LINES, { dpi: 200 }))
  // What an office scanner saves: one picture per page in a PDF, nothing else.
  const scanned = await PDFDocument.create()
  const picture = await scanned.embedPng(await renderTextPage(SECOND_PAGE, { dpi: 200 }))
  scanned.addPage([595.28, 841.89]).drawImage(picture, { x: 0, y: 0, width: 595.28, height: 841.89 })
  writeFileSync(path('ban-sao.pdf'), await scanned.save())
  writeFileSync(path('notes.txt'), 'Đây không phải là ảnh.\n')
  runTool('qpdf', ['--encrypt', '', 'owner-secret', '256', '--', path('ban-sao.pdf'), path('encrypted.pdf')])
  mkdirSync(path('run'))
}, 60_000)
afterAll(() => pki.remove())

describe('the offline guard itself', () => {
  it('catches a fetch from a worker thread, so a clean run below means no network was tried', async () => {
    const script = "new (require('node:worker_threads').Worker)(\"fetch('https://cdn.jsdelivr.net/x').catch(() => {})\", { eval: true })"
    const { stderr } = await promisify(execFile)(process.execPath, ['-e', script], { env: { ...process.env, ...OFFLINE } }).catch((error: { stderr: string }) => error)
    expect(stderr).toContain('NETWORK ATTEMPT (worker thread): fetch https://cdn.jsdelivr.net/x')
  })
})

describe('motcua digitize', () => {
  it('documents its options and exit codes', async () => {
    const help = await motcua(['digitize', '--help'])
    expect(help.code).toBe(0)
    for (const option of ['--out', '--mode', '--dpi', '--ocr', '--dossier', '--sequence', '--signing-p12', '--signing-pass-env', '--digitizer', '--json']) expect(help.stdout).toContain(option)
    expect(help.stdout).toMatch(/Mã thoát \(exit codes\):\n\s+0 .*\n\s+1 .*\n\s+2 /)
  })

  it('makes the signed, searchable PDF/A named after the dossier from a PNG and a scanned PDF, with the network blocked', async () => {
    const result = await motcua(
      [
        'digitize',
        path('to-khai.png'),
        path('ban-sao.pdf'),
        '--mode',
        'gray',
        '--ocr',
        'vie',
        '--dossier',
        DOSSIER_CODE,
        '--sequence',
        '2',
        '--signing-p12',
        path('signer.p12'),
        '--signing-pass-env',
        'DIGITIZE_PASS',
        '--digitizer',
        'Trần Văn Bình',
        '--json',
      ],
      { ...OFFLINE, DIGITIZE_PASS: pki.passphrase },
      path('run'),
    )
    expect(result.stderr).not.toContain('NETWORK ATTEMPT')
    expect(result.code).toBe(0)
    const summary = JSON.parse(result.stdout) as { file: string; fileName: string; pages: Array<{ source: string; encoding: string; dpi: number }>; signed: boolean; textChars: number }
    expect(summary.fileName).toBe(`${DOSSIER_CODE}.2.pdf`)
    expect(readdirSync(path('run'))).toEqual([`${DOSSIER_CODE}.2.pdf`])
    expect(summary.pages.map((page) => [page.encoding, page.dpi])).toEqual([
      ['jpeg', 200],
      ['jpeg', 200],
    ])
    expect(summary.signed).toBe(true)
    expect(summary.textChars).toBeGreaterThan(400)

    const pdf = summary.file
    expect(runTool('qpdf', ['--check', pdf])).toContain('No syntax or stream encoding errors found')
    expect(runTool('pdfinfo', [pdf])).toMatch(/Pages:\s+2\n/)
    expect(runTool('pdffonts', [pdf])).toMatch(/[A-Z]{6}\+LiberationSerif\s+CID TrueType\s+Identity-H\s+yes yes yes/)
    const page = (number: number) => runTool('pdftotext', ['-f', String(number), '-l', String(number), pdf, '-'])
    expect(page(1).split('\n')[0]).toMatch(/^Người số hoá: Trần Văn Bình — Thời gian: \d\d\/\d\d\/\d{4} \d\d:\d\d$/)
    expect(characterErrorRate(FORM_LINES.join('\n'), page(1).split('\n').slice(1).join('\n'))).toBeLessThanOrEqual(0.02)
    expect(characterErrorRate(SECOND_PAGE.join('\n'), page(2))).toBeLessThanOrEqual(0.02)
    const report = pdfsigReport(nssDatabaseTrusting(pki.dir, pki.rootPemPath), pdf)
    expect(report).toContain('Signature Validation: Signature is Valid.')
    expect(report).toContain('Total document signed')
  }, 120_000)

  it('stores bilevel pages as CCITT G4 at the dpi asked for', async () => {
    const result = await motcua(['digitize', path('to-khai.png'), '--mode', 'bw', '--dpi', '300', '--out', path('bw.pdf')])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^Đã ghi .*bw\.pdf: 1 trang, \d+ byte, PDF\/A-2b, CHƯA ký số/)
    const [row] = runTool('pdfimages', ['-list', path('bw.pdf')]).split('\n').slice(2)
    expect(row!.trim().split(/\s+/).filter((_, index) => [5, 7, 8, 12, 13].includes(index))).toEqual(['gray', '1', 'ccitt', '300', '300'])
  }, 60_000)

  it('refuses a file that is not an image, with exit 2 and the file named', async () => {
    const result = await motcua(['digitize', path('notes.txt'), '--out', path('x.pdf')])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/^Lỗi \(invalidInput\): .*notes\.txt: không xử lý được ảnh \(unreadableImage/)
  })

  it('refuses an empty input list and a missing output name', async () => {
    const none = await motcua(['digitize', '--out', path('x.pdf')])
    expect(none.code).toBe(2)
    expect(none.stderr).toContain('Chưa có tệp đầu vào nào')
    const unnamed = await motcua(['digitize', path('to-khai.png')])
    expect(unnamed.code).toBe(2)
    expect(unnamed.stderr).toContain('Cần --out <tệp.pdf> hoặc --dossier <mã hồ sơ>')
  })

  it('refuses an output it cannot write before doing any work', async () => {
    const missingFolder = await motcua(['digitize', path('to-khai.png'), '--out', path('no-such-folder/x.pdf')])
    expect(missingFolder.code).toBe(2)
    expect(missingFolder.stderr).toMatch(/Không ghi được vào .*no-such-folder\/x\.pdf \(cannot write: ENOENT\)/)
    const folder = await motcua(['digitize', path('to-khai.png'), '--out', path('run')])
    expect(folder.code).toBe(2)
    expect(folder.stderr).toContain('là một thư mục')
  })

  it('refuses an encrypted PDF, a malformed dossier code and an unreadable input path', async () => {
    const encrypted = await motcua(['digitize', path('encrypted.pdf'), '--out', path('x.pdf')])
    expect(encrypted.code).toBe(2)
    expect(encrypted.stderr).toContain('encrypted.pdf is encrypted')
    const badCode = await motcua(['digitize', path('to-khai.png'), '--dossier', 'H17/../../x'])
    expect(badCode.code).toBe(2)
    expect(badCode.stderr).toContain('Tuỳ chọn --dossier không hợp lệ')
    const missing = await motcua(['digitize', path('nowhere.png'), '--out', path('x.pdf')])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('Không đọc được')
  })

  it('refuses a PDF page larger than any paper, and a corrupt PDF, with exit 2 before rendering', async () => {
    const map = await PDFDocument.create()
    map.addPage([14_173, 14_173]) // 5 m × 5 m
    writeFileSync(path('map.pdf'), await map.save())
    writeFileSync(path('corrupt.pdf'), '%PDF-1.7\nnot a PDF after all\n%%EOF\n')
    const huge = await motcua(['digitize', path('map.pdf'), '--dpi', '300', '--out', path('x.pdf')])
    expect(huge.code).toBe(2)
    expect(huge.stderr).toMatch(/pageTooLarge: map\.pdf page 1 is 5000 × 5000 mm/)
    const corrupt = await motcua(['digitize', path('corrupt.pdf'), '--out', path('x.pdf')])
    expect(corrupt.code).toBe(2)
    expect(corrupt.stderr).toContain('unreadablePdf: corrupt.pdf could not be parsed as a PDF')
  })

  it('says plainly that reading a PDF needs pdftoppm when it is not installed', async () => {
    const result = await motcua(['digitize', path('ban-sao.pdf'), '--out', path('x.pdf')], { PATH: path('empty-path') })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('Reading PDF inputs needs pdftoppm from poppler')
  })

  it('refuses a wrong key passphrase and a missing passphrase variable', async () => {
    const wrong = await motcua(['digitize', path('to-khai.png'), '--out', path('x.pdf'), '--signing-p12', path('signer.p12'), '--signing-pass-env', 'WRONG_PASS'], { WRONG_PASS: 'not it' })
    expect(wrong.code).toBe(2)
    expect(wrong.stderr).toContain('Không mở được khoá ký')
    const unset = await motcua(['digitize', path('to-khai.png'), '--out', path('x.pdf'), '--signing-p12', path('signer.p12'), '--signing-pass-env', 'UNSET_PASS_VARIABLE'])
    expect(unset.code).toBe(2)
    expect(unset.stderr).toContain('--signing-pass-env')
  })
})
