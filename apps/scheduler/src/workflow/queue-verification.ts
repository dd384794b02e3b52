/**
 * Asks the user to act, as the deployment reaches its clients (core's `ClientReach`, issue 16):
 * - `truv-sends` (default): a new order (a fresh verification link) with the case's client
 *   contact; Truv emails/texts the link and reminds;
 * - `agency-sends`: the same order with Truv's notifications suppressed; the agency delivers its
 *   `share_url` (stored on the request, carried by its `case.client-action-needed` event);
 * - `bridge`: a Bridge update-mode token when the lineage has a Truv user and the connection's
 *   access token (the user re-enters credentials for the same link in the agency's embedded
 *   Bridge), else a new order as `agency-sends`.
 * A new order carries the client's name, email/phone (for Truv to send to) and external user id
 * from the case's contact (`RenewalStore.caseContact`, never logged), and the lineage's
 * `order_number` with our key (truv-api-notes §6). A case whose contact lacks what the mode needs
 * (`missingForNewOrder`) asks Truv nothing and is escalated to a caseworker once, with that reason
 * (`case.escalated`): the caller learns which fields (`contactMissing`).
 * One queue entry per connection for Bridge (a token is per link), one for the connections not
 * yet covered for a new order.
 *
 * Never asked twice while the first ask can still serve (issue 5, "without wasting"; decision 13
 * in docs/decisions.md). A case waiting for its user is renewed again by later passes (every
 * `serve` interval, every day's `run`), and each renewal decides reauthenticate / new-order
 * again. A connection covered by an open request of the same kind that is still useful is not
 * asked again, and the caller learns when it was queued (`alreadyQueuedAt`). Useful means:
 * - a Bridge token younger than its validity (6 h, truv-api-notes §6.1: after that Truv answers
 *   410 `expired_token`), for a connection that has not re-authenticated since it was queued;
 * - a new order until it expires: Truv's default expiry is 72 h in which weekends do not count
 *   (truv-api-notes §3, order statuses; configurable from 1 day to 12 weeks per account: a longer
 *   setting only means a second link after three business days); before that a second order
 *   would only give the user two links to the same thing;
 * - and in both cases, not older than the case's last verification (a request from before the
 *   case was last verified was answered, or belongs to an earlier cycle).
 * A connection whose open requests are all useless is asked anew, and those requests are resolved
 * as `superseded` once the new one is stored. Asked by a final attempt's follow-up (`attemptId`),
 * the attempt's own requests (resolved or not) count first: a follow-up run again asks nothing.
 *
 * Exactly once at Truv (issues 15/16: Truv has no idempotency key, truv-reports-notes §4):
 * 1. The intent is stored first, with our own key, in one transaction with the check above
 *    (`RenewalStore.claimVerifications`): two workers asking for one case never both ask Truv.
 * 2. The call is made under the intent's claim (a lease), once: the adapter never re-sends a POST
 *    that may have left. A new order carries the key in its `order_number`
 *    (`<lineage order number>/<key>`), a Bridge token in its `tracking_info`.
 * 3. The answer is recorded on the intent. A lost answer: a new order is looked up by its key
 *    (`GET /v1/orders/?order_number=`) and adopted if found, else left to the next ask; a Bridge
 *    token cannot be looked up, so it is recorded `unknown`: it covers its connection for its 6 h
 *    like any token, then is superseded (an unseen token expires by itself and costs nothing).
 * 4. An intent whose claimant died (or let it go) is completed by whoever asks for the case after
 *    its lease: never sent, it is sent now; sent, a new order is looked up, and only if Truv still
 *    shows none `ORDER_LOOKUP_GRACE_MS` (60 s) after the send is it sent again, with the same key. Found
 *    more than once (that re-send raced a late one), the oldest is kept and the others canceled
 *    (`POST /v1/orders/{id}/cancel/`). An intent that no longer serves (a token past its 6 h, an
 *    order past its expiry) is settled the same way before it is superseded (a sent token recorded
 *    `unknown`, a sent order looked up): superseding it bare left a token Truv issued that no
 *    request knew (the client chaos run, issue 16).
 * A follow-up whose own ask is still pending at Truv after this fails (a `Transport`): it is run
 * again (its retries, then recovery) until the answer is known, so it is never marked done with
 * a link nobody holds.
 *
 * The lifecycle first (issue 16, `request-sweep.ts`): the case's open requests whose expiry has
 * passed are expired here, before anything is asked (`RenewalStore.expireRequest`: the
 * replacements of the cycle counted, so this ask is a replacement like the sweep's), and a case
 * escalated in its cycle (its replacements used up) asks nothing: a caseworker has it.
 */
import {
  BRIDGE_TOKEN_VALIDITY, type CaseContact, type CaseSnapshot, escalatedInCycle, type ClaimedVerification, ClientReach, type ContactField, missingForNewOrder, type NewOrderRequest, type Product, type ReachMode, type QueuedVerification, RenewalStore, requestExpiresAt, type StoreError, Transport, type TruvError,
  TruvGateway, type TruvOrder, type VerificationIntent, type VerificationsSeen
} from "@recert/core"
import { Clock, Effect, Redacted, Result } from "effect"
import { faultPoint } from "../runtime/fault-points.js"
import { atTruvAtExpiry, expiresNow } from "./expiry-at-truv.js"
import { productOf } from "./product.js"

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
  /** Set when nothing was asked because the case is escalated in this cycle (issue 16). */
  readonly escalated?: true
  /** The kind asked: bridge-update falls back to new-order without a Truv user. */
  readonly kind: "bridge-update" | "new-order"
  /**
   * Requests asked of Truv by this call: one Bridge token or one new order each (a token whose
   * answer was lost, recorded `unknown`, included).
   */
  readonly created: number
  /**
   * When some of the asked connections were already covered (an open request still useful, or
   * this attempt's own): the newest such request's `createdAt`. Null when none was. With
   * `created` 0, the whole ask was already queued: nothing was asked of Truv.
   */
  readonly alreadyQueuedAt: string | null
  /** Open requests resolved as `superseded` by this call (a Bridge token past its validity, or a moot request). */
  readonly superseded: number
  /**
   * A new order was needed and the case's client contact lacks these fields for the reach mode
   * (names; under `truv-sends` an email or phone, reported as `email`): nothing was asked of Truv,
   * and the case was escalated to a caseworker (`escalated`; once: `RenewalStore.escalateWithoutAsking`).
   * Absent otherwise.
   */
  readonly contactMissing?: ReadonlyArray<ContactField>
  /** Set when nothing was asked because the case was verified after the caller's snapshot was read (`verifiedSince`). */
  readonly verifiedMeanwhile?: true
}

/** The escalation's reason (the request's transition, the `case.escalated` event's `why`): the fields, never their values. */
export const contactMissingReason = (reach: ReachMode, fields: ReadonlyArray<ContactField>): string =>
  `no verification link can be asked: the case's client contact lacks ${fields.join(", ")}, which reach ${reach} needs (import it with the case); escalated to a caseworker`

/** Truv's Bridge token validity (truv-api-notes §6.1; the sandbox's `BRIDGE_TOKEN_LIFETIME_MS`). */
export const BRIDGE_TOKEN_VALIDITY_MS = BRIDGE_TOKEN_VALIDITY

/** Truv's default order expiry: 72 hours, weekends (Saturday and Sunday, UTC) not counted. */
export const NEW_ORDER_VALIDITY_HOURS = 72


/**
 * How long an intent's claimant alone may complete it: longer than any one Truv call takes (the
 * client's 30 s timeout, a throttled wait of up to a minute, a few retries of a connection
 * refused), so a live claimant is never overtaken; a dead one's intent waits this long.
 */
export const INTENT_LEASE_MS = 5 * 60_000

/**
 * A new order sent whose answer was lost and that Truv's list does not show: how long after the
 * send before it is taken as never created and sent again (with the same key; a late one found
 * then is canceled). Covers a gateway that timed out while Truv still worked, and a list that
 * lags the create by seconds; the recovery that comes after a crash is later than this anyway.
 */
export const ORDER_LOOKUP_GRACE_MS = 60_000

/** A new order's `order_number`: the lineage's own (correlation), then our key (the lookup). */
export const keyedOrderNumber = (orderNumber: string | null, requestKey: string): string =>
  orderNumber === null ? requestKey : `${orderNumber}/${requestKey}`

/** When an order created at `created` (ms) expires: core's rule (`requestExpiresAt`), 72 weekday hours later. */
export const newOrderExpiresAt = (created: number): number => requestExpiresAt("new-order", created)

/**
 * The new order's request for a client reached under `reach`: the contact's name, its email and
 * phone (Truv sends the link to them; kept under the other modes too, so the agency can turn Truv's
 * messages on later), its external user id, and Truv's notifications suppressed unless Truv sends.
 * The contact must have its names (`missingForNewOrder`).
 */
export const newOrderRequest = (reach: ReachMode, contact: CaseContact, product: Product, orderNumber: string): NewOrderRequest => ({
  products: [product], firstName: contact.firstName!, lastName: contact.lastName!, orderNumber,
  ...(contact.email === null ? {} : { email: contact.email }),
  ...(contact.phone === null ? {} : { phone: contact.phone }),
  ...(contact.externalUserId === null ? {} : { externalUserId: contact.externalUserId }),
  ...(reach === "truv-sends" ? {} : { suppressNotifications: true })
})

/**
 * Expires the case's open requests past their expiry (the store counts the replacements; Truv is
 * asked first, `expiry-at-truv.ts`) and tells whether the case is escalated in its current cycle
 * (a request made since its last verification ended `escalated`). A request Truv says is not over
 * (completed by its client, re-authenticated, or Truv not answering now) is not expired, and still
 * covers its connections (`completing`): nothing is asked again beside it.
 */
const expiredOrEscalated = (snapshot: CaseSnapshot, now: number): Effect.Effect<{ readonly escalated: boolean; readonly completing: ReadonlySet<number> }, StoreError, RenewalStore | TruvGateway> =>
  Effect.gen(function*() {
    const store = yield* RenewalStore
    const before = yield* store.caseRequests(snapshot.case.id)
    const completing = new Set<number>()
    for (const r of before) {
      if ((r.state === "sent" || r.state === "reminded") && r.expiresAt !== null && now >= Date.parse(r.expiresAt)) {
        // A new order its client completed is left to its completion (the webhook, or the poll), a
        // re-authentication found is followed: not expired, and it still covers its connections
        // (nothing asked again, nothing superseded); an order still open at Truv is canceled first.
        if (!expiresNow(yield* atTruvAtExpiry(r))) {
          completing.add(r.id)
          continue
        }
        yield* store.expireRequest(r.id).pipe(Effect.catchTag("RequestNotFound", () => Effect.void))
      }
    }
    const after = before.some((r) => r.expiresAt !== null && now >= Date.parse(r.expiresAt)) ? yield* store.caseRequests(snapshot.case.id) : before
    return { escalated: escalatedInCycle(after, snapshot.case.lastVerifiedAt), completing }
  })

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

/**
 * Whether the case was verified after `snapshot` was read, as the claim's transaction sees it: a
 * client completed a request (or a refresh's report was stored) between the snapshot and the
 * claim. The decision on the snapshot is stale then, and nothing is asked (issue 16: "is there an
 * open request for this case" and its insert one atomic step; a request completed meanwhile is no
 * longer open, and asking then gave the client a second link for one renewal).
 */
const verifiedSince = (snapshot: CaseSnapshot, seen: VerificationsSeen): boolean => {
  const fresh = ms(seen.caseVerifiedAt)
  if (fresh === null) return false
  const known = ms(snapshot.case.lastVerifiedAt)
  return known === null || fresh > known
}

/** What covers each asked connection (this attempt's own requests, or an open one still useful), and what is missing. */
const coverageOf = (snapshot: CaseSnapshot, ask: VerificationAsk, kind: VerificationAsk["kind"], seen: VerificationsSeen, now: number, completing: ReadonlySet<number>) => {
  const open = seen.open.filter((q) => q.kind === kind)
  const covering = (connectionId: string): Array<QueuedVerification> => [
    ...seen.forAttempt.filter((q) => q.kind === kind && q.connectionIds.includes(connectionId)),
    ...open.filter((q) => q.connectionIds.includes(connectionId) && (completing.has(q.id) || stillServes(snapshot, q, connectionId, now)))
  ]
  const coverage = ask.connectionIds.map((id) => ({ id, by: covering(id) }))
  return { open, covered: coverage.flatMap((c) => c.by), missing: coverage.filter((c) => c.by.length === 0).map((c) => c.id) }
}

/**
 * Truv created nothing: it refused (4xx, 429), its own application answered 500, or the request
 * never left. A gateway's 502/503/504, a timeout, a reset or an answer we cannot read may follow a
 * request Truv processed (the sandbox's "processed, then the answer lost" fault answers 502 or
 * drops the socket): those are "maybe created".
 */
const createdNothing = (e: TruvError): boolean =>
  e._tag === "Transport" ? !e.reachedTruv : e._tag === "ProviderUnavailable" ? e.status === 500 : true

type Asked = "created" | "unknown" | "pending"

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
    const reach = yield* ClientReach
    const kind: VerificationAsk["kind"] = reach === "bridge" && ask.kind === "bridge-update" && userId !== null ? "bridge-update" : "new-order"
    const attemptId = ask.attemptId ?? null
    // 0. The lifecycle: expired requests expired (or escalated), and an escalated case left to its caseworker.
    const { escalated: escalatedAlready, completing } = yield* expiredOrEscalated(snapshot, now)
    if (escalatedAlready) {
      yield* Effect.logInfo("case escalated to a caseworker in this cycle: no link asked", { caseId, kind })
      return { kind, created: 0, alreadyQueuedAt: null, superseded: 0, escalated: true } satisfies VerificationQueued
    }

    // A new order needs the client: without what the mode needs, nothing is asked (never a
    // placeholder name), and the case goes to a caseworker once, with the reason (a final state:
    // the next passes find it escalated above and ask nothing, with no warning).
    const contact = kind === "new-order" ? yield* store.caseContact(caseId) : null
    const missing = kind === "new-order" ? missingForNewOrder(reach, contact === null ? null : Redacted.value(contact)) : []
    if (missing.length > 0) {
      const contactMissing = [...new Set(missing.map((m) => m.field))]
      const why = contactMissingReason(reach, contactMissing)
      const escalated = yield* store.escalateWithoutAsking({ caseId, kind, connectionIds: ask.connectionIds, reason: ask.reason, detail: ask.detail, createdAt }, why)
      if (escalated) yield* Effect.logWarning("no verification link asked: the case's client contact lacks what the reach mode needs; escalated to a caseworker", { caseId, reach, missing: contactMissing })
      return { kind, created: 0, alreadyQueuedAt: null, superseded: 0, contactMissing, escalated: true } satisfies VerificationQueued
    }

    // 1. The check and the intents, one transaction.
    const { seen, claimed } = yield* store.claimVerifications({
      caseId, attemptId, leaseMs: INTENT_LEASE_MS,
      plan: (seen): Array<VerificationIntent> => {
        if (verifiedSince(snapshot, seen)) return []
        const { missing } = coverageOf(snapshot, ask, kind, seen, now, completing)
        const base = { caseId, kind, reason: ask.reason, detail: ask.detail, createdAt }
        if (kind === "bridge-update") return missing.map((id) => ({ ...base, connectionIds: [id] }))
        return missing.length > 0 ? [{ ...base, connectionIds: missing }] : []
      }
    })
    if (verifiedSince(snapshot, seen)) {
      yield* Effect.logInfo("case verified since its snapshot was read (its client completed a request meanwhile): no link asked", { caseId, kind })
      return { kind, created: 0, alreadyQueuedAt: null, superseded: 0, verifiedMeanwhile: true } satisfies VerificationQueued
    }
    const { open, covered } = coverageOf(snapshot, ask, kind, seen, now, completing)
    const alreadyQueuedAt = covered.length === 0 ? null : covered.map((q) => q.createdAt).reduce((a, b) => (Date.parse(b) > Date.parse(a) ? b : a))

    /** Records the order Truv has for the intent (the oldest if several carry its key; the others are canceled). */
    const adopt = (q: QueuedVerification, orders: ReadonlyArray<TruvOrder>) =>
      Effect.gen(function*() {
        const [kept, ...extra] = orders
        yield* store.settleVerification(q.id, { outcome: "created", bridgeToken: null, shareUrl: kept!.shareUrl, orderId: kept!.id })
        for (const o of extra) {
          const canceled = yield* Effect.result(truv.cancelOrder(o.id))
          if (Result.isSuccess(canceled)) yield* Effect.logWarning("a second new order of one request canceled", { caseId, requestKey: q.requestKey, kept: kept!.id, canceled: o.id })
          else yield* Effect.logError("a second new order of one request could not be canceled", { caseId, requestKey: q.requestKey, orderId: o.id, error: canceled.failure.message })
        }
        return "created" as const
      })

    /** The orders Truv has under the intent's key; a lookup that fails lets the intent go (the next ask looks again). */
    const lookUp = (q: QueuedVerification, claim: string) =>
      truv.findOrdersByNumber(keyedOrderNumber(snapshot.lineage.orderNumber, q.requestKey!)).pipe(
        Effect.tapError(() => store.settleVerification(q.id, { outcome: "released", claim }))
      )

    /** 2-3. The one call, under the claim; its answer recorded. */
    const send = ({ request: q, claim }: ClaimedVerification): Effect.Effect<Asked, TruvError | StoreError> =>
      Effect.gen(function*() {
        // What the call needs is read before the intent is marked sent: a token that cannot be read
        // (a wrong key, a failing store) lets the intent go, so the failure is the case's, not a
        // request left "sent" that covers the connection while nothing was asked of Truv.
        const accessToken = q.kind === "bridge-update"
          ? yield* store.accessToken(q.connectionIds[0]!).pipe(Effect.tapError(() => store.settleVerification(q.id, { outcome: "forgotten", claim })))
          : null
        yield* faultPoint("after-link-intent")
        if (!(yield* store.markVerificationSent(q.id, claim, INTENT_LEASE_MS))) return "pending" as const
        yield* faultPoint("after-link-sent-mark")
        const key = q.requestKey!
        if (q.kind === "bridge-update" && accessToken !== null) {
          const r = yield* Effect.result(truv.createBridgeToken({ userId: userId!, accessToken, product, trackingInfo: key }))
          if (Result.isSuccess(r)) {
            yield* faultPoint("after-link-create")
            yield* store.settleVerification(q.id, { outcome: "created", bridgeToken: r.success.bridgeToken, shareUrl: null, orderId: null })
            return "created" as const
          }
          if (createdNothing(r.failure)) {
            yield* store.settleVerification(q.id, { outcome: "forgotten", claim })
            return yield* Effect.fail(r.failure)
          }
          // It may exist at Truv, and no call can tell: not asked again while it could serve (6 h).
          yield* store.settleVerification(q.id, { outcome: "unknown" })
          yield* Effect.logWarning("Bridge token answer lost: recorded unknown, not asked again before its validity ends", { caseId, requestKey: key, error: r.failure.message })
          return "unknown" as const
        }
        const r = yield* Effect.result(truv.createOrder(newOrderRequest(reach, Redacted.value(contact!), product, keyedOrderNumber(snapshot.lineage.orderNumber, key))))
        if (Result.isSuccess(r)) {
          yield* faultPoint("after-link-create")
          yield* store.settleVerification(q.id, { outcome: "created", bridgeToken: null, shareUrl: r.success.shareUrl, orderId: r.success.id })
          return "created" as const
        }
        const error = r.failure
        // A 2xx whose body did not parse but named the order: it exists.
        if (error._tag === "Transport" && error.orderId !== undefined) {
          yield* store.settleVerification(q.id, { outcome: "created", bridgeToken: null, shareUrl: null, orderId: error.orderId })
          return "created" as const
        }
        if (createdNothing(error)) {
          yield* store.settleVerification(q.id, { outcome: "forgotten", claim })
          return yield* Effect.fail(error)
        }
        // The answer is lost: look the order up by its key before anything else.
        const found = yield* lookUp(q, claim)
        if (found.length > 0) return yield* adopt(q, found)
        yield* store.settleVerification(q.id, { outcome: "released", claim })
        return yield* Effect.fail(error)
      })

    /** 4. An intent left by a claimant that died or let it go, taken over. */
    const complete = (c: ClaimedVerification): Effect.Effect<Asked, TruvError | StoreError> =>
      Effect.gen(function*() {
        const q = c.request
        if (q.sentAt == null) return yield* send(c)
        if (q.kind === "bridge-update") {
          yield* store.settleVerification(q.id, { outcome: "unknown" })
          return "unknown" as const
        }
        const found = yield* lookUp(q, c.claim)
        if (found.length > 0) return yield* adopt(q, found)
        if (now - Date.parse(q.sentAt) >= ORDER_LOOKUP_GRACE_MS) return yield* send(c)
        yield* store.settleVerification(q.id, { outcome: "released", claim: c.claim })
        return "pending" as const
      })

    /**
     * An intent that serves no more, taken over from a claimant that died: never sent, nothing to
     * record; sent, a Bridge token is recorded `unknown` (it may exist, no call can tell) and a new
     * order is looked up by its key and adopted if Truv has it. False when the lookup failed: the
     * intent is left for the next ask (not superseded unrecorded).
     */
    const settleStale = (c: ClaimedVerification): Effect.Effect<boolean, StoreError> =>
      Effect.gen(function*() {
        const q = c.request
        if (q.sentAt == null) return yield* Effect.as(store.settleVerification(q.id, { outcome: "released", claim: c.claim }), true)
        if (q.kind === "bridge-update") return yield* Effect.as(store.settleVerification(q.id, { outcome: "unknown" }), true)
        const found = yield* Effect.result(lookUp(q, c.claim))
        if (Result.isFailure(found)) return false
        if (found.success.length > 0) yield* adopt(q, found.success)
        else yield* store.settleVerification(q.id, { outcome: "released", claim: c.claim })
        return true
      })

    let created = 0
    for (const c of claimed) if ((yield* send(c)) !== "pending") created += 1
    const left = covered.filter((q) => q.state === "intent" && q.resolvedAt === null && (q.leaseUntil == null || Date.parse(q.leaseUntil) <= now))
    const stale = [...new Map(left.map((q) => [q.id, q])).values()]
    for (const q of stale) {
      const c = yield* store.takeOverVerification(q.id, INTENT_LEASE_MS)
      if (c !== null) yield* complete(c)
    }
    // A follow-up is done only when Truv's answer to its own ask is known (or can never be).
    if (attemptId !== null) {
      const pending = (yield* store.verificationsForAttempt(attemptId))
        .filter((q) => q.kind === kind && q.state === "intent" && q.resolvedAt === null && q.connectionIds.some((id) => ask.connectionIds.includes(id)))
      if (pending.length > 0) {
        const p = pending[0]!
        return yield* Effect.fail(new Transport({
          reachedTruv: true,
          message: `${p.kind} request ${p.requestKey} of attempt ${attemptId}: Truv's answer not known yet (${p.sentAt == null ? "not sent" : `sent ${p.sentAt}`}); the follow-up runs again`
        }))
      }
    }
    // Open requests of the asked connections that serve none of their connections any more are
    // replaced now (every asked connection is covered): resolved as superseded, after the new
    // request is stored, so the case is never left without an open link by a crash in between.
    // An intent among them whose claimant died may have been created at Truv: its answer is
    // recorded first (`settleStale`), so no order or token is left that no request knows.
    let superseded = 0
    for (const q of open) {
      if (!q.connectionIds.some((id) => ask.connectionIds.includes(id))) continue
      if (completing.has(q.id) || q.connectionIds.some((id) => stillServes(snapshot, q, id, now))) continue
      if (q.state === "intent" && q.resolvedAt === null) {
        if (q.leaseUntil != null && Date.parse(q.leaseUntil) > now) continue
        const c = yield* store.takeOverVerification(q.id, INTENT_LEASE_MS)
        if (c !== null && !(yield* settleStale(c))) continue
      }
      if (yield* store.resolveVerification(q.id, "superseded")) superseded += 1
    }
    const queued: VerificationQueued = { kind, created, alreadyQueuedAt, superseded }
    if (queued.created === 0) yield* Effect.logDebug("verification link already queued", { caseId, kind, connectionIds: ask.connectionIds, queuedAt: alreadyQueuedAt })
    if (superseded > 0) yield* Effect.logDebug("verification requests superseded", { caseId, kind, superseded })
    return queued
  })
