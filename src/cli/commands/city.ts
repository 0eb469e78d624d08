import type { Command } from 'commander'
import { WardCodeSchema } from '../../shared/domain/eventlog/envelope'
import { SYNC_PROVISIONING_PREFIX, SyncProvisioningSchema } from '../../shared/sync/protocol'
import { loadEnrollmentCodes } from '../../relay/server/enrollment'
import { loadServerIdentity } from '../../relay/server/server-key'
import { startRelayServer } from '../../relay/server'
import { runUntilStopped } from '../until-stopped'

const DEFAULT_CITY_PORT = 8787
/** Read when --database-url is not given, so a password need not appear in the process list. */
const DATABASE_URL_ENV = 'MOTCUA_CITY_DATABASE_URL'

/** `motcua city serve` (the city's reference sync server) and `motcua city enroll-code` (a ward's enrolment code). */
export function registerCityCommands(program: Command, log: (line: string) => void): void {
  const city = program.command('city').description('máy chủ đồng bộ của thành phố (the city sync server)')

  city
    .command('serve')
    .description('chạy máy chủ đồng bộ: PGlite trong thư mục dữ liệu, hoặc PostgreSQL (run the sync server)')
    .requiredOption('--data <dir>', 'thư mục dữ liệu của máy chủ (server data folder)')
    .option('--port <port>', 'cổng (0: tự chọn)', Number, DEFAULT_CITY_PORT)
    .option('--host <address>', 'địa chỉ lắng nghe, ví dụ 0.0.0.0 cho mọi giao diện mạng', '127.0.0.1')
    .option('--database-url <url>', `PostgreSQL thay cho PGlite (hoặc biến môi trường ${DATABASE_URL_ENV})`)
    .action(async (options: { data: string; port: number; host: string; databaseUrl?: string }) => {
      if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) throw new Error('--port: một số từ 0 đến 65535 (a port number)')
      const databaseUrl = options.databaseUrl ?? process.env[DATABASE_URL_ENV]
      const server = await startRelayServer({ role: 'city', dataDir: options.data, databaseUrl, host: options.host, port: options.port, log })
      process.stdout.write(`Máy chủ đồng bộ đang chạy (sync server listening): ${server.url} (${server.storage.engine})\n`)
      await runUntilStopped(() => server.close(), log)
      process.stdout.write('Đã dừng (stopped).\n')
    })

  city
    .command('enroll-code')
    .description('mã đăng ký thiết bị của một phường/xã và nội dung mã QR cấu hình (a ward\'s enrolment code and provisioning QR text)')
    .requiredOption('--data <dir>', 'thư mục dữ liệu của máy chủ (server data folder)')
    .requiredOption('--ward <code>', 'mã đơn vị hành chính cấp xã (5 chữ số)')
    .option('--url <url>', 'địa chỉ máy chủ mà thiết bị dùng, ví dụ https://dongbo.danang.gov.vn (the URL devices use)')
    .option('--json', 'JSON output')
    .action(async (options: { data: string; ward: string; url?: string; json?: boolean }) => {
      const ward = WardCodeSchema.safeParse(options.ward)
      if (!ward.success) throw new Error(`--ward: mã phường/xã gồm 5 chữ số (a 5-digit ward code), không phải ${JSON.stringify(options.ward)}`)
      const enrollmentCode = (await loadEnrollmentCodes(options.data, { create: false })).codeFor(ward.data)
      // The QR pins the server's key: a device that scans it refuses any other server at that address.
      const serverKey = (await loadServerIdentity(options.data, { create: false })).kid
      let provisioning: string | undefined
      if (options.url !== undefined) {
        const parsed = SyncProvisioningSchema.safeParse({ url: options.url, role: 'city', wardCode: ward.data, enrollmentCode, serverKey })
        if (!parsed.success) throw new Error(`--url: một địa chỉ http(s) (an http or https URL), không phải ${JSON.stringify(options.url)}`)
        provisioning = SYNC_PROVISIONING_PREFIX + JSON.stringify(parsed.data)
      }
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ wardCode: ward.data, enrollmentCode, serverKey, ...(provisioning && { provisioning }) }, null, 2)}\n`)
        return
      }
      process.stdout.write(
        [
          `Phường/xã (ward):        ${ward.data}`,
          `Mã đăng ký (enrolment):  ${enrollmentCode}`,
          `Khoá máy chủ (server key): ${serverKey}`,
          provisioning ? `Mã QR cấu hình (provisioning QR text):\n${provisioning}` : 'Thêm --url để in nội dung mã QR cấu hình (add --url for the provisioning QR text).',
          '',
        ].join('\n'),
      )
    })
}
