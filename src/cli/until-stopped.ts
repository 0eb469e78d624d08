/** How long a long-running command may take to close what it holds once asked to stop. */
export const SHUTDOWN_GRACE_MS = 10_000

/**
 * Keeps a long-running command (the web host, the city server, a scanner listener) up until SIGINT or SIGTERM,
 * then closes what it holds. A native handle that never lets go (a PC/SC status call blocked in pcscd, a serial
 * port) must not keep a stopped server alive: past the grace period the process exits anyway, and says why.
 */
export function runUntilStopped(close: () => Promise<unknown>, log: (line: string) => void, graceMs: number = SHUTDOWN_GRACE_MS): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      setTimeout(() => {
        log(`Still holding resources ${graceMs} ms after the stop signal: exiting anyway`)
        process.exit(process.exitCode ?? 0)
      }, graceMs).unref()
      close()
        .catch((error: unknown) => log(`Closing on stop failed: ${error instanceof Error ? error.message : String(error)}`))
        .finally(resolve)
    }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
}
