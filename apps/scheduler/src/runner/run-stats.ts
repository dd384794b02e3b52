/**
 * What one run did, counted as it happens: where each case ended, Truv calls by endpoint and how
 * they went, the refresh counts (`report/refresh-counts.ts`: one vocabulary with `/metrics` and
 * `recert stats`), verification links queued, limit violations attempted, webhooks, the due cases
 * the pass read (and which could not be loaded), the cases that failed and why, store failures,
 * and what made the pass fail (`fatal`: it stops claiming). The pass's status is computed from
 * these (`report/pass-status.ts`). One process, one object: fibers share it, and JavaScript runs
 * one of them at a time.
 */
import { type ChangeClass, RenewalStore, type StoreError, type TruvError, TruvGateway, type WrittenAttempt } from "@recert/core"
import { Effect } from "effect"
import { AttemptRegistry, emptyRefreshEvents, type RefreshCounts } from "../report/refresh-counts.js"
import type { CaseOutcome } from "../workflow/outcome.js"

/** Calls in a row that got no answer at all (refused, reset, timed out) before the pass stops: Truv is unreachable. */
export const UNREACHABLE_STREAK = 8

/** Store failure reasons that no retry fixes: the pass stops at the first. */
const FATAL_STORE_REASONS: ReadonlySet<string> = new Set(["disk-full", "read-only", "io"])

/** Why a pass failed: the first reason found stops it (a stable code and one line for the operator). */
export interface PassFailure {
  readonly code: "truv.unauthorized" | "truv.unreachable" | "store.failing" | "pass.error"
  readonly message: string
}

/** A message on one line (a driver's message may span several). */
export const oneLine = (s: string): string => s.replace(/\s*[\r\n]+\s*/g, " ").trim()

export class RunStats {
  /**
   * When the run started (epoch ms from the Clock): given by whoever starts the run, else set by
   * the first pass (`runPass`). The report's elapsed time runs from it.
   */
  startedAt: number | null

  /** What this process has counted of the ledger (shared by every `RunStats` of a `serve` process). */
  readonly registry: AttemptRegistry

  constructor(startedAt: number | null = null, registry: AttemptRegistry = new AttemptRegistry()) {
    this.startedAt = startedAt
    this.registry = registry
  }

  readonly outcomes = new Map<string, CaseOutcome>()
  /** The class of each refreshed case's verification (a map, so a follow-up run twice counts once). */
  readonly results = new Map<string, ChangeClass>()
  readonly calls: Record<string, number> = {}
  /** Refresh events this run counted (`refresh-counts.ts`). */
  readonly refreshEvents = emptyRefreshEvents()
  /** Attempts this run touched (the gauges of its report read their latest view). */
  readonly attemptIds = new Set<string>()
  /** Attempts a `reconcile` job is settling from the lineage right now. */
  readonly reconciling = new Set<string>()
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
  jobsFailed = 0
  /** Leases given back by a stop past its grace period. */
  jobsReleased = 0
  /** The pass was stopped (a signal, or a failure: `fatal`) before it settled. */
  stopped = false

  // The due cases (enqueue-due.ts): every one ends processed, unloadable or not reached.
  /** Due cases the pass read from the store (loaded or not). */
  readonly due = new Set<string>()
  /** Due cases that could not be loaded, with why (one line, no secret). */
  readonly unloadable = new Map<string, string>()
  /** Cases due when the pass started (`countDue`), or null when not counted. */
  dueAtStart: number | null = null
  /** The due-case stream reached its end (not stopped). */
  dueStreamDone = false
  /** Why a case ended `failed` (Truv refused its refresh, or its job failed after the retries). */
  readonly failures = new Map<string, string>()

  // How Truv answered.
  /** Calls that got an HTTP answer (any status). */
  truvAnswered = 0
  /** Calls that got none (connection refused, reset, timeout). */
  truvUnanswered = 0
  private unansweredStreak = 0
  /** Failed calls by error (`Transport`, `ProviderUnavailable`, `Throttled`, ...). */
  readonly truvErrors: Record<string, number> = {}
  lastTruvError: string | null = null

  /** Store operations that failed (a `StoreError`), and the last one. */
  storeErrors = 0
  lastStoreError: string | null = null

  /** What made the pass fail; set once, it stops the pass (no more claims, no more retries). */
  fatal: PassFailure | null = null

  fail(failure: PassFailure): void {
    this.fatal ??= failure
  }

  call(name: string): void {
    this.calls[name] = (this.calls[name] ?? 0) + 1
  }

  get apiCalls(): number {
    return Object.values(this.calls).reduce((a, b) => a + b, 0)
  }

  /** A Truv call ended: counts how it went; a refused login or a run of unanswered calls fails the pass. */
  truvResult(endpoint: string, error: TruvError | null): void {
    const unanswered = error !== null && error._tag === "Transport" && error.invalidFields === undefined
    if (unanswered) {
      this.truvUnanswered += 1
      this.unansweredStreak += 1
    } else {
      this.truvAnswered += 1
      this.unansweredStreak = 0
    }
    if (error === null) return
    this.truvErrors[error._tag] = (this.truvErrors[error._tag] ?? 0) + 1
    this.lastTruvError = `${endpoint}: ${oneLine(error.message)}`
    if (error._tag === "Unauthorized") {
      this.fail({ code: "truv.unauthorized", message: `Truv refused our credentials (${error.status}) on ${endpoint}: ${oneLine(error.message)} (check TRUV_CLIENT_ID and TRUV_SECRET)` })
    }
    if (this.unansweredStreak >= UNREACHABLE_STREAK) {
      this.fail({ code: "truv.unreachable", message: `Truv unreachable: ${this.unansweredStreak} calls in a row got no answer (last: ${this.lastTruvError})` })
    }
  }

  /** A store operation failed: counted; a full, read-only or failing disk fails the pass. */
  storeFailed(operation: string, error: StoreError): void {
    this.storeErrors += 1
    this.lastStoreError = `${operation}: ${oneLine(error.message)}`
    if (error.reason !== undefined && FATAL_STORE_REASONS.has(error.reason)) {
      this.fail({ code: "store.failing", message: `the store failed (${error.reason}): ${this.lastStoreError}` })
    }
  }

  /** The case ended `failed`, for `reason`. */
  caseFailed(caseId: string, reason: string): void {
    this.outcomes.set(caseId, "failed")
    this.failures.set(caseId, oneLine(reason))
  }

  /** `transitionAttempt` returned `attempt` (sent, unknown, rejected); a reconcile job's settles it. */
  attemptTransitioned(attempt: WrittenAttempt): void {
    this.attemptIds.add(attempt.id)
    this.registry.transitioned(attempt, this.refreshEvents)
    if (this.reconciling.has(attempt.id) && (attempt.status === "sent" || attempt.status === "rejected")) this.attemptReconciled(attempt.id)
  }

  /** `recordOutcome(…, connectionId, …)` returned `attempt`. */
  outcomeRecorded(attempt: WrittenAttempt, connectionId: string): void {
    this.attemptIds.add(attempt.id)
    this.registry.outcome(attempt, connectionId, this.refreshEvents)
  }

  /**
   * Read back from the ledger (`OwnWritesLearner`): the `sent` and outcomes this process's store
   * wrote, each counted once with whatever its calls returned.
   */
  ownWriteLearnt(attempt: WrittenAttempt): void {
    if (attempt.ownWrites === undefined) return
    if (attempt.ownWrites.sent) this.registry.transitioned(attempt, this.refreshEvents)
    for (const c of attempt.ownWrites.outcomes) this.registry.outcome(attempt, c, this.refreshEvents)
  }

  /** A reconcile job settled `attemptId` from the lineage. */
  attemptReconciled(attemptId: string): void {
    this.attemptIds.add(attemptId)
    this.registry.reconciled(attemptId, this.refreshEvents)
  }

  /** The refresh counts of this run: its events, and the gauges over the attempts it touched. */
  get refreshes(): RefreshCounts {
    return { ...this.refreshEvents, ...this.registry.gauges(this.attemptIds) }
  }

  /** The sum of two runs' counters (serve: all passes so far plus the current one); b's outcome wins per case. */
  static merge(a: RunStats, b: RunStats): RunStats {
    const starts = [a.startedAt, b.startedAt].filter((t): t is number => t !== null)
    const m = new RunStats(starts.length === 0 ? null : Math.min(...starts), a.registry)
    for (const s of [a, b]) {
      for (const [k, v] of s.outcomes) m.outcomes.set(k, v)
      for (const [k, v] of s.results) m.results.set(k, v)
      for (const [k, v] of Object.entries(s.calls)) m.calls[k] = (m.calls[k] ?? 0) + v
      for (const [k, v] of Object.entries(s.truvErrors)) m.truvErrors[k] = (m.truvErrors[k] ?? 0) + v
      for (const k of COUNTERS) m[k] += s[k]
      for (const k of Object.keys(m.refreshEvents) as Array<keyof RunStats["refreshEvents"]>) m.refreshEvents[k] += s.refreshEvents[k]
      for (const id of s.attemptIds) m.attemptIds.add(id)
      for (const id of s.due) m.due.add(id)
      for (const [k, v] of s.unloadable) m.unloadable.set(k, v)
      for (const [k, v] of s.failures) m.failures.set(k, v)
      m.verifications["bridge-update"] += s.verifications["bridge-update"]
      m.verifications["new-order"] += s.verifications["new-order"]
      m.lastTruvError = s.lastTruvError ?? m.lastTruvError
      m.lastStoreError = s.lastStoreError ?? m.lastStoreError
    }
    m.dueStreamDone = true
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
  "limitViolations", "webhooksReceived", "webhooksDuplicate", "webhooksRejected", "webhooksProcessed", "webhooksIgnored", "webhooksUnmatched", "polls",
  "jobsFailed", "jobsReleased", "truvAnswered", "truvUnanswered", "storeErrors"
] as const

/** Wraps a gateway so every call is counted by endpoint, and how it ended (answered, failed, unanswered). */
export const countingGateway = (inner: TruvGateway["Service"], stats: RunStats): TruvGateway["Service"] => {
  const count = <A>(name: string, e: Effect.Effect<A, TruvError>) => Effect.andThen(Effect.sync(() => stats.call(name)), e).pipe(
    Effect.tap(() => Effect.sync(() => stats.truvResult(name, null))),
    Effect.tapError((error) => Effect.sync(() => stats.truvResult(name, error)))
  )
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
    findSuborderTask: (r) => count("task lookup (GET order events + task)", inner.findSuborderTask(r)),
    // A Bridge request at its expiry: was the link re-authenticated (its webhook lost)? (request-sweep.ts)
    linkState: (linkId, product) => count("GET /v1/links/{id}/{product}/report/ (link state)", inner.linkState(linkId, product))
  })
}

/**
 * Wraps a store so queued verification links are counted (one per request stored with Truv's
 * answer: `enqueueVerification`, or an intent settled `created`; an intent's kind is remembered
 * from the call that claimed it), and every change of an attempt the workflow makes (sent,
 * unknown, rejected, an outcome) reaches the refresh counts: every route by which a refresh order
 * or an outcome is learnt writes through these two calls.
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
      })),
    transitionAttempt: (attemptId, to, patch) =>
      Effect.tap(inner.transitionAttempt(attemptId, to, patch), (attempt) => Effect.sync(() => stats.attemptTransitioned(attempt))),
    recordOutcome: (attemptId, connectionId, status, at) =>
      Effect.tap(inner.recordOutcome(attemptId, connectionId, status, at), (attempt) => Effect.sync(() => stats.outcomeRecorded(attempt, connectionId)))
  })
}
