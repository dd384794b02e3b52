/**
 * What one run did, counted as it happens: where each case ended, Truv calls by endpoint,
 * refreshes billed and free, verification links queued, limit violations attempted, webhooks.
 * One process, one object: fibers share it, and JavaScript runs one of them at a time.
 */
import { type ChangeClass, RenewalStore, TruvGateway } from "@recert/core"
import { Effect } from "effect"
import type { CaseOutcome } from "../workflow/outcome.js"

export class RunStats {
  /**
   * When the run started (epoch ms from the Clock): given by whoever starts the run, else set by
   * the first pass (`runPass`). The report's elapsed time runs from it.
   */
  startedAt: number | null

  constructor(startedAt: number | null = null) {
    this.startedAt = startedAt
  }

  readonly outcomes = new Map<string, CaseOutcome>()
  /** The class of each refreshed case's verification (a map, so a follow-up run twice counts once). */
  readonly results = new Map<string, ChangeClass>()
  readonly calls: Record<string, number> = {}
  refreshesSent = 0
  refreshesBilled = 0
  refreshesFree = 0
  verifications = { "bridge-update": 0, "new-order": 0 }
  limitViolations = 0
  webhooksReceived = 0
  webhooksDuplicate = 0
  webhooksRejected = 0
  webhooksProcessed = 0
  /** Processed events that changed nothing (other event types, duplicates of an outcome, invalid bodies). */
  webhooksIgnored = 0
  /** Processed events no attempt of ours could ever apply (`unmatched`: inbox.ts); also among the ignored. */
  webhooksUnmatched = 0
  polls = 0
  reconciled = 0
  jobsFailed = 0
  /** Leases given back by a stop past its grace period. */
  jobsReleased = 0
  /** The pass was stopped (signal) before it settled. */
  stopped = false

  call(name: string): void {
    this.calls[name] = (this.calls[name] ?? 0) + 1
  }

  get apiCalls(): number {
    return Object.values(this.calls).reduce((a, b) => a + b, 0)
  }

  /** The sum of two runs' counters (serve: all passes so far plus the current one); b's outcome wins per case. */
  static merge(a: RunStats, b: RunStats): RunStats {
    const starts = [a.startedAt, b.startedAt].filter((t): t is number => t !== null)
    const m = new RunStats(starts.length === 0 ? null : Math.min(...starts))
    for (const s of [a, b]) {
      for (const [k, v] of s.outcomes) m.outcomes.set(k, v)
      for (const [k, v] of s.results) m.results.set(k, v)
      for (const [k, v] of Object.entries(s.calls)) m.calls[k] = (m.calls[k] ?? 0) + v
      for (const k of COUNTERS) m[k] += s[k]
      m.verifications["bridge-update"] += s.verifications["bridge-update"]
      m.verifications["new-order"] += s.verifications["new-order"]
    }
    return m
  }

  /** Cases by their latest outcome. */
  byOutcome(): Record<string, number> {
    const counts: Record<string, number> = {}
    for (const o of this.outcomes.values()) counts[o] = (counts[o] ?? 0) + 1
    return counts
  }

  /** Verified cases by class: `renew` and `review`, both always present. */
  byResult(): Record<ChangeClass, number> {
    const counts: Record<ChangeClass, number> = { renew: 0, review: 0 }
    for (const c of this.results.values()) counts[c] += 1
    return counts
  }
}

const COUNTERS = [
  "refreshesSent", "refreshesBilled", "refreshesFree", "limitViolations", "webhooksReceived", "webhooksDuplicate",
  "webhooksRejected", "webhooksProcessed", "webhooksIgnored", "webhooksUnmatched", "polls", "reconciled", "jobsFailed", "jobsReleased"
] as const

/** Wraps a gateway so every call is counted by endpoint (whatever its result). */
export const countingGateway = (inner: TruvGateway["Service"], stats: RunStats): TruvGateway["Service"] => {
  const count = <A, E>(name: string, e: Effect.Effect<A, E>) => Effect.andThen(Effect.sync(() => stats.call(name)), e)
  return TruvGateway.of({
    refreshOrder: (r) => count("POST /v1/orders/{id}/", inner.refreshOrder(r)),
    getOrder: (id) => count("GET /v1/orders/{id}/", inner.getOrder(id)),
    createOrder: (r) => count("POST /v1/orders/", inner.createOrder(r)),
    createBridgeToken: (r) => count("POST /v1/users/{id}/tokens/", inner.createBridgeToken(r)),
    // One lookup may read several pages (at most `ORDER_LOOKUP_MAX_PAGES`); counted as one.
    findOrdersByNumber: (n) => count("GET /v1/orders/", inner.findOrdersByNumber(n)),
    cancelOrder: (id) => count("POST /v1/orders/{id}/cancel/", inner.cancelOrder(id)),
    createRefreshTask: (t, p) => count("POST /v1/refresh/tasks/", inner.createRefreshTask(t, p)),
    getRefreshTask: (id) => count("GET /v1/refresh/tasks/{id}/", inner.getRefreshTask(id)),
    // One report: the order, then each completed connection's link report (truv-reports-notes §1).
    fetchReport: (r) => count("report (GET order + link reports)", inner.fetchReport(r)),
    // Which failure a suborder's `error` was: the order's events, then the task (suborder-outcome.ts).
    findSuborderTask: (r) => count("task lookup (GET order events + task)", inner.findSuborderTask(r))
  })
}

/**
 * Wraps a store so queued verification links are counted: one per request stored with Truv's
 * answer (`enqueueVerification`, or an intent settled `created`; an intent's kind is remembered
 * from the call that claimed it).
 */
export const countingStore = (inner: RenewalStore["Service"], stats: RunStats): RenewalStore["Service"] => {
  const kinds = new Map<number, "bridge-update" | "new-order">()
  const remember = (q: { readonly request: { readonly id: number; readonly kind: "bridge-update" | "new-order" } } | null) => {
    if (q !== null) kinds.set(q.request.id, q.request.kind)
  }
  return RenewalStore.of({
    ...inner,
    enqueueVerification: (request) =>
      Effect.tap(inner.enqueueVerification(request), () => Effect.sync(() => void stats.verifications[request.kind]++)),
    claimVerifications: (input) => Effect.tap(inner.claimVerifications(input), (r) => Effect.sync(() => r.claimed.forEach(remember))),
    takeOverVerification: (id, leaseMs) => Effect.tap(inner.takeOverVerification(id, leaseMs), (r) => Effect.sync(() => remember(r))),
    settleVerification: (id, settlement) =>
      Effect.tap(inner.settleVerification(id, settlement), (settled) => Effect.sync(() => {
        const kind = kinds.get(id)
        if (settled && settlement.outcome === "created" && kind !== undefined) stats.verifications[kind]++
        if (settled) kinds.delete(id)
      }))
  })
}
