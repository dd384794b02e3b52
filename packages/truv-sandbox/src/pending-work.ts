/**
 * Tracks the sandbox's scheduled work (task completions, webhook deliveries, Truv requests in
 * flight) so that tests can `await sandbox.idle()` instead of sleeping, and `close()` can cancel
 * what is left.
 */

export class PendingWork {
  private pending = 0
  private readonly timers = new Set<NodeJS.Timeout>()
  private waiters: Array<() => void> = []
  private closed = false

  /** Runs `work` after `delayMs` real milliseconds; counted as pending until it settles. */
  schedule(delayMs: number, work: () => void | Promise<void>): void {
    if (this.closed) return
    this.pending += 1
    const timer = setTimeout(() => {
      this.timers.delete(timer)
      Promise.resolve()
        .then(work)
        .catch(() => undefined)
        .finally(() => this.done())
    }, delayMs)
    this.timers.add(timer)
  }

  /**
   * Counts work that is not a timer (a Truv request inside injected latency or being answered)
   * as pending until the returned function is called; calling it again does nothing.
   */
  hold(): () => void {
    this.pending += 1
    let released = false
    return () => {
      if (released) return
      released = true
      this.done()
    }
  }

  /** Resolves when nothing is scheduled or running (work scheduled by work is waited for too). */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve()
    return new Promise((resolve) => this.waiters.push(resolve))
  }

  get size(): number {
    return this.pending
  }

  close(): void {
    this.closed = true
    for (const timer of this.timers) clearTimeout(timer)
    this.pending -= this.timers.size
    this.timers.clear()
    if (this.pending <= 0) this.flush()
  }

  private done(): void {
    this.pending -= 1
    if (this.pending === 0) this.flush()
  }

  private flush(): void {
    const waiters = this.waiters
    this.waiters = []
    for (const w of waiters) w()
  }
}
