/**
 * What this worker is still waiting for before a run may end: refreshes it sent whose outcome is
 * not known yet, and renewals it scheduled for later in the run. Another worker may finish
 * either; the run loop asks the store before trusting this list.
 */
export class RunTracker {
  /** Attempt id -> refresh order id. */
  readonly awaiting = new Map<string, string>()
  private readonly scheduled: Array<number> = []

  constructor(readonly deadline: number) {}

  schedule(runAt: number): void {
    this.scheduled.push(runAt)
  }

  /** The latest renewal instant still in the future (or null). */
  pendingUntil(now: number): number | null {
    let latest: number | null = null
    for (const t of this.scheduled) if (t > now && (latest === null || t > latest)) latest = t
    return latest
  }
}
