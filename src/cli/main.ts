import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Command, CommanderError, Option } from 'commander'
import { dispatch, MotcuaError, unwrapResult } from '../shared/contract/dispatch'
import type { OperationInput, OperationName, OperationOutput } from '../shared/contract/contract'
import { DEFAULT_PRINTER_PORT, PRINTER_KINDS, ROLES, type PrinterConfig } from '../shared/contract/schemas'
import { createServices, type Services } from '../main/services'
import type { KeyFile } from '../main/services/receipt/receipt-desk'
import { defaultDataDir } from '../main/services/platform/paths'
import { startWebHost } from '../host/web-host'
import { registerCalendarCommands } from './commands/calendar'
import { runUntilStopped } from './until-stopped'
import { registerCityCommands } from './commands/city'
import { registerDigitizeCommands } from './commands/digitize'
import { registerIdCardCommands } from './commands/idcard'
import { registerQrCommands } from './commands/qr'
import { registerScannerCommands } from './commands/scanner'
import { registerDocumentScannerCommands } from './commands/document-scanner'
import { registerReceiptCommands } from './commands/receipt'
import { registerSealCommands } from './commands/seal'

const packageRoot = fileURLToPath(new URL('../..', import.meta.url))
const resourcesDir = `${packageRoot}resources`
const appVersion = (JSON.parse(readFileSync(`${packageRoot}package.json`, 'utf8')) as { version: string }).version

const log = (line: string): void => void process.stderr.write(`[motcua] ${line}\n`)

interface CommonOptions {
  data: string
}

/** The CLI goes through the same dispatcher as IPC and HTTP, so its input is checked by the same contract. */
async function call<N extends OperationName>(services: Services, name: N, input: OperationInput<N>): Promise<OperationOutput<N>> {
  return unwrapResult(name, await dispatch(services.handlers, name, input, log))
}

function openServices(options: CommonOptions, runtime: 'cli' | 'browser' = 'cli', signingKey?: KeyFile): Promise<Services> {
  return createServices({
    dataDir: options.data,
    resourcesDir,
    appVersion,
    runtime,
    log,
    watchSerialScanners: runtime === 'browser',
    watchCardReaders: runtime === 'browser',
    // Browser mode on the ward's hub PC runs the relay for the kiosk and counters.
    runSyncHub: runtime === 'browser',
    ...(signingKey && { signingKey }),
  })
}

/** A PKCS#12 key file whose passphrase comes from an environment variable, never from the command line. */
function keyFileFrom(path: string | undefined, passEnv: string | undefined): KeyFile | undefined {
  if (path === undefined) return undefined
  if (!passEnv || process.env[passEnv] === undefined) throw new MotcuaError('invalidInput', `Set the key file's passphrase in an environment variable and name it with --signing-pass-env`)
  return { pkcs12: readFileSync(path), passphrase: process.env[passEnv]! }
}

function print(value: unknown, json: boolean, human: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`)
}

function describePrinter(printer: PrinterConfig): string {
  const where = printer.kind === 'network' ? ` ${printer.host}:${printer.port ?? DEFAULT_PRINTER_PORT}` : printer.kind === 'device' ? ` ${printer.path}` : ''
  return printer.kind === 'none' ? 'none' : `${printer.kind}${where}, ${printer.paperWidth} mm`
}

function buildProgram(): Command {
  const program = new Command('motcua')
    .description('Một Cửa Kiosk: công cụ dòng lệnh cho kỹ thuật viên (command line for technicians)')
    .version(appVersion)
    .showHelpAfterError()
  const dataOption = (): Option => new Option('--data <dir>', 'thư mục dữ liệu của thiết bị (device data folder)').default(defaultDataDir())

  const device = program.command('device').description('cấu hình thiết bị (device configuration)')
  device
    .command('info')
    .description('thông tin thiết bị (show this device)')
    .addOption(dataOption())
    .option('--json', 'JSON output')
    .action(async (options: CommonOptions & { json?: boolean }) => {
      const info = await call(await openServices(options), 'getDeviceInfo', {})
      print(info, options.json === true, () =>
        [
          `Thiết bị:   ${info.config.deviceId}`,
          `Đơn vị:     ${info.ward.fullName} (${info.ward.code})`,
          `Vai trò:    ${info.config.roles.join(', ')}`,
          `Quầy:       ${info.config.counterNumber} / ${info.config.counterCount}`,
          `Kết nối:    ${info.config.topology}`,
          `Máy in:     ${describePrinter(info.config.printer)}`,
          `Phiên bản:  ${info.appVersion}`,
        ].join('\n'),
      )
    })
  device
    .command('set')
    .description('đổi cấu hình (change the configuration)')
    .addOption(dataOption())
    .option('--ward <code>', 'mã đơn vị hành chính cấp xã (5 chữ số)')
    .option('--roles <list>', `vai trò, phân cách bằng dấu phẩy: ${ROLES.join(',')}`)
    .option('--counter <n>', 'số quầy của máy này', Number)
    .option('--counters <n>', 'số quầy của đơn vị', Number)
    .option('--ticket-block <i/n>', 'khối số thứ tự của máy phát số: i trên n (0/1)')
    .option('--language <vi|en>', 'ngôn ngữ mặc định')
    .option('--printer <kind>', `máy in phiếu: ${PRINTER_KINDS.join(', ')}`)
    .option('--printer-host <host>', 'tên hoặc địa chỉ IP của máy in mạng')
    .option('--printer-port <port>', `cổng của máy in mạng (mặc định ${DEFAULT_PRINTER_PORT})`, Number)
    .option('--printer-path <path>', 'đường dẫn thiết bị máy in, ví dụ /dev/usb/lp0 hoặc \\\\.\\COM3')
    .option('--paper-width <mm>', 'khổ giấy: 58 hoặc 80', Number)
    .option('--scanner-port <path>', 'cổng của máy quét ở chế độ USB-COM, ví dụ /dev/ttyACM0 hoặc COM3 (mặc định: tự tìm)')
    .option('--scanner-baud <n>', 'tốc độ baud của máy quét (mặc định: tự dò)', Number)
    .option('--json', 'JSON output')
    .action(async (options: CommonOptions & Record<string, string | number | boolean | undefined>) => {
      const patch: Record<string, unknown> = {}
      if (options.ward !== undefined) patch.wardCode = options.ward
      if (typeof options.roles === 'string') patch.roles = options.roles.split(',').map((role) => role.trim())
      if (options.counter !== undefined) patch.counterNumber = options.counter
      if (options.counters !== undefined) patch.counterCount = options.counters
      if (typeof options.ticketBlock === 'string') {
        const [index, count] = options.ticketBlock.split('/').map(Number)
        patch.ticketBlock = { index, count }
      }
      if (options.language !== undefined) patch.language = options.language
      const services = await openServices(options)
      const printerChange = Object.fromEntries(
        Object.entries({ kind: options.printer, host: options.printerHost, port: options.printerPort, path: options.printerPath, paperWidth: options.paperWidth }).filter(([, value]) => value !== undefined),
      )
      const scannerChange = Object.fromEntries(Object.entries({ port: options.scannerPort, baudRate: options.scannerBaud }).filter(([, value]) => value !== undefined))
      // One printer or scanner option changes that field only: the rest of its settings stay.
      if (Object.keys(printerChange).length + Object.keys(scannerChange).length > 0) {
        const current = (await call(services, 'getDeviceInfo', {})).config
        if (Object.keys(printerChange).length > 0) patch.printer = { ...current.printer, ...printerChange }
        if (Object.keys(scannerChange).length > 0) patch.scanner = { ...current.scanner, ...scannerChange }
      }
      const info = await call(services, 'updateDeviceConfig', patch as OperationInput<'updateDeviceConfig'>)
      print(info, options.json === true, () => `Đã lưu cấu hình cho ${info.ward.fullName}.`)
    })

  program
    .command('services')
    .description('danh mục dịch vụ lấy số (queue services)')
    .command('list')
    .addOption(dataOption())
    .option('--json', 'JSON output')
    .action(async (options: CommonOptions & { json?: boolean }) => {
      const catalog = await call(await openServices(options), 'getQueueSetup', {})
      print(catalog, options.json === true, () =>
        catalog.services.map((service) => `${service.prefix}  ${service.name}`).join('\n') + (catalog.sample ? '\n(danh mục mẫu / sample catalogue)' : ''),
      )
    })

  program
    .command('wards')
    .description('đơn vị hành chính cấp xã của Đà Nẵng (communes and wards)')
    .command('list')
    .addOption(dataOption())
    .option('--json', 'JSON output')
    .action(async (options: CommonOptions & { json?: boolean }) => {
      const wards = await call(await openServices(options), 'listWards', {})
      print(wards, options.json === true, () => wards.map((ward) => `${ward.code}  ${ward.fullName}`).join('\n'))
    })

  program
    .command('web')
    .description('chế độ trình duyệt: phục vụ ứng dụng trên 127.0.0.1 (browser mode on loopback)')
    .addOption(dataOption())
    .option('--port <port>', 'cổng (0: tự chọn)', Number, 5174)
    .option('--renderer <dir>', 'thư mục giao diện đã build', `${packageRoot}out/renderer`)
    .option('--signing-p12 <file>', 'khoá ký giấy tiếp nhận (PKCS#12) của bộ phận một cửa')
    .option('--signing-pass-env <var>', 'biến môi trường chứa mật khẩu của khoá ký')
    .action(async (options: CommonOptions & { port: number; renderer: string; signingP12?: string; signingPassEnv?: string }) => {
      const services = await openServices(options, 'browser', keyFileFrom(options.signingP12, options.signingPassEnv))
      const host = await startWebHost({ services, rendererDir: options.renderer, port: options.port, log })
      process.stdout.write(
        [
          `Một Cửa Kiosk đang chạy ở chế độ trình duyệt (browser mode): ${host.origin}`,
          `Ki-ốt:         ${host.openUrl('kiosk')}`,
          `Quầy:          ${host.openUrl('counter')}`,
          `Màn hình gọi:  ${host.openUrl('display')}`,
          `Kỹ thuật viên: ${host.openUrl('technician')}`,
          '',
        ].join('\n'),
      )
      await runUntilStopped(() => Promise.all([host.close(), services.close()]), log)
    })
  registerCalendarCommands(program)
  registerCityCommands(program, log)
  registerIdCardCommands(program, { resourcesDir, log })
  registerQrCommands(program)
  registerScannerCommands(program, log)
  registerDocumentScannerCommands(program, log)
  registerSealCommands(program)
  registerReceiptCommands(program, resourcesDir)
  registerDigitizeCommands(program, { resourcesDir, keyFileFrom })
  return program
}

export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram().exitOverride()
  try {
    await program.parseAsync([...argv])
    return 0
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode
    if (error instanceof MotcuaError) {
      process.stderr.write(`Lỗi (${error.code}): ${error.message}\n`)
      return 2
    }
    process.stderr.write(`Lỗi: ${error instanceof Error ? error.message : String(error)}\n`)
    return 1
  }
}
