import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Option, type Command } from 'commander'
import { dispatch, MotcuaError, unwrapResult, type OperationHandlers } from '../../shared/contract/dispatch'
import type { OperationInput, OperationName, OperationOutput } from '../../shared/contract/contract'
import { SCAN_SOURCES, type DocumentScanFinished, type DocumentScanPage } from '../../shared/contract/document-scanner-schemas'
import { createDocumentScannerDesk } from '../../main/services/capture/scanners/document-scanner-desk'
import { defaultDataDir } from '../../main/services/platform/paths'

/**
 * Adds `docscan`: the technician's view of document scanners, through the same operations (and input
 * checks) as the clerk's screen: list them, add a network scanner by address, and scan a test page to files.
 */
export function registerDocumentScannerCommands(program: Command, log: (line: string) => void): void {
  const command = program.command('docscan').description('máy quét tài liệu: eSCL (AirScan) qua mạng, SANE trên Linux (document scanners)')
  const dataOption = (): Option => new Option('--data <dir>', 'thư mục dữ liệu của thiết bị (device data folder)').default(defaultDataDir())

  interface Opened {
    call<N extends OperationName>(name: N, input: OperationInput<N>): Promise<OperationOutput<N>>
    close(): void
  }
  const open = (dataDir: string, events: { page?: (page: DocumentScanPage) => void; finished?: (finished: DocumentScanFinished) => void } = {}): Opened => {
    const desk = createDocumentScannerDesk({ dataDir, log, events: { page: (page) => events.page?.(page), finished: (finished) => events.finished?.(finished) } })
    return {
      call: async (name, input) => unwrapResult(name, await dispatch(desk.handlers as unknown as OperationHandlers, name, input, log)),
      close: desk.close,
    }
  }
  const printJson = (value: unknown): void => void process.stdout.write(`${JSON.stringify(value, null, 2)}\n`)

  command
    .command('list')
    .description('các máy quét đang trả lời (scanners that answer now), JSON')
    .addOption(dataOption())
    .action(async (options: { data: string }) => printJson(await open(options.data).call('listDocumentScanners', {})))

  command
    .command('sources')
    .description('eSCL, SANE, WIA có dùng được không; máy quét đã thêm mà không trả lời (what can be reached), JSON')
    .addOption(dataOption())
    .action(async (options: { data: string }) => printJson(await open(options.data).call('getDocumentScannerSources', {})))

  command
    .command('add <address>')
    .description('thêm máy quét mạng theo địa chỉ, ví dụ http://192.168.1.20/eSCL (add a network scanner)')
    .addOption(dataOption())
    .action(async (address: string, options: { data: string }) => printJson(await open(options.data).call('addDocumentScanner', { address })))

  command
    .command('remove <scannerId>')
    .description('bỏ máy quét mạng đã thêm (forget a network scanner)')
    .addOption(dataOption())
    .action(async (scannerId: string, options: { data: string }) => printJson(await open(options.data).call('removeDocumentScanner', { scannerId })))

  command
    .command('scan <scannerId>')
    .description('quét thử, ghi từng trang vào thư mục (scan to files; one JSON line per page)')
    .addOption(dataOption())
    .addOption(new Option('--source <source>', 'khay (source)').choices(SCAN_SOURCES).default('platen'))
    .addOption(new Option('--mode <mode>', 'màu (colour mode)').choices(['color', 'gray', 'bw']).default('color'))
    .option('--dpi <n>', 'độ phân giải (resolution)', Number, 300)
    .requiredOption('--out <dir>', 'thư mục ghi trang (folder for the pages)')
    .action(async (scannerId: string, options: { data: string; source: (typeof SCAN_SOURCES)[number]; mode: 'color' | 'gray' | 'bw'; dpi: number; out: string }) => {
      mkdirSync(options.out, { recursive: true })
      let resolveFinished: (finished: DocumentScanFinished) => void = () => undefined
      const finished = new Promise<DocumentScanFinished>((resolve) => (resolveFinished = resolve))
      const desk = open(options.data, {
        page: (page) => {
          const file = join(options.out, `page-${page.index + 1}.${page.mime === 'image/png' ? 'png' : 'jpg'}`)
          writeFileSync(file, Buffer.from(page.imageBase64, 'base64'))
          process.stdout.write(`${JSON.stringify({ page: page.index + 1, file, dpi: page.dpi })}\n`)
          // Written: the scanner may send the next one.
          void desk.call('acknowledgeScanPage', { jobId: page.jobId, index: page.index })
        },
        finished: resolveFinished,
      })
      const { jobId } = await desk.call('scanDocuments', { scannerId, source: options.source, colorMode: options.mode, dpi: options.dpi })
      const stop = (): void => void desk.call('cancelDocumentScan', { jobId })
      process.once('SIGINT', stop)
      const result = await finished
      process.off('SIGINT', stop)
      process.stdout.write(`${JSON.stringify(result)}\n`)
      if (result.error) throw new MotcuaError('unavailable', `The scan ended early: ${result.error}`)
    })
}
