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

  /** The case reached a final outcome (a webhook said so): its pending polls are not needed. */
  resolveCase(caseId: string): void {
    for (const [attemptId, e] of this.awaiting) if (e.caseId === caseId && !e.busy) this.awaiting.delete(attemptId)
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
