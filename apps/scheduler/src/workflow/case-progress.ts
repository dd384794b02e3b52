/**
 * `CaseProgress`: where a case goes next and where it stands, the port the renewal workflow needs
 * beyond core's `RenewalStore`. Its two halves: the case's next steps (moving a renewed case to its
 * next due date, scheduling a later renewal: a retry after backoff, a rate window that opens;
 * marking a follow-up complete) and reporting where each case ended (the run report's rows).
 * (It was `FollowUps`, a name for the first half only.) The scheduler provides it over
 * `@recert/store`'s job queue (`runner/store-case-progress.ts`); tests use `makeMemoryCaseProgress`.
 */
import type { CaseNotFound, ChangeClass, StoreError } from "@recert/core"
import { Context, Effect, Layer } from "effect"
import type { CaseOutcome } from "./outcome.js"

export class CaseProgress extends Context.Service<CaseProgress, {
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
  /** The class of the case's verification stored (or found stored) by a follow-up: `renew` or `review`, one per case. */
  caseResult(caseId: string, result: ChangeClass): Effect.Effect<void>
  /**
   * The follow-up of the final attempt is complete: recovery (`Store.pendingFollowUps`) stops
   * looking for it. Until then a pass's recovery runs the follow-up again. `renewAt`: the retry the
   * follow-up asks for (a renewal of the case at that ISO instant, keyed by the attempt as
   * `renewLater`'s), scheduled with the mark in one write: before the mark, `reserve` refuses
   * every renewal of the case ("follow-up owed"), so a retry due at once would be refused and lost.
   */
  followedUp(attemptId: string, renewAt?: { readonly caseId: string; readonly runAt: string }): Effect.Effect<void, StoreError>
}>()("@recert/scheduler/CaseProgress") {}

/** In-memory case progress for tests: every call is recorded in order. */
export interface MemoryCaseProgress {
  readonly rescheduled: Array<{ caseId: string; nextDueAt: string; lastVerifiedAt: string | null }>
  readonly renewals: Array<{ caseId: string; runAt: string }>
  readonly outcomes: Map<string, CaseOutcome>
  readonly results: Map<string, ChangeClass>
  /** Attempts whose follow-up completed, in order. */
  readonly followedUp: Array<string>
  readonly layer: Layer.Layer<CaseProgress>
}

export const makeMemoryCaseProgress = (onReschedule?: (caseId: string, nextDueAt: string, lastVerifiedAt: string | null) => Effect.Effect<void, CaseNotFound | StoreError>): MemoryCaseProgress => {
  const rescheduled: MemoryCaseProgress["rescheduled"] = []
  const renewals: MemoryCaseProgress["renewals"] = []
  const outcomes = new Map<string, CaseOutcome>()
  const results = new Map<string, ChangeClass>()
  const followedUp: Array<string> = []
  const layer = Layer.succeed(CaseProgress, CaseProgress.of({
    rescheduleCase: (caseId, nextDueAt, lastVerifiedAt) =>
      Effect.andThen(Effect.sync(() => rescheduled.push({ caseId, nextDueAt, lastVerifiedAt })), onReschedule?.(caseId, nextDueAt, lastVerifiedAt) ?? Effect.void),
    renewLater: (caseId, runAt) => Effect.sync(() => void renewals.push({ caseId, runAt })),
    caseOutcome: (caseId, outcome) => Effect.sync(() => void outcomes.set(caseId, outcome)),
    caseResult: (caseId, result) => Effect.sync(() => void results.set(caseId, result)),
    followedUp: (attemptId, renewAt) => Effect.sync(() => {
      followedUp.push(attemptId)
      if (renewAt !== undefined) renewals.push({ caseId: renewAt.caseId, runAt: renewAt.runAt })
    })
  }))
  return { rescheduled, renewals, outcomes, results, followedUp, layer }
}
