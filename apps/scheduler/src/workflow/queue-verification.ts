/**
 * Asks the user to act: a Bridge update-mode token when the lineage has a Truv user and the
 * connection's access token (the user re-enters credentials for the same link), else a new order
 * (a fresh verification link) carrying the same `order_number` so correlation survives
 * (truv-api-notes §6). One queue entry per connection for Bridge (a token is per link), one for
 * the whole case for a new order.
 */
import { type CaseSnapshot, type Product, RenewalStore, type TruvError, TruvGateway, type StoreError } from "@recert/core"
import { Clock, Effect } from "effect"

export interface VerificationAsk {
  readonly kind: "bridge-update" | "new-order"
  readonly connectionIds: ReadonlyArray<string>
  /** The rule code (or task status) that sent the case here. */
  readonly reason: string
  readonly detail: string
}

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
    if (ask.kind === "bridge-update" && userId !== null) {
      for (const connectionId of ask.connectionIds) {
        const accessToken = yield* store.accessToken(connectionId)
        const { bridgeToken } = yield* truv.createBridgeToken({ userId, accessToken, product })
        yield* store.enqueueVerification({
          caseId, kind: "bridge-update", connectionIds: [connectionId], reason: ask.reason, detail: ask.detail,
          bridgeToken, shareUrl: null, orderId: null, createdAt
        })
      }
      return "bridge-update"
    }
    // The lineage model keeps no applicant names; Truv requires them, so the case id stands in
    // and the caseworker completes the order from the queue (see README "Known gaps").
    const order = yield* truv.createOrder({
      products: [product], firstName: "Applicant", lastName: caseId, orderNumber: snapshot.lineage.orderNumber
    })
    yield* store.enqueueVerification({
      caseId, kind: "new-order", connectionIds: ask.connectionIds, reason: ask.reason, detail: ask.detail,
      bridgeToken: null, shareUrl: order.shareUrl, orderId: order.id, createdAt
    })
    return "new-order"
  })
