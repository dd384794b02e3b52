/**
 * The verification of a refresh whose connections came back `done` (however the scheduler learned
 * it: `order-status-updated` `completed`, `task-status-updated` `done`, or a poll): the renewal's
 * product. Reads, in order:
 *
 * 1. the case's latest verification (`RenewalStore.latestVerification`): if it is this refresh
 *    order's, a follow-up already stored it before a crash, and nothing is fetched again;
 * 2. the report (`TruvGateway.fetchReport`: the order, then each completed connection's link
 *    report), as core's snapshot with Truv's JSON beside it;
 * 3. the imported baseline (`RenewalStore.importedBaseline`) when the case has no earlier verification;
 *
 * then classifies it with core's `assessVerification` under the policy's `results` section and
 * saves the `VerificationRecord` (via `refresh`, keyed by case and order, first write wins; a
 * client's completed request goes the same way, `recordVerificationOf`, via `new-order` or
 * `reauthentication`). A
 * report that cannot be read is not an error here: core classifies it `review` with
 * `report.not-usable`. Truv not answering fails, and the follow-up runs again (retry, recovery).
 */
import {
  assessVerification, type Attempt, type ChangeClass, Policy, type Product, RenewalStore, resultsPolicyOf, type StoreError, type TruvError, TruvGateway,
  type VerificationVia
} from "@recert/core"
import { Clock, Effect } from "effect"

/** Where the verification came from: stored by this call, or found stored by an earlier run of the follow-up. */
export interface RecordedVerification {
  readonly class: ChangeClass
  readonly stored: boolean
}

/** What a verification is made from: the finished order (or a re-authenticated link), how the data came, the attempt if a refresh. */
export interface VerificationSource {
  /** The order whose data it is (for a refresh the NEW order; for a Bridge re-authentication the request's key). */
  readonly orderId: string
  readonly product: Product
  readonly via: VerificationVia
  readonly attemptId: string | null
  /** Read these links' reports instead of the order's completed suborders (a Bridge re-authentication). */
  readonly linkIds?: ReadonlyArray<string>
}

/**
 * Fetches, classifies and stores the verification of a refresh attempt (its `orderId` is the new
 * order). Idempotent: a second call for the same attempt finds it stored and fetches nothing.
 *
 * @example
 * const { class: cls } = yield* recordVerification("case-1", attempt)   // "renew" | "review"
 */
export const recordVerification = (caseId: string, attempt: Attempt & { readonly orderId: string }): Effect.Effect<RecordedVerification, StoreError | TruvError, RenewalStore | TruvGateway> =>
  recordVerificationOf(caseId, { orderId: attempt.orderId, product: attempt.product, via: "refresh", attemptId: attempt.id })

/**
 * The same for any source: a refresh, a new order the client completed, a re-authenticated link
 * (issue 16: a completed client request ends in the same summary and classification as a refresh).
 */
export const recordVerificationOf = (caseId: string, source: VerificationSource): Effect.Effect<RecordedVerification, StoreError | TruvError, RenewalStore | TruvGateway> =>
  Effect.gen(function*() {
    const store = yield* RenewalStore
    const previous = yield* store.latestVerification(caseId)
    if (previous !== null && previous.orderId === source.orderId) return { class: previous.result.class, stored: false }
    const now = yield* Clock.currentTimeMillis
    const fetchedAt = new Date(now).toISOString()
    const { snapshot, raw } = yield* (yield* TruvGateway).fetchReport({
      orderId: source.orderId, product: source.product, fetchedAt, ...(source.linkIds === undefined ? {} : { linkIds: source.linkIds })
    })
    const importedBaseline = previous === null ? yield* store.importedBaseline(caseId) : null
    const result = assessVerification(snapshot, { now, previous: previous?.snapshot ?? null, importedBaseline, policy: resultsPolicyOf(yield* Policy) })
    const stored = yield* store.saveVerification({
      caseId, orderId: source.orderId, attemptId: source.attemptId, via: source.via, verifiedAt: fetchedAt, snapshot, result, raw
    })
    if (stored) return { class: result.class, stored }
    // Another run of this follow-up stored it first (first write wins): report what it stored.
    const winner = yield* store.latestVerification(caseId)
    return { class: winner?.orderId === source.orderId ? winner.result.class : result.class, stored }
  })
