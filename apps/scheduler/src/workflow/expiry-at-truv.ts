/**
 * A request past its expiry here, asked of Truv before it is expired (issue 16, "exactly once":
 * the client never holds two live links for one renewal). Expiry here is core's rule
 * (`requestExpiresAt`); Truv's may differ (an account whose Dashboard sets a longer order expiry,
 * clocks apart), and the client may have acted where its webhook was lost. So:
 *
 * | the request | Truv says | then |
 * |---|---|---|
 * | new order | the client completed it (or every employer `skipped`: already connected) | not expired: its completion follows (the webhook, or the poll) |
 * | new order | still open (not expired, not canceled) | canceled at Truv (`POST /v1/orders/{id}/cancel/`) before it is expired here, so its replacement is the client's only live link; completed in between: left to its completion |
 * | new order | expired or canceled | expired here |
 * | Bridge token | the link `done`, finished after the request was made (its report) | re-authenticated, its `task-status-updated` lost: followed to the end now (`followReauthentication`) when the caller has the services for it, else left for a pass's sweep that has |
 * | Bridge token | otherwise, or the link gone | expired here (a token cannot be canceled; it dies at Truv 6 h after it was made, when it dies here: `markVerificationSent` restarts the request's life at the send) |
 * | either | Truv does not answer now | not expired now; the next sweep asks again |
 */
import { caseProduct, RenewalStore, type RequestLifecycle, type StoreError, TruvGateway } from "@recert/core"
import { Effect, Option, Result } from "effect"
import { CaseProgress } from "./case-progress.js"
import { ClientRequests } from "./client-requests.js"
import { followReauthentication } from "./follow-request.js"
import { orderCompletion } from "./order-completion.js"

/** What Truv says of a request past its expiry here. */
export type AtTruv =
  /** The client completed it (or was already connected): its completion follows; not expired. */
  | { readonly kind: "completing" }
  /** The Bridge link was re-authenticated since the request was made (and followed to the end now, when `followed`). */
  | { readonly kind: "reauthenticated"; readonly followed: boolean }
  /** Nothing of it is live at Truv any more (expired there, canceled there now, or gone): expire it here. */
  | { readonly kind: "closed"; readonly canceledNow: boolean }
  /** Truv did not answer: not expired now. */
  | { readonly kind: "not-now"; readonly why: string }

const completedAtTruv = (order: Parameters<typeof orderCompletion>[0]): boolean => {
  const c = orderCompletion(order)
  return c.state === "completed" || (c.state === "ended" && c.statuses.length > 0 && c.statuses.every((x) => x === "skipped"))
}

/** See the top of the file. */
export const atTruvAtExpiry = (r: RequestLifecycle): Effect.Effect<AtTruv, StoreError, RenewalStore | TruvGateway> =>
  Effect.gen(function*() {
    const store = yield* RenewalStore
    const truv = yield* TruvGateway
    const q = (yield* store.openVerificationsForCase(r.caseId)).find((o) => o.id === r.id)
    if (q === undefined) return { kind: "closed", canceledNow: false } as const
    if (r.kind === "new-order") {
      if (q.orderId == null) return { kind: "closed", canceledNow: false } as const
      const read = yield* Effect.result(truv.getOrder(q.orderId))
      if (Result.isFailure(read)) return { kind: "not-now", why: `GET order: ${read.failure.message}` } as const
      const order = read.success
      if (completedAtTruv(order)) return { kind: "completing" } as const
      const openThere = !order.isExpired && order.canceledAt === null && orderCompletion(order).state === "open"
      if (!openThere) return { kind: "closed", canceledNow: false } as const
      const canceled = yield* Effect.result(truv.cancelOrder(order.id))
      if (Result.isFailure(canceled)) return { kind: "not-now", why: `cancel of the order still open at Truv: ${canceled.failure.message}` } as const
      // The client completed it between the read and the cancel: its completion follows.
      if (completedAtTruv(canceled.success)) return { kind: "completing" } as const
      yield* Effect.logInfo("verification request past its expiry still open at Truv: canceled there before it is expired and replaced", { caseId: r.caseId, requestId: r.id, orderId: order.id })
      return { kind: "closed", canceledNow: true } as const
    }
    const linkId = q.connectionIds[0]
    if (linkId === undefined) return { kind: "closed", canceledNow: false } as const
    const snapshot = yield* Effect.result(store.loadSnapshot(r.caseId))
    if (Result.isFailure(snapshot)) return snapshot.failure._tag === "CaseNotFound" ? { kind: "closed", canceledNow: false } as const : yield* Effect.fail(snapshot.failure)
    const state = yield* Effect.result(truv.linkState(linkId, caseProduct(snapshot.success.case, snapshot.success.lineage)))
    if (Result.isFailure(state)) {
      return state.failure._tag === "NotFound" ? { kind: "closed", canceledNow: false } as const : { kind: "not-now", why: `link report: ${state.failure.message}` } as const
    }
    const { status, finishedAt } = state.success
    if (status !== "done" || finishedAt === null || !(Date.parse(finishedAt) > Date.parse(r.createdAt))) return { kind: "closed", canceledNow: false } as const
    // Re-authenticated, its webhook lost: followed to the end now where the services are at hand.
    const progress = yield* Effect.serviceOption(CaseProgress)
    const requests = yield* Effect.serviceOption(ClientRequests)
    if (Option.isNone(progress) || Option.isNone(requests)) return { kind: "reauthenticated", followed: false } as const
    const followed = yield* Effect.result(followReauthentication(linkId, finishedAt).pipe(
      Effect.provideService(CaseProgress, progress.value), Effect.provideService(ClientRequests, requests.value)
    ))
    if (Result.isFailure(followed)) {
      yield* Effect.logWarning("a re-authentication found at the request's expiry could not be followed now; the next sweep tries again", { caseId: r.caseId, requestId: r.id, error: followed.failure.message })
      return { kind: "reauthenticated", followed: false } as const
    }
    yield* Effect.logInfo("Bridge request past its expiry: the link was re-authenticated (its webhook lost); followed to the end", { caseId: r.caseId, requestId: r.id })
    return { kind: "reauthenticated", followed: true } as const
  })

/** Whether the request must be expired here now (see the table at the top). */
export const expiresNow = (t: AtTruv): boolean => t.kind === "closed"
