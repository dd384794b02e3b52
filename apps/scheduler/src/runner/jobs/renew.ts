/**
 * `renew` jobs: one case through the workflow (`renewCase`: decide, reserve, send or queue a
 * verification link). The first run of a job the due-case stream enqueued reuses the snapshot the
 * stream read (`reserve` re-reads inside its transaction, so the pre-check need not read the case
 * again). A refresh in flight gets a poll (the fallback for a lost webhook); one of unknown fate a
 * `reconcile` job, never a second send.
 */
import { Clock, Effect } from "effect"
import { renewCase } from "../../workflow/renew-case.js"
import type { JobHandler } from "./job-handler.js"

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
      if (r.outcome === "unknown") {
        ctx.pacing.want("reconcile")
        yield* ctx.store.enqueueJobs([{ kind: "reconcile", key: `reconcile:${r.attemptId}`, payload: { caseId, attemptId: r.attemptId } }])
      }
    })
}
