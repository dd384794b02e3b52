/**
 * The follow-up of a final attempt: what a refresh's outcome leads to. It runs in the call that
 * made the attempt final (`apply-outcome.ts`) and, for a worker that died before marking it
 * complete, again from a pass's recovery (`runner/jobs/follow-up.ts`). Every step is idempotent:
 * the report is one row per refresh order, the reschedule skips a case verified since the
 * attempt, the retry's renewal is keyed by the attempt, and verification links already queued for
 * the attempt are not asked again. Its last step marks the attempt followed up, and schedules the
 * retry in the same write: until then the store refuses to reserve a renewal of the case
 * ("follow-up owed"), so a late recovery's follow-up never runs beside a second refresh.
 *
 * | connection outcome | follow-up |
 * |---|---|
 * | any connection `done` | fetch the report, classify it `renew`/`review` against the last verification, store it |
 * | every connection `done` | ...and move the case to its next due date |
 * | `login_error`, `mfa_error`, `unable_to_reset`, `account_locked`, `error` (imprecise: may need the user) | Bridge update-mode link (new order without a user) |
 * | `no_data`, `not_supported`, `config_error` | new order |
 * | `unavailable` | renew again when the backoff rule allows (core computes the instant) |
 */
import {
  type Attempt, type CaseNotFound, decideAt, NEEDS_USER_STATUSES, NO_DATA_STATUSES, Policy,
  RenewalStore, type StoreError, type TruvGateway, UNAVAILABLE_STATUSES
} from "@recert/core"
import { Clock, Effect } from "effect"
import { faultPoint } from "../runtime/fault-points.js"
import { CaseProgress } from "./case-progress.js"
import type { CaseOutcome, OutcomeError } from "./outcome.js"
import { productOf } from "./product.js"
import { queueVerification } from "./queue-verification.js"
import { recordVerification } from "./record-verification.js"
import { rescheduleAfter } from "./reschedule.js"
import { needsUserDetail } from "./suborder-outcome.js"

type Env = RenewalStore | TruvGateway | CaseProgress

/**
 * The follow-up of a final attempt; returns where the case stands. Idempotent (see the top of
 * the file): recovery runs it again for an attempt whose follow-up was not marked complete.
 */
export const followUp = (caseId: string, attempt: Attempt): Effect.Effect<CaseOutcome, OutcomeError, Env> =>
  Effect.gen(function*() {
    const store = yield* RenewalStore
    const progress = yield* CaseProgress
    const snapshot = yield* store.loadSnapshot(caseId)
    const statuses = attempt.connectionIds.map((id) => [id, attempt.outcomes[id]!] as const)
    const done = statuses.filter(([, s]) => s === "done").map(([id]) => id)
    const needsUser = statuses.filter(([, s]) => NEEDS_USER_STATUSES.has(s) || s === "account_locked")
    const noData = statuses.filter(([, s]) => NO_DATA_STATUSES.has(s))
    const unavailable = statuses.filter(([, s]) => UNAVAILABLE_STATUSES.has(s))
    let outcome: CaseOutcome = "refreshed"
    let retryAt: string | null = null
    if (done.length > 0 && attempt.orderId !== null) {
      const verified = yield* recordVerification(caseId, { ...attempt, orderId: attempt.orderId })
      yield* progress.caseResult(caseId, verified.class)
      yield* faultPoint("in-follow-up-after-report")
    }
    if (done.length === statuses.length) yield* rescheduleAfter(snapshot, attempt.at)
    if (unavailable.length > 0) {
      outcome = "retry-later"
      retryAt = yield* nextEligible(caseId)
    }
    if (noData.length > 0) {
      const q = yield* queueVerification(snapshot, {
        kind: "new-order", connectionIds: noData.map(([id]) => id), reason: "connection.no-data", attemptId: attempt.id,
        detail: `refresh ended ${noData.map(([, s]) => s).join(", ")}: the provider has no data for a refresh`
      })
      outcome = q.contactMissing === undefined ? "new-order-queued" : "denied"
    }
    if (needsUser.length > 0) {
      const { kind, contactMissing } = yield* queueVerification(snapshot, {
        kind: "bridge-update", connectionIds: needsUser.map(([id]) => id), attemptId: attempt.id,
        reason: needsUser.some(([, s]) => s === "account_locked") ? "connection.locked" : "connection.needs-user",
        detail: needsUserDetail(needsUser.map(([, s]) => s))
      })
      outcome = contactMissing !== undefined ? "denied" : kind === "bridge-update" ? "reauth-queued" : "new-order-queued"
    }
    yield* faultPoint("after-follow-up-before-mark")
    // The retry is scheduled with the mark (one write): until the mark, reserve refuses renewals of the case.
    yield* progress.followedUp(attempt.id, retryAt === null ? undefined : { caseId, runAt: retryAt })
    yield* progress.caseOutcome(caseId, outcome)
    return outcome
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
