/**
 * The request sweep as the runner runs it (`workflow/request-sweep.ts`): once per pass and, in
 * `serve`, every few minutes between passes. A request expired whose replacement could not be
 * asked (Truv answered 5xx or not at all) leaves its case without a link; the sweep runs for the
 * expired request only once, so the case is owed a renewal: a `renew` job at once, keyed by the
 * request (enqueued once however many sweeps meet it), which decides the case again and asks
 * through the same intent (`queueVerification`: exactly once at Truv). A job whose ask fails
 * again is retried by the job queue with its backoff. Before, the case waited for its next
 * day's renewal with no link (client chaos, bridge seed 6: neither verified nor escalated).
 */
import type { StoreError } from "@recert/core"
import type { Store } from "@recert/store"
import { Clock, Effect } from "effect"
import type { SweepCounts, SweepOptions } from "../workflow/request-sweep.js"

/**
 * Runs a sweep and logs what it did; a sweep that fails (the store, for a moment) is logged and
 * left to the next one (its steps are idempotent), never failing the pass or the service.
 */
const sweepOnce = <R>(sweep: Effect.Effect<SweepCounts, StoreError, R>): Effect.Effect<void, never, R> =>
  sweep.pipe(
    Effect.tap((c) => Object.values(c).some((n) => n > 0) ? Effect.logInfo("verification requests swept", { ...c }) : Effect.void),
    Effect.catch((e) => Effect.logWarning("request sweep failed; the next one takes it up", { error: e.message })),
    Effect.asVoid
  )

/** The `renew` job a failed replacement owes its case (the key is the expired request's). */
export const replacementJobKey = (requestId: number): string => `renew:replacement:${requestId}`

/** Runs `sweep` once (failures logged, never failing the caller), then enqueues the renewals it owes. */
export const sweepAndRenewOwed = <R>(store: Store["Service"], sweep: (options: Pick<SweepOptions, "onReplaceFailed">) => Effect.Effect<SweepCounts, StoreError, R>): Effect.Effect<void, never, R> =>
  Effect.gen(function*() {
    const owed: Array<{ readonly caseId: string; readonly requestId: number }> = []
    yield* sweepOnce(sweep({ onReplaceFailed: (o) => void owed.push(o) }))
    if (owed.length === 0) return
    const runAt = new Date(yield* Clock.currentTimeMillis).toISOString()
    yield* store.enqueueJobs(owed.map(({ caseId, requestId }) => ({ kind: "renew", key: replacementJobKey(requestId), payload: { caseId }, runAt }))).pipe(
      Effect.tap(() => Effect.logInfo("renewals enqueued for replacements not asked", { cases: owed.length })),
      Effect.catch((e) => Effect.logWarning("renewals for replacements not asked could not be enqueued; each case's next renewal asks again", { error: e.message }))
    )
  })
