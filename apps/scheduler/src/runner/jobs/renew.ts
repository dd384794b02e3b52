/**
 * `renew` jobs: one case through the workflow (`renewCase`: decide, reserve, send or queue a
 * verification link). The first run of a job the due-case stream enqueued reuses the snapshot the
 * stream read (`reserve` re-reads inside its transaction, so the pre-check need not read the case
 * again). A refresh in flight gets a poll (the fallback for a lost webhook); one of unknown fate a
 * `reconcile` job, never a second send; and so does the refresh of an earlier renewal that this
 * one waits for.
 */
import { Clock, Effect } from "effect"
import { renewCase } from "../../workflow/renew-case.js"
import type { PassContext } from "../pass-context.js"
import type { JobHandler } from "./job-handler.js"

/**
 * A `reconcile` job for an attempt of unknown fate (keyed by it: asked twice, enqueued once);
 * `answered`: Truv answered 500/501, so its lineage is final for this request at once.
 */
const reconcileLater = (ctx: PassContext, caseId: string, attemptId: string, answered = false) => {
  ctx.pacing.want("reconcile")
  return ctx.store.enqueueJobs([{ kind: "reconcile", key: `reconcile:${attemptId}`, payload: { caseId, attemptId, ...(answered ? { answered } : {}) } }])
}

export const renewJob: JobHandler = {
  kind: "renew",
  recovery: false,
  handle: (job, ctx) =>
    Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const { caseId } = job.payload as { caseId: string }
      const snapshot = job.key === null ? undefined : ctx.preloaded.get(job.key)
      if (job.key !== null) ctx.preloaded.delete(job.key)
      const r = yield* ctx.jobEnv(renewCase(caseId, snapshot?.case.id === caseId ? snapshot : undefined))
      const { stats } = ctx
      // Sent and billed are counted where the ledger records them (`countingStore`), not predicted here.
      if (r.limitViolation) stats.limitViolations += 1
      if (r.outcome === "failed") stats.caseFailed(caseId, r.why)
      if (r.outcome === "in-flight") {
        yield* ctx.schedulePoll({ caseId, attemptId: r.attemptId!, orderId: r.orderId!, n: 0 }, now + ctx.settings.pollAfterMs)
      }
      if (r.outcome === "unknown" && r.attemptId !== null) yield* reconcileLater(ctx, caseId, r.attemptId, r.answered === true)
      // It waits for a refresh of an earlier renewal (another worker's, or one recovered): that
      // refresh is followed to its end in this pass, never dropped (issue 15). A sent one gets a
      // poll (or keeps the one it has); one of unknown fate is reconciled. A reserved one is
      // being sent by a live worker, or is a dead worker's that recovery reconciles.
      const w = r.waitsOn
      if (w?.status === "sent" && w.orderId !== null) yield* ctx.schedulePoll({ caseId, attemptId: w.attemptId, orderId: w.orderId, n: 0 }, now + ctx.settings.pollAfterMs)
      if (w?.status === "unknown") yield* reconcileLater(ctx, caseId, w.attemptId)
    })
}
