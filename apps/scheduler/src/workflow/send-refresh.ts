/**
 * Reserve then send: the attempt is already `reserved` in the ledger (it counts against the
 * limits from that instant); here the request goes to Truv and its response is recorded. The
 * send and the record run uninterruptibly, so a graceful shutdown never leaves a request sent
 * but unrecorded; only a crash can, and then the attempt stays `reserved` until reconciliation.
 *
 * | Truv answers | attempt becomes | the case |
 * |---|---|---|
 * | the new order | `sent` (+ order appended to the lineage) | in flight: outcome by webhook or poll |
 * | `RefreshLimitExceeded` | `rejected` refresh-limit | limit violation attempted: our ledger was wrong |
 * | `Throttled` | `rejected` throttled | renew again after `Retry-After` |
 * | a 2xx body that fails validation but names the order (`Transport.orderId`) | `sent` with that order id | as the first row: Truv created (and bills) it |
 * | `Transport` that never reached Truv | `rejected` not-sent | renew again soon |
 * | `InvalidRequest` | `rejected` invalid-request | denied |
 * | `Transport` that may have reached Truv, 5xx | `unknown` | reconciled from the lineage, never re-sent |
 *
 * A reservation leaves within `SEND_WITHIN_MS` of its instant or never: the check runs once the
 * job holds its Truv permit (`runner/truv-permits.ts`, through `SendDeadline`), the last wait before
 * the request leaves. Past it the attempt is `rejected` not-sent without calling Truv. Recovery takes
 * a `reserved` attempt 60 s old for a dead worker's and, when Truv shows nothing, for one never sent
 * (`reconcile.ts`); a live worker slow to get its permit (a loaded machine, a busy pass) then sent
 * it anyway, beside the renewal the reconciliation let through: two refreshes (issue 15, chaos).
 */
import {
  type Attempt, type CaseSnapshot, type Decision, RenewalStore, type StoreError, type TruvError, TruvGateway,
  type AttemptNotFound, type IllegalTransition, Transport
} from "@recert/core"
import { Clock, Context, Effect, Result } from "effect"
import { faultPoint } from "../runtime/fault-points.js"
import { productOf } from "./product.js"

export type SendResult =
  | { readonly kind: "sent"; readonly attempt: Attempt; readonly orderId: string }
  | { readonly kind: "rejected"; readonly attempt: Attempt; readonly rejection: "refresh-limit" | "throttled" | "not-sent" | "invalid-request" | "other"; readonly retryAt: string | null; readonly message: string }
  /**
   * `answered`: Truv itself answered 500/501, so it has finished with the request (what it created
   * before failing is in the lineage now); otherwise (a timeout, a cut connection, a gateway's
   * 502-504) Truv may still be processing it (`reconcile.ts`, `notSentAfterMsFor`).
   */
  | { readonly kind: "unknown"; readonly attempt: Attempt; readonly message: string; readonly answered: boolean }

const RETRY_NOT_SENT_MS = 5_000

/**
 * How long after its reservation a refresh may still leave: half of recovery's staleness bound
 * (60 s), so a request that leaves has 30 s to reach Truv before a reconciliation may take its
 * attempt for one never sent (far above a request's timeout).
 */
export const SEND_WITHIN_MS = 30_000

/** The latest instant (ms) the refresh being sent may leave; null: no bound (any other call). */
export const SendDeadline = Context.Reference<number | null>("@recert/scheduler/SendDeadline", { defaultValue: () => null })

/** Fails, as a request that never left, when the refresh being sent is past its deadline. */
export const sendDeadlineGate: Effect.Effect<void, Transport> = Effect.gen(function*() {
  const deadline = yield* SendDeadline
  if (deadline === null) return
  const now = yield* Clock.currentTimeMillis
  if (now > deadline) {
    return yield* Effect.fail(new Transport({
      reachedTruv: false,
      message: `refresh not sent: its reservation is ${Math.round((now - deadline + SEND_WITHIN_MS) / 1000)} s old (a refresh leaves within ${SEND_WITHIN_MS / 1000} s of its reservation or never)`
    }))
  }
})

export const sendRefresh = (
  snapshot: CaseSnapshot, decision: Decision, reserved: Attempt
): Effect.Effect<SendResult, StoreError | AttemptNotFound | IllegalTransition, RenewalStore | TruvGateway> =>
  Effect.gen(function*() {
    const truv = yield* TruvGateway
    const request = decision.request!
    yield* faultPoint("after-reserve")
    const sendBy = Date.parse(reserved.at) + SEND_WITHIN_MS
    // Checked here and again once the permit is held (truv-permits.ts reads SendDeadline).
    const sent = yield* Effect.result(sendDeadlineGate.pipe(
      Effect.andThen(truv.refreshOrder({
        orderId: request.orderId,
        product: productOf(snapshot),
        ...(request.employers === undefined ? {} : { employers: request.employers.map((e) => e.id) }),
        ...(request.financial_accounts === undefined ? {} : { financialAccounts: request.financial_accounts.map((e) => e.id) })
      })),
      Effect.provideService(SendDeadline, sendBy)
    ))
    yield* faultPoint("after-send-before-record")
    if (Result.isSuccess(sent)) return yield* recordSent(snapshot, reserved, request.orderId, sent.success)
    const error = sent.failure
    // Truv answered 2xx with a body we could not read, but it named the new order: the refresh
    // exists and is billed, so it is recorded like any other (its created_at is unknown: now).
    if (error._tag === "Transport" && error.orderId !== undefined) {
      const createdAt = new Date(yield* Clock.currentTimeMillis).toISOString()
      return yield* recordSent(snapshot, reserved, request.orderId, { id: error.orderId, createdAt })
    }
    return yield* onFailure(reserved, error)
  }).pipe(Effect.uninterruptible)

const recordSent = (snapshot: CaseSnapshot, reserved: Attempt, parentId: string, order: { readonly id: string; readonly createdAt: string }) =>
  Effect.gen(function*() {
    const store = yield* RenewalStore
    const attempt = yield* store.transitionAttempt(reserved.id, "sent", { orderId: order.id })
    yield* store.appendOrder(snapshot.lineage.rootOrderId, { id: order.id, parentId, createdAt: order.createdAt })
    return { kind: "sent", attempt, orderId: order.id } as const
  })

const onFailure = (reserved: Attempt, error: TruvError) =>
  Effect.gen(function*() {
    const store = yield* RenewalStore
    const now = yield* Clock.currentTimeMillis
    const reject = (rejection: "refresh-limit" | "throttled" | "not-sent" | "invalid-request" | "other", retryAt: string | null) =>
      Effect.map(store.transitionAttempt(reserved.id, "rejected", { rejection }), (attempt): SendResult =>
        ({ kind: "rejected", attempt, rejection, retryAt, message: error.message }))
    switch (error._tag) {
      case "RefreshLimitExceeded":
        return yield* reject("refresh-limit", null)
      case "Throttled":
        return yield* reject("throttled", new Date(now + (error.retryAfterMs ?? 60_000)).toISOString())
      case "InvalidRequest":
        return yield* reject("invalid-request", null)
      case "NotFound":
      case "Unauthorized":
        // Truv refused before creating anything: nothing to count.
        return yield* reject("other", null)
      case "Transport":
        if (!error.reachedTruv) return yield* reject("not-sent", new Date(now + RETRY_NOT_SENT_MS).toISOString())
        break
      case "ProviderUnavailable":
        break
    }
    // A 5xx or a lost response: Truv may have created the refresh order. It counts until proven
    // otherwise, and only the lineage (GET) can tell: see reconcile.ts.
    const attempt = yield* store.transitionAttempt(reserved.id, "unknown")
    const answered = error._tag === "ProviderUnavailable" && (error.status === 500 || error.status === 501)
    return { kind: "unknown", attempt, message: error.message, answered } as const
  })
