import { writeFile } from 'node:fs/promises'
import { CommanderError, InvalidArgumentError, Option, type Command } from 'commander'
import { IdCardAccessKeySchema, type IdCardAccessKey, type IdCardFailure, type ReadIdCardOutput } from '../../shared/contract/idcard-schemas'
import { idCardTrustDirs } from '../../main/services'
import { createCardEmulator } from '../../main/services/idcard/emulator/card-emulator'
import { loadCardProfile } from '../../main/services/idcard/emulator/profile'
import { VPCD_DEFAULT_PORT, insertIntoVpcd, type VpcdCard } from '../../main/services/idcard/emulator/vpcd'
import { loadIdCardTrustList, readIdCardFromReader } from '../../main/services/idcard/id-card-reading'
import { PcscReaders, type PcscPresence } from '../../main/services/idcard/pcsc'
import { defaultDataDir } from '../../main/services/platform/paths'

/**
 * `idcard emulate`: the sample (or any) card profile as a card in vsmartcard's virtual reader, until Ctrl+C.
 * `idcard read`: reads the first card present on a PC/SC reader, as the kiosk does, and prints it.
 */

const FAILURE_VI: Record<IdCardFailure, string> = {
  wrongKey: 'Khoá truy cập không đúng: mã QR, MRZ hoặc số CAN không mở được thẻ này.',
  invalidKey: 'Khoá truy cập không hợp lệ: kiểm tra lại mã QR hoặc ba dòng MRZ.',
  canNotSupported: 'Thẻ này không mở được bằng số CAN; dùng --qr hoặc --mrz.',
  cardRemoved: 'Thẻ đã bị rút ra trong khi đọc.',
  readerUnplugged: 'Đầu đọc thẻ đã bị rút ra.',
  unsupportedCard: 'Thẻ không phải thẻ căn cước gắn chip hoặc không được hỗ trợ.',
  timeout: 'Thẻ không trả lời kịp thời.',
  readFailed: 'Đọc thẻ không thành công; đặt lại thẻ và thử lại.',
  noCard: 'Không có thẻ trên đầu đọc.',
  noReader: 'Không tìm thấy đầu đọc thẻ.',
  pcscUnavailable: 'Dịch vụ thẻ thông minh (pcscd) không chạy.',
  busy: 'Đầu đọc đang bận.',
  cancelled: 'Việc đọc thẻ đã bị huỷ.',
}

const SERVICE_VI: Record<PcscPresence['service'], string> = {
  starting: 'đang kết nối PC/SC',
  running: 'PC/SC đang chạy',
  noService: 'pcscd không chạy',
  noLibrary: 'không nạp được thư viện PC/SC (libpcsclite1)',
}

function describePresence({ service, readers }: PcscPresence): string {
  const list = readers.map((reader) => `${reader.name}: ${reader.cardPresent ? 'có thẻ' : 'trống'}`).join('; ')
  return `Đầu đọc: ${SERVICE_VI[service]}${list ? ` — ${list}` : ''}`
}

/** Says why in Vietnamese on stderr and exits with `exitCode` (main() prints nothing more for a CommanderError). */
function fail(exitCode: number, code: string, messageVi: string): never {
  process.stderr.write(`Lỗi: ${messageVi}\n`)
  throw new CommanderError(exitCode, `motcua.idcard.${code}`, messageVi)
}

function accessKeyOf(options: { mrz?: string; qr?: string; can?: string }): IdCardAccessKey {
  const given = [options.mrz !== undefined && { mrz: options.mrz }, options.qr !== undefined && { cccdQr: options.qr }, options.can !== undefined && { can: options.can }]
  const keys = given.filter((key): key is IdCardAccessKey => key !== false)
  if (keys.length !== 1) fail(2, 'key', 'Cần đúng một khoá truy cập: --mrz, --qr hoặc --can.')
  if (!IdCardAccessKeySchema.safeParse(keys[0]).success) fail(2, 'key', 'Khoá truy cập không hợp lệ: số CAN gồm đúng 6 chữ số, mã QR và MRZ không để trống.')
  return keys[0]!
}

function humanReading(reading: Extract<ReadIdCardOutput, { status: 'read' }>): string {
  const { dg13 } = reading
  return [
    `Họ và tên:     ${dg13.fullName}`,
    `Số định danh:  ${dg13.idNumber}`,
    `Ngày sinh:     ${dg13.dateOfBirth}`,
    `Giới tính:     ${dg13.sex}`,
    `Nơi thường trú: ${dg13.residence}`,
    `Ngày cấp:      ${dg13.issueDate}, có giá trị đến ${dg13.expiryDate ?? 'không thời hạn'}`,
    `Ảnh:           ${reading.face.mime}, ${Buffer.from(reading.face.base64, 'base64').length} byte`,
    `Xác thực thụ động: ${reading.passiveAuthentication.verdict}`,
    `Xác thực chủ động: ${reading.activeAuthentication}`,
    `${reading.apduCount} APDU, ${reading.timingMs} ms`,
  ].join('\n')
}

/** --port: a TCP port; commander prints the message after naming the option and the value. */
export function parsePort(value: string): number {
  const port = Number(value)
  if (!/^\d+$/.test(value) || port < 1 || port > 65535) throw new InvalidArgumentError('Cổng phải là số nguyên từ 1 đến 65535 (port must be an integer from 1 to 65535).')
  return port
}

// Long enough for a resident to find the card; short enough that a typo does not hang the terminal for hours.
const MAX_WAIT_SECONDS = 600

/** --wait: seconds, possibly fractional. */
export function parseWaitSeconds(value: string): number {
  const seconds = Number(value)
  if (value.trim() === '' || !Number.isFinite(seconds) || seconds <= 0 || seconds > MAX_WAIT_SECONDS) {
    throw new InvalidArgumentError(`Thời gian chờ phải là số giây lớn hơn 0 và không quá ${MAX_WAIT_SECONDS} (wait must be a number of seconds above 0, at most ${MAX_WAIT_SECONDS}).`)
  }
  return seconds
}

const untilInterrupted = (): Promise<void> =>
  new Promise((resolve) => {
    process.once('SIGINT', () => resolve())
    process.once('SIGTERM', () => resolve())
  })

export function registerIdCardCommands(program: Command, context: { resourcesDir: string; log: (line: string) => void }): void {
  const idcard = program.command('idcard').description('thẻ căn cước gắn chip (chip ID card)')

  idcard
    .command('emulate')
    .description('giả lập thẻ trong đầu đọc ảo vsmartcard (vpcd) cho đến khi nhấn Ctrl+C (emulate a card in the virtual reader)')
    .requiredOption('--profile <file>', 'hồ sơ thẻ JSON, ví dụ resources/idcard/sample-profile.json')
    .option('--port <port>', `cổng TCP của vpcd (mặc định ${VPCD_DEFAULT_PORT})`, parsePort, VPCD_DEFAULT_PORT)
    .option('--csca-out <file>', 'ghi chứng thư CSCA thử nghiệm của thẻ ra tệp PEM, để `idcard read --trust` xác thực được')
    .action(async (options: { profile: string; port: number; cscaOut?: string }) => {
      const profile = await loadCardProfile(options.profile)
      const emulator = createCardEmulator(profile)
      if (options.cscaOut) await writeFile(options.cscaOut, emulator.csca.toString())
      const say = (line: string): void => void process.stdout.write(`${line}\n`)
      say(profile.can ? `Số CAN của thẻ: ${profile.can}` : 'Hồ sơ không có số CAN: thẻ chỉ mở được bằng MRZ hoặc mã QR.')
      // Watching PC/SC also wakes a socket-activated pcscd, whose vpcd driver then starts listening.
      const readers = new PcscReaders({ log: context.log, onChange: (presence) => say(describePresence(presence)) })
      await readers.start()
      let stopping = false
      let card: VpcdCard | undefined
      let retry: NodeJS.Timeout | undefined
      const insert = (): void => {
        card = insertIntoVpcd(emulator, {
          port: options.port,
          onState: (state, detail) => {
            if (state === 'inserted') say(`Thẻ đã được đặt vào đầu đọc ảo (vpcd 127.0.0.1:${options.port}).`)
            if (state !== 'removed' || stopping) return
            say(`Chưa kết nối được vpcd ở cổng ${options.port}${detail ? ` (${detail})` : ''}; thử lại sau 1 giây.`)
            retry = setTimeout(insert, 1000)
          },
        })
      }
      insert()
      await untilInterrupted()
      stopping = true
      clearTimeout(retry)
      await card?.remove()
      readers.stop()
      say('Đã rút thẻ ảo.')
    })

  idcard
    .command('read')
    .description('đọc thẻ đầu tiên có trên đầu đọc (read the first card present)')
    .option('--reader <name>', 'tên đầu đọc (mặc định: đầu đọc đầu tiên có thẻ)')
    .option('--mrz <text>', 'ba dòng MRZ ở mặt sau thẻ, liền nhau hoặc cách bằng xuống dòng')
    .option('--qr <text>', 'nội dung mã QR trên thẻ')
    .option('--can <digits>', 'số CAN 6 chữ số in trên thẻ (mở thẻ bằng PACE)')
    .option('--trust <dir>', 'thư mục chứng thư CSCA tin cậy thêm (mặc định: thư mục idcard-trust trong thư mục dữ liệu)')
    .addOption(new Option('--wait <seconds>', 'chờ thẻ tối đa bao nhiêu giây').argParser(parseWaitSeconds).default(3))
    .option('--json', 'JSON output')
    .action(async (options: { reader?: string; mrz?: string; qr?: string; can?: string; trust?: string; wait: number; json?: boolean }) => {
      const accessKey = accessKeyOf(options)
      const [shipped, dataFolder] = idCardTrustDirs(context.resourcesDir, defaultDataDir())
      const trustList = await loadIdCardTrustList([shipped!, options.trust ?? dataFolder!], context.log)
      const readers = new PcscReaders({ log: context.log })
      await readers.start()
      try {
        const reading = await readIdCardFromReader({ readers, accessKey, readerName: options.reader, trustList, waitForCardMs: options.wait * 1000, log: context.log })
        if (reading.status === 'failed') fail(1, reading.reason, FAILURE_VI[reading.reason])
        const { mrz, dg13, passiveAuthentication, activeAuthentication, apduCount, timingMs } = reading
        const printed = { mrz, dg13, passiveAuthentication, activeAuthentication, apduCount, timingMs }
        process.stdout.write(options.json ? `${JSON.stringify(printed, null, 2)}\n` : `${humanReading(reading)}\n`)
      } finally {
        readers.stop()
      }
    })
}
