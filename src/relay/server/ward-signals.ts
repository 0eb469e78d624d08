/** Wakes the long-poll pulls of a ward when events for it commit. */
export class WardSignals {
  private readonly waiters = new Map<string, Set<() => void>>()
  private closed = false

  /**
   * Resolves on the next event for the ward, after `ms`, on `signal` or on close. Call it before
   * reading, so a commit between the read and the wait still wakes it.
   */
  waitFor(ward: string, ms: number, signal?: AbortSignal): Promise<void> {
    if (this.closed) return Promise.resolve()
    return new Promise((resolve) => {
      const set = this.waiters.get(ward) ?? new Set()
      this.waiters.set(ward, set)
      const done = (): void => {
        clearTimeout(timer)
        signal?.removeEventListener('abort', done)
        set.delete(done)
        if (set.size === 0 && this.waiters.get(ward) === set) this.waiters.delete(ward)
        resolve()
      }
      const timer = setTimeout(done, ms)
      signal?.addEventListener('abort', done, { once: true })
      set.add(done)
    })
  }

  notify(ward: string): void {
    for (const wake of [...(this.waiters.get(ward) ?? [])]) wake()
  }

  /** Server closing: every waiting pull answers now. */
  close(): void {
    this.closed = true
    for (const ward of [...this.waiters.keys()]) this.notify(ward)
  }
}
