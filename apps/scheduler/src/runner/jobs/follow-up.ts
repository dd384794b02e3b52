/**
 * `follow-up` jobs: the follow-up of a final attempt that a dead worker recorded but never marked
 * complete (recovery enqueues one per attempt, keyed by it). Runs the same idempotent `followUp`
 * the worker would have run; an attempt not final (or gone) needs nothing.
 */
import { Effect } from "effect"
import { followUp } from "../../workflow/follow-up.js"
import type { AttemptPayload, JobHandler } from "./job-handler.js"

export const followUpJob: JobHandler = {
  kind: "follow-up",
  recovery: true,
  handle: (job, ctx) =>
    Effect.gen(function*() {
      const { caseId, attemptId } = job.payload as AttemptPayload
      const snapshot = yield* ctx.renewalStore.loadSnapshot(caseId)
      const attempt = snapshot.ledger.find((a) => a.id === attemptId)
      if (attempt === undefined || (attempt.status !== "succeeded" && attempt.status !== "failed")) return
      yield* Effect.logInfo("running the follow-up a dead worker left unfinished", { caseId, attemptId })
      yield* ctx.jobEnv(followUp(caseId, attempt))
    })
}
