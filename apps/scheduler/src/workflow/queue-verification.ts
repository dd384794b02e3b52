/**
 * Asks the user to act: a Bridge update-mode token when the lineage has a Truv user and the
 * connection's access token (the user re-enters credentials for the same link), else a new order
 * (a fresh verification link) carrying the same `order_number` so correlation survives
 * (truv-api-notes §6). One queue entry per connection for Bridge (a token is per link), one for
 * the whole case for a new order.
 *
 * Asked by a final attempt's follow-up (`attemptId`), it is idempotent: entries that follow-up
 * already queued (same kind and connections) are not asked again, so a follow-up run again after
 * a crash creates no second Bridge token or new order. What remains: killed after Truv answered
 * and before the entry was stored, the re-run asks Truv once more (nothing was queued).
 */
import { type CaseSnapshot, type Product, RenewalStore, type TruvError, TruvGateway, type StoreError } from "@recert/core"
import { Clock, Effect } from "effect"

export interface VerificationAsk {
  readonly kind: "bridge-update" | "new-order"
  readonly connectionIds: ReadonlyArray<string>
  /** The rule code (or task status) that sent the case here. */
  readonly reason: string
  readonly detail: string
  /** The final attempt whose follow-up asks (absent: a decision asks, without a refresh). */
  readonly attemptId?: string
}

const sameIds = (a: ReadonlyArray<string>, b: ReadonlyArray<string>): boolean => a.length === b.length && a.every((id, i) => id === b[i])

export const productOf = (snapshot: CaseSnapshot): Product => snapshot.case.product ?? snapshot.lineage.orderType

/** Queues the ask; returns the kind actually queued (bridge-update falls back to new-order without a user). */
export const queueVerification = (snapshot: CaseSnapshot, ask: VerificationAsk): Effect.Effect<"bridge-update" | "new-order", TruvError | StoreError, RenewalStore | TruvGateway> =>
  Effect.gen(function*() {
    const store = yield* RenewalStore
    const truv = yield* TruvGateway
    const createdAt = new Date(yield* Clock.currentTimeMillis).toISOString()
    const product = productOf(snapshot)
    const userId = snapshot.lineage.userId
    const caseId = snapshot.case.id
    const queued = ask.attemptId === undefined ? [] : yield* store.verificationsForAttempt(ask.attemptId)
    const already = (kind: VerificationAsk["kind"], connectionIds: ReadonlyArray<string>) =>
      queued.some((q) => q.kind === kind && sameIds(q.connectionIds, connectionIds))
    const origin = ask.attemptId === undefined ? {} : { attemptId: ask.attemptId }
    if (ask.kind === "bridge-update" && userId !== null) {
      for (const connectionId of ask.connectionIds) {
        if (already("bridge-update", [connectionId])) continue
        const accessToken = yield* store.accessToken(connectionId)
        const { bridgeToken } = yield* truv.createBridgeToken({ userId, accessToken, product })
        yield* store.enqueueVerification({
          caseId, kind: "bridge-update", connectionIds: [connectionId], reason: ask.reason, detail: ask.detail,
          bridgeToken, shareUrl: null, orderId: null, createdAt, ...origin
        })
      }
      return "bridge-update"
    }
    if (already("new-order", ask.connectionIds)) return "new-order"
    // The lineage model keeps no applicant names; Truv requires them, so the case id stands in
    // and the caseworker completes the order from the queue (see README "Known gaps").
    const order = yield* truv.createOrder({
      products: [product], firstName: "Applicant", lastName: caseId, orderNumber: snapshot.lineage.orderNumber
    })
    yield* store.enqueueVerification({
      caseId, kind: "new-order", connectionIds: ask.connectionIds, reason: ask.reason, detail: ask.detail,
      bridgeToken: null, shareUrl: order.shareUrl, orderId: order.id, createdAt, ...origin
    })
    return "new-order"
  })
