import { createHash } from 'node:crypto'
import { access, constants, readFile, stat, writeFile } from 'node:fs/promises'
import { basename, dirname, resolve } from 'node:path'
import { Option, type Command } from 'commander'
import { z } from 'zod'
import { MotcuaError } from '../../shared/contract/dispatch'
import { MAX_DIGITIZE_SEQUENCE, MAX_PAGES_PER_PDF } from '../../shared/contract/capture-schemas'
import { CodedError } from '../../shared/coded-error'
import { PAGE_SOURCES } from '../../shared/capture/types'
import { DossierCodeSchema } from '../../shared/domain/dossier/dossier-code'
import type { KeyFile } from '../../main/services/receipt/receipt-desk'
import type { ArchivalPage } from '../../main/services/capture/digitize'
import type { ProcessedPage } from '../../main/services/capture/page-processor'
import { openPdfPages } from '../../main/services/capture/pdf/rasterize-input'
import { kindOfFile } from '../../shared/capture/file-kinds'
import { keyFileSigner } from '../../main/services/signing/signer'

// The capture pipeline (opencv.js, sharp) and OCR load only when this command runs, so other commands start fast.
type ProcessPage = typeof import('../../main/services/capture/page-processor').processPage
const loadPipeline = () => Promise.all([import('../../main/services/capture/page-processor'), import('../../main/services/capture/digitize')])

/** `motcua digitize`: paper pages (photos, scans, scanned PDFs) into the dossier's signed archival PDF/A. */

const EXIT_CODES_HELP = `
Mã thoát (exit codes):
  0  đã ghi tệp PDF (the PDF was written)
  1  sai cú pháp lệnh, hoặc lỗi ngoài dự kiến (usage error, or an unexpected failure)
  2  đầu vào hoặc đầu ra bị từ chối: không phải ảnh, PDF mã hoá, thiếu tệp, không ghi được tệp ra, khoá ký sai
     (an input or output was refused: not an image, encrypted PDF, missing file, unwritable output, bad signing key)

Ví dụ (example):
  motcua digitize to-khai.jpg cccd-mat-truoc.jpg --dossier 000.00.12.H17-261008-0001 --ocr vie \\
    --signing-p12 can-bo.p12 --signing-pass-env MOTCUA_P12_PASS --digitizer "Trần Văn Bình"`

const DigitizeOptionsSchema = z
  .object({
    out: z.string().min(1).optional(),
    mode: z.enum(['color', 'gray', 'bw']),
    dpi: z.union([z.literal(200), z.literal(300)]),
    source: z.enum(PAGE_SOURCES),
    ocr: z.literal('vie').optional(),
    dossier: DossierCodeSchema.optional(),
    sequence: z.number().int().min(1).max(MAX_DIGITIZE_SEQUENCE),
    signingP12: z.string().min(1).optional(),
    signingPassEnv: z.string().min(1).optional(),
    digitizer: z.string().trim().min(1).max(120).optional(),
    location: z.string().trim().min(1).max(200).optional(),
    json: z.boolean().optional(),
  })
  .strict()
type DigitizeCliOptions = z.infer<typeof DigitizeOptionsSchema>

interface PageInput {
  readonly source: string
  readonly processed: ProcessedPage
}

const refuse = (message: string): MotcuaError => new MotcuaError('invalidInput', message)

/** The typed errors of the capture code (a bad page, an encrypted PDF, a key file) are refusals of the input: exit 2. */
function refuseCoded(error: unknown): never {
  if (error instanceof CodedError) throw refuse(`${error.code}: ${error.message}`)
  throw error
}

function parseOptions(raw: Record<string, unknown>): DigitizeCliOptions {
  const parsed = DigitizeOptionsSchema.safeParse(raw)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]!
  throw refuse(`Tuỳ chọn --${String(issue.path[0] ?? '')} không hợp lệ (invalid option: ${issue.message})`)
}

async function readInput(path: string): Promise<Buffer> {
  try {
    const info = await stat(path)
    if (!info.isFile()) throw refuse(`${path} không phải là tệp (not a file)`)
    return await readFile(path)
  } catch (error) {
    if (error instanceof MotcuaError) throw error
    throw refuse(`Không đọc được ${path} (cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)})`)
  }
}

/** Fails before the slow part when the PDF could not be written anyway. */
async function checkWritable(out: string): Promise<void> {
  const existing = await stat(out).catch(() => undefined)
  if (existing?.isDirectory()) throw new MotcuaError('invalidInput', `${out} là một thư mục (is a folder; give a file name)`)
  try {
    await access(existing ? out : dirname(out), constants.W_OK)
  } catch (error) {
    throw new MotcuaError('invalidInput', `Không ghi được vào ${out} (cannot write: ${(error as NodeJS.ErrnoException).code ?? String(error)})`)
  }
}

/** Every input's pages through the capture pipeline, in the order given; a PDF contributes all its pages. */
async function processInputs(inputs: readonly string[], options: DigitizeCliOptions, processPage: ProcessPage): Promise<PageInput[]> {
  const pages: PageInput[] = []
  for (const input of inputs) {
    const bytes = await readInput(input)
    const isPdf = kindOfFile(bytes) === 'pdf'
    // A PDF's pages are rendered one at a time, each processed before the next is drawn.
    const { count, images } = isPdf ? await openPdfPages(bytes, options.dpi, basename(input), MAX_PAGES_PER_PDF - pages.length).then((pdf) => ({ count: pdf.count, images: pdf.render() })) : { count: 1, images: [bytes] }
    // A rendered PDF page is already flat; a picture is whatever the user says it is.
    const source = isPdf ? 'scan' : options.source
    let index = 0
    for await (const image of images) {
      const name = count > 1 ? `${input} (trang ${++index})` : input
      try {
        pages.push({ source: name, processed: await processPage(image, { mode: options.mode, dpi: options.dpi, source }) })
      } catch (error) {
        if (error instanceof CodedError) throw refuse(`${name}: không xử lý được ảnh (${error.code}: ${error.message})`)
        throw error
      }
      if (pages.length > MAX_PAGES_PER_PDF) throw refuse(`Quá ${MAX_PAGES_PER_PDF} trang cho một tệp PDF (more than ${MAX_PAGES_PER_PDF} pages)`)
    }
  }
  return pages
}

export interface DigitizeCommandDeps {
  readonly resourcesDir: string
  /** The PKCS#12 file and its passphrase from the named environment variable (as `motcua web` takes them). */
  readonly keyFileFrom: (path: string | undefined, passEnv: string | undefined) => KeyFile | undefined
}

export function registerDigitizeCommands(program: Command, deps: DigitizeCommandDeps): void {
  program
    .command('digitize')
    .description('số hoá giấy tờ thành một tệp PDF/A-2b có lớp chữ và chữ ký số (digitize paper pages into a signed, searchable PDF/A-2b)')
    .argument('[inputs...]', 'ảnh chụp, ảnh quét (JPEG, PNG, TIFF, WebP) hoặc PDF quét, theo thứ tự trang')
    .option('--out <file>', 'tệp PDF sẽ ghi; mặc định <mã hồ sơ>.<lần>.pdf khi có --dossier')
    .addOption(new Option('--mode <mode>', 'màu: color (màu), gray (xám), bw (đen trắng, CCITT G4)').choices(['color', 'gray', 'bw']).default('color'))
    .addOption(new Option('--dpi <dpi>', 'độ phân giải (Nghị định 30/2020: tối thiểu 200)').choices(['200', '300']).default('200'))
    .addOption(new Option('--source <kind>', 'ảnh đầu vào: photo (ảnh chụp, tìm và nắn trang), scan (máy quét, đã phẳng) hoặc auto (tự nhận biết)').choices([...PAGE_SOURCES]).default('auto'))
    .addOption(new Option('--ocr <language>', 'nhận dạng chữ để tạo lớp chữ tìm kiếm được (OCR)').choices(['vie']))
    .option('--dossier <code>', 'mã hồ sơ, đặt tên tệp theo Thông tư 05/2025/TT-BNV')
    .option('--sequence <n>', 'lần số hoá của hồ sơ (1, 2, ...)', '1')
    .option('--signing-p12 <file>', 'khoá ký số của người số hoá (PKCS#12)')
    .option('--signing-pass-env <var>', 'biến môi trường chứa mật khẩu của khoá ký')
    .option('--digitizer <name>', 'tên người số hoá in ở góc trên bên trái trang 1 (mặc định: tên trong chứng thư)')
    .option('--location <place>', 'nơi số hoá ghi trong chữ ký, ví dụ tên bộ phận một cửa')
    .option('--json', 'JSON output')
    .addHelpText('after', EXIT_CODES_HELP)
    .action(async (inputs: string[], raw: Record<string, unknown>) => {
      const options = parseOptions({ ...raw, dpi: Number(raw.dpi), sequence: Number(raw.sequence) })
      if (inputs.length === 0) throw refuse('Chưa có tệp đầu vào nào: liệt kê ảnh hoặc PDF theo thứ tự trang (no input files)')
      const now = new Date()
      const [{ processPage, closePageProcessor }, { archivalFileName, buildArchivalPdf }] = await loadPipeline()
      if (options.out === undefined && options.dossier === undefined) throw refuse('Cần --out <tệp.pdf> hoặc --dossier <mã hồ sơ> để đặt tên tệp (give --out or --dossier)')
      const out = resolve(options.out ?? archivalFileName(options.dossier, options.sequence, now))
      await checkWritable(out)
      let signer
      try {
        const keyFile = deps.keyFileFrom(options.signingP12, options.signingPassEnv)
        signer = keyFile && keyFileSigner(keyFile.pkcs12, keyFile.passphrase)
      } catch (error) {
        if (error instanceof CodedError || (error as NodeJS.ErrnoException).code === 'ENOENT') throw refuse(`Không mở được khoá ký (cannot open the signing key: ${(error as Error).message})`)
        throw error
      }

      // Decree 30/2020 annex I asks for colour scans; grey and bilevel stay available for what is kept outside that rule.
      if (options.mode !== 'color') process.stderr.write(`[motcua] --mode ${options.mode}: Nghị định 30/2020 yêu cầu ảnh màu cho bản số hoá (Decree 30 asks for colour)\n`)
      const pages = await processInputs(inputs, options, processPage).catch(refuseCoded).finally(closePageProcessor)
      const progress = (done: number, total: number): void => void process.stderr.write(`[motcua] ${options.ocr ? 'OCR' : 'trang'} ${done}/${total}\n`)
      const archival: ArchivalPage[] = pages.map(({ processed }) => ({ page: processed }))
      const built = await buildArchivalPdf(archival, {
        resourcesDir: deps.resourcesDir,
        ...(options.dossier !== undefined && { dossierCode: options.dossier }),
        sequence: options.sequence,
        ocr: options.ocr !== undefined,
        ...(signer !== undefined && { signer }),
        ...(options.digitizer !== undefined && { digitizerName: options.digitizer }),
        ...(options.location !== undefined && { location: options.location }),
        now: () => now,
        onProgress: progress,
      }).catch(refuseCoded)
      try {
        await writeFile(out, built.pdf)
      } catch (error) {
        throw new MotcuaError('unavailable', `Không ghi được ${out} (cannot write: ${(error as NodeJS.ErrnoException).code ?? String(error)})`)
      }

      const summary = {
        file: out,
        fileName: basename(out),
        pages: pages.map(({ source, processed }) => ({ source, encoding: processed.encoding, widthPx: processed.widthPx, heightPx: processed.heightPx, dpi: processed.dpi, blank: processed.blank, warnings: processed.quality.warnings })),
        bytes: built.pdf.length,
        sha256: createHash('sha256').update(built.pdf).digest('hex'),
        signed: signer !== undefined,
        textChars: built.text.length,
      }
      const warnings = summary.pages.flatMap((page) => [...(page.blank ? ['blank'] : []), ...page.warnings].map((warning) => `  ${page.source}: ${warning}`))
      process.stdout.write(
        options.json
          ? `${JSON.stringify(summary, null, 2)}\n`
          : [
              `Đã ghi ${out}: ${pages.length} trang, ${summary.bytes} byte, PDF/A-2b${summary.signed ? ', đã ký số (PAdES-B-B)' : ', CHƯA ký số (not signed)'}${options.ocr ? `, lớp chữ ${summary.textChars} ký tự` : ''}.`,
              ...(warnings.length > 0 ? ['Cảnh báo chất lượng (quality warnings):', ...warnings] : []),
              '',
            ].join('\n'),
      )
    })
}
