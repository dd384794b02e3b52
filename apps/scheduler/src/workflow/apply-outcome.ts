/**
 * Recording a refresh's outcome, however it was learned (webhook or poll). Each connection's
 * terminal task status is recorded once (`recordOutcome` is idempotent and keeps the first
 * terminal status), and the follow-up (`follow-up.ts`) runs exactly when the attempt becomes
 * final in this call, so a duplicate or late event changes nothing.
 *
 * The follow-up is durable: its last step marks the attempt followed up (`CaseProgress.followedUp`).
 * A worker killed between recording the outcome and that mark leaves the attempt owed, and the
 * next pass's recovery runs `followUp` again (a `follow-up` job, see `runner/jobs/follow-up.ts`). Every step is
 * idempotent, so a follow-up run again after a partial one adds nothing: the report is one row per
 * refresh order, the reschedule skips a case verified since the attempt, the retry's renewal is
 * keyed by the attempt, and verification links already queued for the attempt are not asked again.
 */
import { type Attempt, RenewalStore, TERMINAL_STATUSES, type TaskStatus, type TruvGateway } from "@recert/core"
import { Effect, Schedule } from "effect"
import { faultPoint } from "../runtime/fault-points.js"
import type { CaseProgress } from "./case-progress.js"
import { followUp } from "./follow-up.js"
import type { CaseOutcome, OutcomeError } from "./outcome.js"

export type { OutcomeError } from "./outcome.js"
type Env = RenewalStore | TruvGateway | CaseProgress

/** Why an outcome changed nothing: `unknown-order` may only mean the event overtook our own record. */
export type IgnoredReason = "not-terminal" | "unknown-order" | "not-in-attempt" | "already-recorded"

const isFinal = (a: Attempt): boolean => a.status === "succeeded" || a.status === "failed"

/**
 * Records `status` for one connection of the attempt that created `orderId`. Returns what
 * happened: `ignored` (not ours, not terminal, or already known), `recorded`, or the case's
 * outcome when this call made the attempt final.
 */
export const applyOutcome = (input: { readonly orderId: string; readonly connectionId: string; readonly status: TaskStatus; readonly at: string }): Effect.Effect<
  { readonly kind: "ignored"; readonly reason: IgnoredReason; readonly why: string } | { readonly kind: "recorded" } | { readonly kind: "final"; readonly caseId: string; readonly outcome: CaseOutcome },
  OutcomeError, Env
> =>
  Effect.gen(function*() {
    const store = yield* RenewalStore
    if (!TERMINAL_STATUSES.has(input.status)) return { kind: "ignored", reason: "not-terminal", why: `status ${input.status} is not terminal` } as const
    const found = yield* store.findAttemptByOrderId(input.orderId)
    if (found === null) return { kind: "ignored", reason: "unknown-order", why: `no attempt created order ${input.orderId}` } as const
    const before = found.attempt
    if (!before.connectionIds.includes(input.connectionId)) return { kind: "ignored", reason: "not-in-attempt", why: `connection ${input.connectionId} not in attempt ${before.id}` } as const
    if (before.outcomes[input.connectionId] !== undefined) return { kind: "ignored", reason: "already-recorded", why: "outcome already recorded" } as const
    // An outcome may arrive for an attempt we still think is `unknown`/`reserved` (we crashed
    // after sending): it proves Truv accepted it.
    if (before.status === "unknown") yield* store.transitionAttempt(before.id, "sent", { orderId: input.orderId })
    // The connection's status first, then the attempt's outcome: while the attempt is still in
    // flight it blocks the lineage, so no reservation ever sees it final with the connection's
    // older status (a refresh that failed with login_error then looked refreshable again, and was
    // sent twice: the chaos suite, a worker killed between the two writes or another worker's
    // reservation landing between them). Killed in between, the attempt stays in flight and the
    // next delivery or poll records it (the connection update is idempotent).
    yield* store.updateConnection(input.connectionId, { lastTaskStatus: input.status, lastStatusAt: input.at })
    yield* faultPoint("after-connection-update")
    const after = yield* store.recordOutcome(before.id, input.connectionId, input.status, input.at)
    if (isFinal(before) || !isFinal(after)) return { kind: "recorded" } as const
    yield* faultPoint("after-record-before-follow-up")
    // This call made the attempt final: the follow-up runs here (a redelivered event finds the
    // outcome recorded and is ignored), so a one-off 500 is retried on the spot. If this worker
    // dies first, the attempt stays owed and a later pass's recovery runs the follow-up.
    const outcome = yield* followUp(found.caseId, after).pipe(Effect.retry({ times: 3, schedule: Schedule.exponential("200 millis") }))
    return { kind: "final", caseId: found.caseId, outcome } as const
  })

