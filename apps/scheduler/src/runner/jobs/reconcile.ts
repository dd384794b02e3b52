/**
 * `reconcile` jobs: an attempt left `reserved` or `unknown` (a dead worker, a transport error
 * after the request left) is settled from Truv's lineage (`reconcileAttempt`), never by sending
 * again: sent after all, it gets a poll (after `pollAfterMs`, as a fresh send: a webhook waiting
 * in the inbox for this order applies first); never sent, the case gets a new `renew` job.
 */
import { Clock, Effect } from "effect"
import { reconcileAttempt } from "../../workflow/reconcile.js"
import type { AttemptPayload, JobHandler } from "./job-handler.js"

export const reconcileJob: JobHandler = {
  kind: "reconcile",
  recovery: true,
  handle: (job, ctx) =>
    Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const { caseId, attemptId, answered } = job.payload as AttemptPayload & { readonly answered?: boolean }
      const snapshot = yield* ctx.renewalStore.loadSnapshot(caseId)
      const attempt = snapshot.ledger.find((a) => a.id === attemptId)
      if (attempt === undefined) return
      // Counted when the lineage settles it (the store's transition to sent or rejected, seen by
      // `countingStore`): not when the job starts, nor again when the job runs again.
      ctx.stats.reconciling.add(attempt.id)
      const r = yield* ctx.jobEnv(reconcileAttempt(caseId, attempt, answered === true ? 0 : ctx.settings.notSentAfterMs)).pipe(Effect.ensuring(Effect.sync(() => ctx.stats.reconciling.delete(attempt.id))))
      // Its outcome's webhook is usually in the inbox already, waiting for this order id (inbox.ts,
      // re-offered by recovery): it comes first; the poll is the fallback, as for a fresh send.
      if (r.kind === "sent") yield* ctx.schedulePoll({ caseId, attemptId, orderId: r.orderId, n: 0 }, now + ctx.settings.pollAfterMs)
      // Truv may still land the request: the same question once it no longer can, as a job of its
      // own (a done job keeps its key; keyed by this try's instant, a try that comes early again,
      // on another worker's clock, asks once more instead of being swallowed by its own key).
      if (r.kind === "too-early") {
        yield* ctx.store.enqueueJobs([{ kind: "reconcile", key: `reconcile:${attemptId}:from:${now}`, payload: { caseId, attemptId }, runAt: new Date(r.retryAt).toISOString() }])
      }
      if (r.kind === "not-sent") {
        yield* ctx.store.enqueueJobs([{ kind: "renew", key: `renew:${caseId}:after:${attemptId}`, payload: { caseId } }])
        ctx.pacing.renewalsAdded()
      }
    })
}
