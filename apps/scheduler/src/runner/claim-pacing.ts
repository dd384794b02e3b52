/**
 * When the dispatcher asks the store for jobs of each kind. Claims are write transactions, so they
 * are paced: a renew claim that came back short is repeated only every `RENEW_RECHECK_MS` while the
 * worker is busy (at once when idle, or after this worker enqueued renewals), and the rare recovery
 * kinds (reconcile, follow-up) are claimed at most once a second unless this worker flagged one.
 * Times are monotonic milliseconds (`monotonic.ts`): pacing, not domain instants.
 */

/** While busy, how often to ask for renew jobs again after a claim found none left. */
export const RENEW_RECHECK_MS = 250
/** How often a recovery kind is claimed when nothing flagged it. */
export const RECOVERY_CLAIM_EVERY_MS = 1_000

export class ClaimPacing {
  /** Recovery kinds to claim at the next opportunity (all of them at the start of a pass). */
  private readonly wanted: Set<string>
  private readonly lastRecoveryClaim = new Map<string, number>()
  /** When a renew claim last came back short (null: it did not, or renewals were enqueued since). */
  private renewDryAt: number | null = null

  constructor(private readonly recoveryKinds: ReadonlySet<string>) {
    this.wanted = new Set(recoveryKinds)
  }

  /** This worker enqueued a job of a recovery kind: claim that kind at the next opportunity. */
  want(kind: string): void {
    this.wanted.add(kind)
  }

  /** Renew jobs were enqueued (a page of due cases, a reconciled attempt): ask for them again at once. */
  renewalsAdded(): void {
    this.renewDryAt = null
  }

  /** Whether to claim `kind` now; `busy`: the worker holds jobs. Marks a recovery kind as claimed. */
  mayClaim(kind: string, busy: boolean, now: number): boolean {
    if (this.recoveryKinds.has(kind)) {
      if (!this.wanted.has(kind) && now - (this.lastRecoveryClaim.get(kind) ?? 0) < RECOVERY_CLAIM_EVERY_MS) return false
      this.wanted.delete(kind)
      this.lastRecoveryClaim.set(kind, now)
    }
    // The renew jobs ran dry at the last claim: while busy, ask again only now and then (other
    // workers' enqueues, renewals falling due); when idle, at once.
    return !(kind === "renew" && this.renewDryAt !== null && busy && now - this.renewDryAt < RENEW_RECHECK_MS)
  }

  /** A claim of `kind` asked for `asked` jobs and got `got`. */
  claimed(kind: string, asked: number, got: number, now: number): void {
    if (kind === "renew") this.renewDryAt = got < asked ? now : null
  }
}
