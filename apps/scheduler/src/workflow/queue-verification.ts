/**
 * Asks the user to act: a Bridge update-mode token when the lineage has a Truv user and the
 * connection's access token (the user re-enters credentials for the same link), else a new order
 * (a fresh verification link) carrying the same `order_number` so correlation survives
 * (truv-api-notes §6). One queue entry per connection for Bridge (a token is per link), one for
 * the connections not yet covered for a new order.
 *
 * Never asked twice while the first ask can still serve (issue 5, "without wasting"; decision 13
 * in docs/decisions.md). A case waiting for its user is renewed again by later passes (every
 * `serve` interval, every day's `run`), and each renewal decides reauthenticate / new-order
 * again. Before calling Truv, the case's open requests (`openVerificationsForCase`) are read: a
 * connection covered by an open request of the same kind that is still useful is not asked again,
 * and the caller learns when it was queued (`alreadyQueuedAt`). Useful means:
 * - a Bridge token younger than its validity (6 h, truv-api-notes §6.1: after that Truv answers
 *   410 `expired_token`), for a connection that has not re-authenticated since it was queued;
 * - a new order until it expires: Truv's default expiry is 72 h in which weekends do not count
 *   (truv-api-notes §3, order statuses; configurable from 1 day to 12 weeks per account: a longer
 *   setting only means a second link after three business days); before that a second order
 *   would only give the user two links to the same thing;
 * - and in both cases, not older than the case's last verification (a request from before the
 *   case was last verified was answered, or belongs to an earlier cycle).
 * A connection whose open requests are all useless is asked anew, and those requests are resolved
 * as `superseded` once the new one is stored.
 *
 * Asked by a final attempt's follow-up (`attemptId`), it is also idempotent per attempt: entries
 * that follow-up already queued (same kind, resolved or not) are not asked again, so a follow-up
 * run again after a crash creates no second Bridge token or new order. What remains: killed after
 * Truv answered and before the entry was stored, the re-run asks Truv once more (nothing was
 * queued); and two workers asking for the same case at the same instant may both pass the check
 * (the read and the insert are not one transaction).
 */
import {
  type CaseSnapshot, type Product, type QueuedVerification, RenewalStore, type StoreError, type TruvError, TruvGateway,
  type VerificationRequest
} from "@recert/core"
import { Clock, Effect } from "effect"
import { faultPoint } from "../runtime/fault-points.js"

export interface VerificationAsk {
  readonly kind: "bridge-update" | "new-order"
  readonly connectionIds: ReadonlyArray<string>
  /** The rule code (or task status) that sent the case here. */
  readonly reason: string
  readonly detail: string
  /** The final attempt whose follow-up asks (absent: a decision asks, without a refresh). */
  readonly attemptId?: string
}

/** What `queueVerification` did. */
export interface VerificationQueued {
  /** The kind asked: bridge-update falls back to new-order without a Truv user. */
  readonly kind: "bridge-update" | "new-order"
  /** Requests stored by this call: one Bridge token or one new order created at Truv each. */
  readonly created: number
  /**
   * When some of the asked connections were already covered (an open request still useful, or
   * this attempt's own): the newest such request's `createdAt`. Null when none was. With
   * `created` 0, the whole ask was already queued: nothing was asked of Truv.
   */
  readonly alreadyQueuedAt: string | null
  /** Open requests resolved as `superseded` by this call (a Bridge token past its validity, or a moot request). */
  readonly superseded: number
}

/** Truv's Bridge token validity (truv-api-notes §6.1; the sandbox's `BRIDGE_TOKEN_LIFETIME_MS`). */
export const BRIDGE_TOKEN_VALIDITY_MS = 6 * 3_600_000

/** Truv's default order expiry: 72 hours, weekends (Saturday and Sunday, UTC) not counted. */
export const NEW_ORDER_VALIDITY_HOURS = 72

const HOUR_MS = 3_600_000

/** When an order created at `created` (ms) expires: `NEW_ORDER_VALIDITY_HOURS` weekday hours later. */
export const newOrderExpiresAt = (created: number): number => {
  let at = created
  let left = NEW_ORDER_VALIDITY_HOURS * HOUR_MS
  while (left > 0) {
    const day = new Date(at).getUTCDay()
    const nextMidnight = Math.floor(at / 86_400_000) * 86_400_000 + 86_400_000
    if (day === 0 || day === 6) {
      at = nextMidnight
      continue
    }
    const step = Math.min(left, nextMidnight - at)
    at += step
    left -= step
  }
  return at
}

export const productOf = (snapshot: CaseSnapshot): Product => snapshot.case.product ?? snapshot.lineage.orderType

const ms = (iso: string | null | undefined): number | null => iso == null ? null : Date.parse(iso)

/**
 * Whether the open request `q` can still serve connection `connectionId` at `now`: not older than
 * the case's last verification; a Bridge token also within its validity and not already used by
 * a re-authentication of the connection since it was queued.
 */
export const stillServes = (snapshot: CaseSnapshot, q: QueuedVerification, connectionId: string, now: number): boolean => {
  const created = Date.parse(q.createdAt)
  const verified = ms(snapshot.case.lastVerifiedAt)
  if (verified !== null && verified > created) return false
  if (q.kind === "new-order") return now < newOrderExpiresAt(created)
  if (now >= created + BRIDGE_TOKEN_VALIDITY_MS) return false
  const authenticated = ms(snapshot.lineage.connections.find((c) => c.id === connectionId)?.authenticatedAt)
  return authenticated === null || authenticated <= created
}

/** Queues the ask unless already queued (see the top of the file). */
export const queueVerification = (snapshot: CaseSnapshot, ask: VerificationAsk): Effect.Effect<VerificationQueued, TruvError | StoreError, RenewalStore | TruvGateway> =>
  Effect.gen(function*() {
    const store = yield* RenewalStore
    const truv = yield* TruvGateway
    const now = yield* Clock.currentTimeMillis
    const createdAt = new Date(now).toISOString()
    const product = productOf(snapshot)
    const userId = snapshot.lineage.userId
    const caseId = snapshot.case.id
    const kind = ask.kind === "bridge-update" && userId !== null ? "bridge-update" : "new-order"
    const forAttempt: ReadonlyArray<VerificationRequest> = ask.attemptId === undefined ? [] : yield* store.verificationsForAttempt(ask.attemptId)
    const open = (yield* store.openVerificationsForCase(caseId)).filter((q) => q.kind === kind)
    // What already covers each asked connection: this attempt's own requests (resolved or not), or an open one still useful.
    const covering = (connectionId: string): Array<VerificationRequest> => [
      ...forAttempt.filter((q) => q.kind === kind && q.connectionIds.includes(connectionId)),
      ...open.filter((q) => q.connectionIds.includes(connectionId) && stillServes(snapshot, q, connectionId, now))
    ]
    const coverage = ask.connectionIds.map((id) => ({ id, by: covering(id) }))
    const covered = coverage.flatMap((c) => c.by)
    const alreadyQueuedAt = covered.length === 0 ? null : covered.map((q) => q.createdAt).reduce((a, b) => (Date.parse(b) > Date.parse(a) ? b : a))
    const missing = coverage.filter((c) => c.by.length === 0).map((c) => c.id)
    const origin = ask.attemptId === undefined ? {} : { attemptId: ask.attemptId }
    if (kind === "bridge-update") {
      for (const connectionId of missing) {
        const accessToken = yield* store.accessToken(connectionId)
        const { bridgeToken } = yield* truv.createBridgeToken({ userId: userId!, accessToken, product })
        yield* faultPoint("after-link-create")
        yield* store.enqueueVerification({
          caseId, kind, connectionIds: [connectionId], reason: ask.reason, detail: ask.detail,
          bridgeToken, shareUrl: null, orderId: null, createdAt, ...origin
        })
      }
    } else if (missing.length > 0) {
      // The lineage model keeps no applicant names; Truv requires them, so the case id stands in
      // and the caseworker completes the order from the queue (see README "Known gaps").
      const order = yield* truv.createOrder({
        products: [product], firstName: "Applicant", lastName: caseId, orderNumber: snapshot.lineage.orderNumber
      })
      yield* faultPoint("after-link-create")
      yield* store.enqueueVerification({
        caseId, kind, connectionIds: missing, reason: ask.reason, detail: ask.detail,
        bridgeToken: null, shareUrl: order.shareUrl, orderId: order.id, createdAt, ...origin
      })
    }
    // Open requests of the asked connections that serve none of their connections any more are
    // replaced now (every asked connection is covered): resolved as superseded, after the new
    // request is stored, so the case is never left without an open link by a crash in between.
    let superseded = 0
    for (const q of open) {
      if (!q.connectionIds.some((id) => ask.connectionIds.includes(id))) continue
      if (q.connectionIds.some((id) => stillServes(snapshot, q, id, now))) continue
      if (yield* store.resolveVerification(q.id, "superseded")) superseded += 1
    }
    const queued: VerificationQueued = { kind, created: kind === "bridge-update" ? missing.length : missing.length > 0 ? 1 : 0, alreadyQueuedAt, superseded }
    if (queued.created === 0) yield* Effect.logDebug("verification link already queued", { caseId, kind, connectionIds: ask.connectionIds, queuedAt: alreadyQueuedAt })
    if (superseded > 0) yield* Effect.logDebug("verification requests superseded", { caseId, kind, superseded })
    return queued
  })
