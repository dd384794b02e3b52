/**
 * A client request followed to its end (issue 16): the client came back, so the case ends in the
 * same summary and classification as a refresh, its lineage moves on, and the request is
 * completed. Learned from webhooks (`process-webhook.ts`) or, when none came, by polling the
 * order (`runner/jobs/request-check.ts`); every step is idempotent, so a duplicate event, a poll
 * racing a webhook, or a run after a crash adds nothing.
 *
 * | the client | learned from | then |
 * |---|---|---|
 * | completed the new order (every employer terminal, at least one `completed`: `order-completion.ts`) | `order-status-updated`, or `GET /v1/orders/{id}/` | 1. fetch its report, classify, store (`via: "new-order"`); 2. the case moves to the new order's lineage (new root, its connections and access tokens, authenticated now); 3. rescheduled; 4. the request completed |
 * | is "already connected": the new order's employers all `skipped` (Bridge said "Already Connected", the client could not finish), or its completed employers are links the case already has | the same | as Truv advises (help centre): the new order canceled, the request completed, the asked links marked `done` (Truv holds them active), the case renewed now: its original order refreshed, if core allows it |
 * | re-authenticated through Bridge | `task-status-updated` `done` for the request's link (its `tracking_info` is our key) | the connection authenticated at the event's instant, status `done`; its report fetched (the link's, `via: "reauthentication"`), classified, stored; rescheduled; the request completed |
 * | new order ended with no employer completed, not all skipped (expired, canceled, no data) | the same | nothing here: the request stays open for its expiry and replacement (the request state machine) |
 *
 * The order of the steps makes a crash harmless: the request is completed last, so until then a
 * redelivered event or the next poll runs the rest again (the verification is keyed by case and
 * order, the move is fenced on the case's root, the reschedule skips a case verified since the
 * request was made).
 */
import {
  type CaseSnapshot, type ChangeClass, type Connection, type InvalidInput, type LineageInput, type QueuedVerification, RenewalStore, type TruvOrder, TruvGateway
} from "@recert/core"
import type { CompletionHow } from "@recert/store"
import { Clock, Effect, Result } from "effect"
import { faultPoint } from "../runtime/fault-points.js"
import { CaseProgress } from "./case-progress.js"
import { ClientRequests } from "./client-requests.js"
import { rescheduleAfter } from "./reschedule.js"
import { orderCompletion } from "./order-completion.js"
import type { OutcomeError } from "./outcome.js"
import { productOf } from "./product.js"
import { recordVerificationOf } from "./record-verification.js"

type Env = RenewalStore | TruvGateway | CaseProgress | ClientRequests
/** A lineage that does not validate (a new order's connection without a provider, say) is the move's `InvalidInput`. */
export type FollowError = OutcomeError | InvalidInput

/** What following one request came to. */
export type RequestFollowed =
  | { readonly kind: "completed"; readonly caseId: string; readonly requestId: number; readonly how: CompletionHow; readonly class: ChangeClass | null }
  | { readonly kind: "waiting"; readonly requestId: number; readonly why: string }
  | { readonly kind: "resolved"; readonly requestId: number; readonly why: string }

/** The words the inbox keeps for a result (`webhook_inbox.result`) and the logs use. */
export const requestFollowedText = (r: RequestFollowed): string =>
  r.kind === "completed"
    ? `request ${r.requestId} completed (${r.how}) for case ${r.caseId}${r.class === null ? "" : `: ${r.class}`}`
    : `request ${r.requestId} ${r.kind}: ${r.why}`

const isoNow = Effect.map(Clock.currentTimeMillis, (ms) => new Date(ms).toISOString())

/** Completes the request and logs how (the request's transition reason, once transitions are recorded). */
const complete = (request: QueuedVerification, how: CompletionHow, cls: ChangeClass | null) =>
  Effect.gen(function*() {
    const requests = yield* ClientRequests
    const completedNow = yield* requests.completeRequest(request.id, yield* isoNow, how)
    if (completedNow) yield* Effect.logInfo("client request completed", { caseId: request.caseId, requestId: request.id, how })
    return { kind: "completed", caseId: request.caseId, requestId: request.id, how, class: cls } as const
  })

/**
 * The new order's lineage: its root and its completed connections (authenticated `now`). A link
 * the case already had (Truv reused it) keeps its provider and auth kind; a new link's auth kind
 * is `unknown` (the order does not say OAuth or session), so core never assumes an expiry it
 * cannot know. The case keeps its own `order_number` (Truv's carries our request key after it).
 */
const lineageOfOrder = (snapshot: CaseSnapshot, order: TruvOrder, completed: ReadonlyArray<TruvOrder["suborders"][number] & { readonly linkId: string }>, now: string) => {
  const old = new Map(snapshot.lineage.connections.map((c) => [c.id, c]))
  const connections = completed.filter((s) => s.accessToken != null).map((s): Connection => {
    const kept = old.get(s.linkId)
    return {
      id: s.linkId, suborderId: s.id, suborderNumber: s.suborderNumber, kind: s.kind,
      provider: kept?.provider ?? s.provider ?? s.dataSource ?? "unknown", authKind: kept?.authKind ?? "unknown",
      authenticatedAt: now, lastTaskStatus: "done", lastStatusAt: now, mfaOnEveryLogin: kept?.mfaOnEveryLogin ?? false
    }
  })
  const lineage: LineageInput = {
    rootOrderId: order.id, orderType: snapshot.lineage.orderType, gse: snapshot.lineage.gse, orderNumber: snapshot.lineage.orderNumber,
    userId: order.userId ?? snapshot.lineage.userId, status: "open", orders: [{ id: order.id, parentId: null, createdAt: order.createdAt }], connections
  }
  const accessTokens = Object.fromEntries(completed.flatMap((s) => s.accessToken == null ? [] : [[s.linkId, s.accessToken] as const]))
  return { lineage, accessTokens }
}

/**
 * "Already connected" (truv-reports-notes §3.4, Truv's help centre): the client's old link still
 * works, so Bridge would not let them connect again (the new order's employers end `skipped`), or
 * Truv attached the old link to the new order. As Truv advises: the new order is canceled, and the
 * original order refreshed (a renewal of the case now, decided by core like any other); the links
 * are marked `done` (Truv holds them active), so a needs-user or no-data status from before does
 * not send the case straight back to the client. A client who merely gave up looks the same: one
 * refresh is then tried for nothing, and its failure asks the client again.
 */
const alreadyConnected = (request: QueuedVerification, order: TruvOrder, linkIds: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const store = yield* RenewalStore
    const now = yield* isoNow
    const canceled = yield* Effect.result((yield* TruvGateway).cancelOrder(order.id))
    if (Result.isFailure(canceled)) yield* Effect.logWarning("the new order of an already connected client could not be canceled", { caseId: request.caseId, orderId: order.id, error: canceled.failure._tag })
    for (const id of linkIds) yield* store.updateConnection(id, { lastTaskStatus: "done", lastStatusAt: now })
    yield* (yield* CaseProgress).renewLater(request.caseId, now)
    return yield* complete(request, "already-connected", null)
  })

/**
 * Follows a new-order request: reads its order (`GET /v1/orders/{id}/`) and, once the client
 * completed it, finishes the renewal (see the top of the file).
 */
export const followNewOrder = (request: QueuedVerification): Effect.Effect<RequestFollowed, FollowError, Env> =>
  Effect.gen(function*() {
    if (request.resolvedAt !== null) return { kind: "resolved", requestId: request.id, why: `resolved ${request.resolvedAt} (${request.resolution ?? "?"})` } as const
    if (request.orderId === null) return { kind: "waiting", requestId: request.id, why: "Truv's order not known yet" } as const
    const order = yield* (yield* TruvGateway).getOrder(request.orderId)
    const completion = orderCompletion(order)
    if (completion.state === "open") return { kind: "waiting", requestId: request.id, why: `order ${order.id}: ${completion.open.length === 0 ? "no employer chosen yet" : `${completion.open.length} employer(s) still open`}` } as const
    const store = yield* RenewalStore
    if (completion.state === "ended") {
      // Every employer `skipped`: the client opened the link and could not finish, what Bridge's
      // "Already Connected" leaves (help centre; the sandbox's clients do the same).
      const skipped = completion.statuses.length > 0 && completion.statuses.every((x) => x === "skipped")
      if (!skipped) return { kind: "waiting", requestId: request.id, why: `order ${order.id} ended without data (${completion.statuses.join(", ") || "no employer"}): left to the request's expiry` } as const
      const known = new Set((yield* store.loadSnapshot(request.caseId)).lineage.connections.map((c) => c.id))
      return yield* alreadyConnected(request, order, request.connectionIds.filter((id) => known.has(id)))
    }
    const snapshot = yield* store.loadSnapshot(request.caseId)
    const moved = snapshot.lineage.rootOrderId === order.id
    const known = new Set(snapshot.lineage.connections.map((c) => c.id))
    if (!moved && completion.completed.every((s) => known.has(s.linkId))) return yield* alreadyConnected(request, order, completion.completed.map((s) => s.linkId))
    // 1. The verification, as a refresh's (keyed by case and order: a second run fetches nothing).
    const verified = yield* recordVerificationOf(request.caseId, { orderId: order.id, product: productOf(snapshot), via: "new-order", attemptId: null })
    yield* (yield* CaseProgress).caseResult(request.caseId, verified.class)
    // 2. The lineage moves on (fenced on the case's current root: a second run changes nothing).
    if (!moved) {
      const { lineage, accessTokens } = lineageOfOrder(snapshot, order, completion.completed, yield* isoNow)
      yield* (yield* ClientRequests).moveLineage({ caseId: request.caseId, fromRootOrderId: snapshot.lineage.rootOrderId, lineage, accessTokens })
    }
    // 3. Rescheduled (skipped when verified since the request was made), 4. completed.
    yield* rescheduleAfter(snapshot, request.createdAt)
    yield* faultPoint("in-request-completion")
    return yield* complete(request, "new-order", verified.class)
  })

/** Follows the new-order request whose order is `orderId`, if one is ours; null when none is. */
export const followOrderEvent = (orderId: string): Effect.Effect<RequestFollowed | null, FollowError, Env> =>
  Effect.gen(function*() {
    const request = yield* (yield* ClientRequests).requestForOrder(orderId)
    return request === null ? null : yield* followNewOrder(request)
  })

/**
 * A link re-authenticated through Bridge (`task-status-updated` `done`): every open Bridge request
 * for it is completed, after the link's authentication and status are updated and its report is
 * stored as the case's verification (keyed by the request's key: no order of ours carries it).
 * Null when no open request covers the link (a refresh's own task, or someone else's).
 */
export const followReauthentication = (linkId: string, at: string): Effect.Effect<RequestFollowed | null, FollowError, Env> =>
  Effect.gen(function*() {
    const open = yield* (yield* ClientRequests).openRequestsForConnection(linkId)
    const first = open[0]
    if (first === undefined) return null
    const store = yield* RenewalStore
    yield* store.updateConnection(linkId, { authenticatedAt: at, lastTaskStatus: "done", lastStatusAt: at })
    const snapshot = yield* store.loadSnapshot(first.caseId)
    const verified = yield* recordVerificationOf(first.caseId, {
      orderId: first.requestKey ?? `request-${first.id}`, product: productOf(snapshot), via: "reauthentication", attemptId: null, linkIds: [linkId]
    })
    yield* (yield* CaseProgress).caseResult(first.caseId, verified.class)
    // Rescheduled only when no other connection of the case still waits for its client.
    const others = (yield* store.openVerificationsForCase(first.caseId)).filter((q) => !open.some((o) => o.id === q.id))
    if (others.length === 0) yield* rescheduleAfter(snapshot, first.createdAt)
    yield* faultPoint("in-request-completion")
    let result: RequestFollowed | null = null
    for (const request of open) result = yield* complete(request, "reauthentication", verified.class)
    return result
  })
