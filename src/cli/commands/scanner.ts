import { Option, type Command } from 'commander'
import { MotcuaError } from '../../shared/contract/dispatch'
import { ScannerConfigSchema, type ScannerConfig } from '../../shared/contract/schemas'
import { SerialScannerWatcher } from '../../main/services/scanners/serial-scanner'
import { runUntilStopped } from '../until-stopped'

/**
 * Adds `scanner listen`: watches for a handheld scanner in serial mode as the kiosk does (same port choice,
 * baud rate fallback and framing) and prints every scan as one JSON line until Ctrl+C. Status goes to stderr.
 */
export function registerScannerCommands(program: Command, log: (line: string) => void): void {
  const scanner = program.command('scanner').description('máy quét mã cầm tay ở chế độ cổng nối tiếp (handheld scanners in serial / USB-COM mode)')
  scanner
    .command('listen')
    .description('in mỗi lần quét thành một dòng JSON (print each scan as a JSON line)')
    .option('--port <path>', 'cổng, ví dụ /dev/ttyACM0 hoặc COM3 (mặc định: tự tìm máy quét USB)')
    .option('--baud <n>', 'tốc độ baud thử trước (mặc định 9600)', Number)
    .addOption(new Option('--suffix <kind>', 'máy quét kết thúc mỗi mã bằng CR/LF (newline) hay không (none)').choices(['newline', 'none']).default('newline'))
    .action(async (options: { port?: string; baud?: number; suffix: ScannerConfig['suffix'] }) => {
      const config = ScannerConfigSchema.safeParse({ port: options.port, baudRate: options.baud, suffix: options.suffix })
      if (!config.success) throw new MotcuaError('invalidInput', config.error.issues[0]?.message ?? 'invalid scanner settings')
      const watcher = new SerialScannerWatcher({
        settings: async () => ({ scanner: config.data, reservedPaths: [] }),
        onScan: (scan) => void process.stdout.write(`${JSON.stringify(scan)}\n`),
        log,
      })
      watcher.start()
      await runUntilStopped(() => watcher.stop(), log)
    })
}
