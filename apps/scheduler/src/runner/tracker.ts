/**
 * What this worker is still waiting for before a run may end: refreshes it sent whose outcome is
 * not known yet, and renewals it scheduled for later in the run. Another worker may finish
 * either; the run loop asks the store before trusting this list.
 */
export class RunTracker {
  /** Sent refreshes whose outcome is not known yet, by attempt id, with their next poll. */
  readonly awaiting = new Map<string, PollEntry>()
  private readonly scheduled: Array<number> = []

  constructor(readonly deadline: number) {}

  schedule(runAt: number): void {
    this.scheduled.push(runAt)
  }

  /**
   * The attempt is final and followed up (a webhook or another worker's poll said so): its
   * pending poll is not needed. Only the attempt's own resolution ends its poll: an outcome of
   * its case (a later renewal that waits for it, `waiting` or `in-flight`) says nothing of it.
   */
  resolveAttempt(attemptId: string): void {
    const e = this.awaiting.get(attemptId)
    if (e !== undefined && !e.busy) this.awaiting.delete(attemptId)
  }

  /** Follows a sent attempt with polls from `nextAt`, unless it is followed already (its poll keeps its count and instant). */
  follow(p: Omit<PollEntry, "nextAt" | "busy">, nextAt: number): void {
    if (!this.awaiting.has(p.attemptId)) this.awaiting.set(p.attemptId, { ...p, nextAt, busy: false })
  }

  /** Polls due at `now`, marked busy (at most `limit`). */
  duePolls(now: number, limit: number): Array<PollEntry> {
    const due: Array<PollEntry> = []
    for (const e of this.awaiting.values()) {
      if (due.length >= limit) break
      if (!e.busy && e.nextAt <= now) {
        e.busy = true
        due.push(e)
      }
    }
    return due
  }

  /** The latest renewal instant still in the future (or null). */
  pendingUntil(now: number): number | null {
    let latest: number | null = null
    for (const t of this.scheduled) if (t > now && (latest === null || t > latest)) latest = t
    return latest
  }
}

export interface PollEntry {
  readonly caseId: string
  readonly attemptId: string
  readonly orderId: string
  /** Polls done so far. */
  n: number
  nextAt: number
  busy: boolean
}
