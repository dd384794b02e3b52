/**
 * A wake-up call between fibers and plain callbacks: the receiver calls `notify()` after storing
 * an event, and the inbox consumer's `sleep` ends then instead of at its timeout, so an event is
 * processed within a tick of its 2xx rather than a polling interval later.
 */
import { Effect } from "effect"

export class Wakeup {
  private waiters = new Set<() => void>()
  private pending = false

  notify(): void {
    if (this.waiters.size === 0) {
      this.pending = true
      return
    }
    const ws = [...this.waiters]
    this.waiters.clear()
    for (const w of ws) w()
  }

  /** Sleeps up to `ms`, or less if notified (a notification since the last sleep ends it at once). */
  sleep(ms: number): Effect.Effect<void> {
    return Effect.suspend(() => {
      if (this.pending) {
        this.pending = false
        return Effect.void
      }
      const woken = Effect.callback<void>((resume) => {
        const w = () => resume(Effect.void)
        this.waiters.add(w)
        return Effect.sync(() => void this.waiters.delete(w))
      })
      return Effect.raceFirst(Effect.sleep(ms), woken)
    })
  }
}
