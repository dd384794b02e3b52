/**
 * The shape of a job handler: one per job kind (a row of the store's job table with that `kind`),
 * each in its own file under `jobs/`, all registered in `registry.ts`. Adding a kind is one new
 * file here plus one line there; the dispatcher claims, runs, retries and completes it like any
 * other.
 */
import type { Job } from "@recert/store"
import type { Effect } from "effect"
import type { PassContext } from "../pass-context.js"

/** What a handler may fail with: a tagged error (the job is retried, then failed with it). */
export interface JobError {
  readonly _tag: string
  readonly message: string
}

export interface JobHandler {
  readonly kind: string
  /**
   * A recovery kind (rare: work a dead worker left behind) is claimed at most once a second
   * unless this worker enqueued one (`ClaimPacing.want`).
   */
  readonly recovery: boolean
  /** Runs the job once; safe to run again (a retry, or another worker after a lost lease). */
  readonly handle: (job: Job, ctx: PassContext) => Effect.Effect<void, JobError>
}

/** The attempt a recovery job is about (`reconcile`, `follow-up`). */
export interface AttemptPayload {
  readonly caseId: string
  readonly attemptId: string
}
