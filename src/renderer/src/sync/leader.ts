/**
 * One engine per profile: every window of the app asks for the same Web Lock, the first runs the
 * engine, the others wait and take over when it closes or crashes (the browser frees the lock).
 */
export function runAsLeader(lockName: string, run: (signal: AbortSignal) => Promise<void>, locks: LockManager | undefined = globalThis.navigator?.locks): () => void {
  const controller = new AbortController()
  const guarded = (): Promise<void> => run(controller.signal).catch(() => undefined)
  if (locks) {
    locks.request(lockName, { signal: controller.signal }, guarded).catch(() => undefined)
  } else {
    // No Web Locks (an old webview): this window runs its own engine; the server's idempotence keeps that safe.
    void guarded()
  }
  return () => controller.abort()
}
