/**
 * What the renewal workflow needs beyond core's `RenewalStore`: moving a renewed case to its next
 * due date, scheduling a later renewal (a retry after backoff, a rate window that opens), and
 * telling the run report where each case ended. The scheduler provides it over `@recert/store`'s
 * job queue; tests provide `makeMemoryFollowUps`.
 */
import type { CaseNotFound, StoreError } from "@recert/core"
import { Context, Effect, Layer } from "effect"
import type { CaseOutcome } from "./outcome.js"

export class FollowUps extends Context.Service<FollowUps, {
  /** Sets the case's next due date and when it was last re-verified. */
  rescheduleCase(caseId: string, nextDueAt: string, lastVerifiedAt: string | null): Effect.Effect<void, CaseNotFound | StoreError>
  /**
   * Asks for another renewal of the case at `runAt` (an ISO instant). `afterAttempt`: the final
   * attempt whose follow-up asks; it keys the renewal, so asking again (a follow-up run again
   * after a crash) schedules nothing more.
   */
  renewLater(caseId: string, runAt: string, afterAttempt?: string): Effect.Effect<void, StoreError>
  /** Where the case stands now (the run report keeps the latest per case). */
  caseOutcome(caseId: string, outcome: CaseOutcome): Effect.Effect<void>
  /**
   * The follow-up of the final attempt is complete: recovery (`Store.pendingFollowUps`) stops
   * looking for it. Until then a pass's recovery runs the follow-up again.
   */
  followedUp(attemptId: string): Effect.Effect<void, StoreError>
}>()("@recert/scheduler/FollowUps") {}

/** In-memory follow-ups for tests: every call is recorded in order. */
export interface MemoryFollowUps {
  readonly rescheduled: Array<{ caseId: string; nextDueAt: string; lastVerifiedAt: string | null }>
  readonly renewals: Array<{ caseId: string; runAt: string }>
  readonly outcomes: Map<string, CaseOutcome>
  /** Attempts whose follow-up completed, in order. */
  readonly followedUp: Array<string>
  readonly layer: Layer.Layer<FollowUps>
}

export const makeMemoryFollowUps = (onReschedule?: (caseId: string, nextDueAt: string, lastVerifiedAt: string | null) => Effect.Effect<void, CaseNotFound | StoreError>): MemoryFollowUps => {
  const rescheduled: MemoryFollowUps["rescheduled"] = []
  const renewals: MemoryFollowUps["renewals"] = []
  const outcomes = new Map<string, CaseOutcome>()
  const followedUp: Array<string> = []
  const layer = Layer.succeed(FollowUps, FollowUps.of({
    rescheduleCase: (caseId, nextDueAt, lastVerifiedAt) =>
      Effect.andThen(Effect.sync(() => rescheduled.push({ caseId, nextDueAt, lastVerifiedAt })), onReschedule?.(caseId, nextDueAt, lastVerifiedAt) ?? Effect.void),
    renewLater: (caseId, runAt) => Effect.sync(() => void renewals.push({ caseId, runAt })),
    caseOutcome: (caseId, outcome) => Effect.sync(() => void outcomes.set(caseId, outcome)),
    followedUp: (attemptId) => Effect.sync(() => void followedUp.push(attemptId))
  }))
  return { rescheduled, renewals, outcomes, followedUp, layer }
}
