/**
 * `CaseProgress` over `@recert/store`: rescheduling writes the case, a later renewal is a `renew`
 * job in the shared job table (so any worker may run it; a follow-up's retry is keyed by its
 * attempt), a completed follow-up is marked on the attempt (which ends this worker's poll of it),
 * and outcomes go to the run's stats.
 * A renewal later than the run's deadline is not queued: the case is still due, so the next run
 * finds it again; that keeps one run from waiting hours for a backoff.
 */
import { Effect } from "effect"
import type { JobInput, Store } from "@recert/store"
import { CaseProgress } from "../workflow/case-progress.js"
import type { RunStats } from "./run-stats.js"
import type { RunTracker } from "./tracker.js"

export const storeCaseProgress = (store: Store["Service"], stats: RunStats, tracker: RunTracker): CaseProgress["Service"] =>
  CaseProgress.of({
    rescheduleCase: (caseId, nextDueAt, lastVerifiedAt) => store.rescheduleCase(caseId, nextDueAt, lastVerifiedAt),
    renewLater: (caseId, runAt, afterAttempt) =>
      Effect.gen(function*() {
        if (Date.parse(runAt) > tracker.deadline) return
        yield* store.enqueueJobs([renewJob(caseId, runAt, afterAttempt)])
        tracker.schedule(Date.parse(runAt))
      }),
    // Where the case stands is not whether its refresh is resolved: a renewal that waits for a
    // refresh in flight must not end that refresh's poll (issue 15). The follow-up's mark does.
    caseOutcome: (caseId, outcome) => Effect.sync(() => void stats.outcomes.set(caseId, outcome)),
    caseResult: (caseId, result) => Effect.sync(() => void stats.results.set(caseId, result)),
    followedUp: (attemptId, renewAt) =>
      Effect.gen(function*() {
        const retry = renewAt !== undefined && Date.parse(renewAt.runAt) <= tracker.deadline ? renewAt : undefined
        yield* store.markFollowedUp(attemptId, retry === undefined ? [] : [renewJob(retry.caseId, retry.runAt, attemptId)])
        tracker.resolveAttempt(attemptId)
        if (retry !== undefined) tracker.schedule(Date.parse(retry.runAt))
      })
  })

/** A later renewal of the case: keyed by the attempt whose follow-up asks (a re-run asks nothing more), else by its instant. */
const renewJob = (caseId: string, runAt: string, afterAttempt: string | undefined): JobInput => ({
  kind: "renew", key: afterAttempt === undefined ? `renew:${caseId}:at:${runAt}` : `renew:${caseId}:retry:${afterAttempt}`, runAt, payload: { caseId }
})
