/**
 * Acting on a refresh's outcome, however it was learned (webhook or poll). Each connection's
 * terminal task status is recorded once (`recordOutcome` is idempotent and keeps the first
 * terminal status), and the follow-up runs exactly when the attempt becomes final in this call,
 * so a duplicate or late event changes nothing.
 *
 * The follow-up is durable: its last step marks the attempt followed up (`FollowUps.followedUp`).
 * A worker killed between recording the outcome and that mark leaves the attempt owed, and the
 * next pass's recovery runs `followUp` again (a `follow-up` job, see run-pass.ts). Every step is
 * idempotent, so a follow-up run again after a partial one adds nothing: the report is one row per
 * refresh order, the reschedule skips a case verified since the attempt, the retry's renewal is
 * keyed by the attempt, and verification links already queued for the attempt are not asked again.
 *
 * | connection outcome | follow-up |
 * |---|---|
 * | every connection `done` | store the refreshed report; move the case to its next due date |
 * | `login_error`, `mfa_error`, `unable_to_reset`, `account_locked` | Bridge update-mode link (new order without a user) |
 * | `no_data`, `not_supported`, `config_error` | new order |
 * | `unavailable`, `error` | renew again when the backoff rule allows (core computes the instant) |
 */
import {
  type Attempt, type AttemptNotFound, type CaseNotFound, CYCLE_MONTHS, type CaseSnapshot, decideAt, type IllegalTransition,
  NEEDS_USER_STATUSES, NO_DATA_STATUSES, Policy, RenewalStore, type StoreError, TERMINAL_STATUSES, type TaskStatus,
  type TruvError, TruvGateway, UNAVAILABLE_STATUSES
} from "@recert/core"
import { Clock, Effect, Schedule } from "effect"
import { FollowUps } from "./follow-up-port.js"
import type { CaseOutcome } from "./outcome.js"
import { productOf, queueVerification } from "./queue-verification.js"

export type OutcomeError = StoreError | AttemptNotFound | IllegalTransition | CaseNotFound | TruvError
type Env = RenewalStore | TruvGateway | FollowUps

const isFinal = (a: Attempt): boolean => a.status === "succeeded" || a.status === "failed"

/**
 * Records `status` for one connection of the attempt that created `orderId`. Returns what
 * happened: `ignored` (not ours, not terminal, or already known), `recorded`, or the case's
 * outcome when this call made the attempt final.
 */
export const applyOutcome = (input: { readonly orderId: string; readonly connectionId: string; readonly status: TaskStatus; readonly at: string }): Effect.Effect<
  { readonly kind: "ignored"; readonly why: string } | { readonly kind: "recorded" } | { readonly kind: "final"; readonly caseId: string; readonly outcome: CaseOutcome },
  OutcomeError, Env
> =>
  Effect.gen(function*() {
    const store = yield* RenewalStore
    if (!TERMINAL_STATUSES.has(input.status)) return { kind: "ignored", why: `status ${input.status} is not terminal` } as const
    const found = yield* store.findAttemptByOrderId(input.orderId)
    if (found === null) return { kind: "ignored", why: `no attempt created order ${input.orderId}` } as const
    const before = found.attempt
    if (!before.connectionIds.includes(input.connectionId)) return { kind: "ignored", why: `connection ${input.connectionId} not in attempt ${before.id}` } as const
    if (before.outcomes[input.connectionId] !== undefined) return { kind: "ignored", why: "outcome already recorded" } as const
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
    const after = yield* store.recordOutcome(before.id, input.connectionId, input.status, input.at)
    if (isFinal(before) || !isFinal(after)) return { kind: "recorded" } as const
    // This call made the attempt final: the follow-up runs here (a redelivered event finds the
    // outcome recorded and is ignored), so a one-off 500 is retried on the spot. If this worker
    // dies first, the attempt stays owed and a later pass's recovery runs the follow-up.
    const outcome = yield* followUp(found.caseId, after).pipe(Effect.retry({ times: 3, schedule: Schedule.exponential("200 millis") }))
    return { kind: "final", caseId: found.caseId, outcome } as const
  })

const addMonths = (iso: string, months: number): string => {
  const d = new Date(iso)
  d.setUTCMonth(d.getUTCMonth() + months)
  return d.toISOString()
}

/**
 * The follow-up of a final attempt; returns where the case stands. Idempotent (see the top of
 * the file): recovery runs it again for an attempt whose follow-up was not marked complete.
 */
export const followUp = (caseId: string, attempt: Attempt): Effect.Effect<CaseOutcome, OutcomeError, Env> =>
  Effect.gen(function*() {
    const store = yield* RenewalStore
    const followUps = yield* FollowUps
    const snapshot = yield* store.loadSnapshot(caseId)
    const statuses = attempt.connectionIds.map((id) => [id, attempt.outcomes[id]!] as const)
    const done = statuses.filter(([, s]) => s === "done").map(([id]) => id)
    const needsUser = statuses.filter(([, s]) => NEEDS_USER_STATUSES.has(s) || s === "account_locked")
    const noData = statuses.filter(([, s]) => NO_DATA_STATUSES.has(s))
    const unavailable = statuses.filter(([, s]) => UNAVAILABLE_STATUSES.has(s))
    let outcome: CaseOutcome = "refreshed"
    if (done.length > 0) yield* saveResult(snapshot, attempt)
    if (done.length === statuses.length) yield* reschedule(snapshot, attempt)
    if (unavailable.length > 0) {
      outcome = "retry-later"
      const retryAt = yield* nextEligible(caseId)
      if (retryAt !== null) yield* followUps.renewLater(caseId, retryAt, attempt.id)
    }
    if (noData.length > 0) {
      outcome = "new-order-queued"
      yield* queueVerification(snapshot, {
        kind: "new-order", connectionIds: noData.map(([id]) => id), reason: "connection.no-data", attemptId: attempt.id,
        detail: `refresh ended ${noData.map(([, s]) => s).join(", ")}: the provider has no data for a refresh`
      })
    }
    if (needsUser.length > 0) {
      const { kind } = yield* queueVerification(snapshot, {
        kind: "bridge-update", connectionIds: needsUser.map(([id]) => id), attemptId: attempt.id,
        reason: needsUser.some(([, s]) => s === "account_locked") ? "connection.locked" : "connection.needs-user",
        detail: `refresh ended ${needsUser.map(([, s]) => s).join(", ")}: the user must re-authenticate`
      })
      outcome = kind === "bridge-update" ? "reauth-queued" : "new-order-queued"
    }
    yield* followUps.followedUp(attempt.id)
    yield* followUps.caseOutcome(caseId, outcome)
    return outcome
  })

/** Stores the refresh order's report; saving it again replaces it (one result per case and order). */
const saveResult = (snapshot: CaseSnapshot, attempt: Attempt) =>
  Effect.gen(function*() {
    const store = yield* RenewalStore
    const truv = yield* TruvGateway
    const order = yield* truv.getOrder(attempt.orderId!)
    const receivedAt = new Date(yield* Clock.currentTimeMillis).toISOString()
    yield* store.saveResult({
      caseId: snapshot.case.id, orderId: order.id, product: attempt.product, receivedAt,
      employmentStatus: null, annualIncome: null, payPeriods: null,
      data: { orderId: order.id, orderNumber: order.orderNumber, suborders: order.suborders, outcomes: attempt.outcomes }
    })
  })

/**
 * Next due = due + cycle, last verified = now. Idempotent: a case already verified at or after
 * this attempt is left alone (a second follow-up must not push the due date twice).
 */
const reschedule = (snapshot: CaseSnapshot, attempt: Attempt) =>
  Effect.gen(function*() {
    const followUps = yield* FollowUps
    const c = snapshot.case
    if (c.lastVerifiedAt !== null && Date.parse(c.lastVerifiedAt) >= Date.parse(attempt.at)) return
    const now = new Date(yield* Clock.currentTimeMillis).toISOString()
    const months = CYCLE_MONTHS[c.cycle]
    yield* followUps.rescheduleCase(c.id, months === null ? c.dueAt : addMonths(c.dueAt, months), now)
  })

/** When core would next allow a refresh of the case (the backoff rule's instant), if any. */
export const nextEligible = (caseId: string): Effect.Effect<string | null, StoreError | CaseNotFound, RenewalStore> =>
  Effect.gen(function*() {
    const store = yield* RenewalStore
    const snapshot = yield* store.loadSnapshot(caseId)
    const decision = decideAt(
      { lineage: snapshot.lineage, ledger: [...snapshot.ledger], request: { products: [productOf(snapshot)] } },
      yield* Clock.currentTimeMillis, yield* Policy
    )
    return decision.verdict === "refresh" ? new Date(yield* Clock.currentTimeMillis).toISOString() : decision.nextEligibleAt
  })
