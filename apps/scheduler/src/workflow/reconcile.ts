/**
 * Finding out what happened without sending again.
 *
 * - `pollAttempt`: the fallback when webhooks are late or lost, and `run`'s only way to learn an
 *   outcome. `GET` the refresh order and record the terminal status of each of our connections'
 *   suborders, a failed one looked up in Truv's records (`suborder-outcome.ts`), so a poll
 *   records what the webhook would have said.
 * - `reconcileAttempt`: an attempt whose request may or may not have reached Truv (`unknown`,
 *   or `reserved` by a worker that died). Truv's lineage knows: the newest order's
 *   `refresh_order` names the latest refresh. If it is an order our lineage does not know yet, it
 *   is this attempt's (one refresh in flight per lineage is a rule), so the attempt becomes `sent`;
 *   otherwise, once the request can no longer land (`notSentAfterMsFor`), Truv never created one
 *   and the attempt is `rejected` (not-sent) and stops counting; before that it is asked again later.
 *   A refresh order whose own body fails validation is still recorded `sent` (Truv named it).
 */
import {
  type Attempt, type AttemptNotFound, type CaseNotFound, type IllegalTransition, RenewalStore, type StoreError,
  type TruvError, TruvGateway, type TruvOrder
} from "@recert/core"
import { Clock, Effect } from "effect"
import { applyOutcome, type OutcomeError } from "./apply-outcome.js"
import type { CaseProgress } from "./case-progress.js"
import type { CaseOutcome } from "./outcome.js"
import { SEND_WITHIN_MS } from "./send-refresh.js"
import { learnSuborderOutcome } from "./suborder-outcome.js"

export interface PollResult {
  /** Every connection of the attempt has an outcome now. */
  readonly resolved: boolean
  readonly outcome: CaseOutcome | null
}

/**
 * Records what the order says of each of the attempt's connections, as precisely as a webhook
 * would (`suborder-outcome.ts`); `final`: the last poll, which settles what is still unknown.
 */
const recordFromOrder = (attempt: Attempt, order: TruvOrder, final: boolean) =>
  Effect.gen(function*() {
    const at = new Date(yield* Clock.currentTimeMillis).toISOString()
    let outcome: CaseOutcome | null = null
    for (const s of order.suborders) {
      if (s.linkId === null || !attempt.connectionIds.includes(s.linkId) || attempt.outcomes[s.linkId] !== undefined) continue
      const learnt = yield* learnSuborderOutcome(order, s, final)
      if (learnt.kind === "open") continue
      if (!learnt.precise) {
        yield* Effect.logWarning("refresh outcome imprecise: recorded as Truv's generic error (the user may be needed; no billed retry)", {
          orderId: order.id, connectionId: s.linkId, why: learnt.why
        })
      }
      const r = yield* applyOutcome({ orderId: order.id, connectionId: s.linkId, status: learnt.status, at })
      if (r.kind === "final") outcome = r.outcome
    }
    return outcome
  })

export const pollAttempt = (attemptId: string, orderId: string, final = true): Effect.Effect<PollResult, OutcomeError, RenewalStore | TruvGateway | CaseProgress> =>
  Effect.gen(function*() {
    const store = yield* RenewalStore
    const truv = yield* TruvGateway
    const found = yield* store.findAttemptByOrderId(orderId)
    if (found === null || found.attempt.id !== attemptId) return { resolved: true, outcome: null }
    if (found.attempt.status !== "sent" && found.attempt.status !== "unknown") return { resolved: true, outcome: null }
    const order = yield* truv.getOrder(orderId)
    const outcome = yield* recordFromOrder(found.attempt, order, final)
    const after = yield* store.findAttemptByOrderId(orderId)
    const status = after?.attempt.status
    return { resolved: status === "succeeded" || status === "failed", outcome }
  })

export type ReconcileResult =
  | { readonly kind: "sent"; readonly orderId: string }
  | { readonly kind: "not-sent" }
  | { readonly kind: "already-resolved" }
  /** Truv shows nothing yet, but the request may still land: ask again at `retryAt` (ms). */
  | { readonly kind: "too-early"; readonly retryAt: number }

/**
 * How long after its reservation a refresh of unknown fate is given before Truv's silence about it
 * means it was never created: it leaves within `SEND_WITHIN_MS` of the reservation, its answer is
 * awaited for Truv's timeout (`truvTimeoutMs`, 30 s by default), and Truv may still process a
 * request after the client gave up on it (30 s more). Concluding earlier sent a case's refresh twice
 * in the chaos suite (kills, seed 5): a request timed out, the reconciliation that followed at once
 * found nothing, the case was renewed, and Truv then created the first refresh too.
 */
export const notSentAfterMsFor = (truvTimeoutMs: number | undefined): number => SEND_WITHIN_MS + (truvTimeoutMs ?? 30_000) + 30_000

export const reconcileAttempt = (caseId: string, attempt: Attempt, notSentAfterMs = notSentAfterMsFor(undefined)): Effect.Effect<
  ReconcileResult, StoreError | CaseNotFound | AttemptNotFound | IllegalTransition | TruvError, RenewalStore | TruvGateway
> =>
  Effect.gen(function*() {
    const store = yield* RenewalStore
    const truv = yield* TruvGateway
    if (attempt.status === "sent" && attempt.orderId !== null) return { kind: "sent", orderId: attempt.orderId } as const
    if (attempt.status !== "reserved" && attempt.status !== "unknown") return { kind: "already-resolved" } as const
    const snapshot = yield* store.loadSnapshot(caseId)
    const known = new Set(snapshot.lineage.orders.map((o) => o.id))
    const newest = snapshot.lineage.orders[snapshot.lineage.orders.length - 1]!
    const lineageHead = yield* truv.getOrder(newest.id)
    const latest = lineageHead.refreshOrder
    if (latest !== null && !known.has(latest)) {
      // Truv names the refresh order: if its own body then fails validation, it still exists.
      const now = new Date(yield* Clock.currentTimeMillis).toISOString()
      const order = yield* truv.getOrder(latest).pipe(
        Effect.catchIf((e) => e._tag === "Transport" && e.invalidFields !== undefined, () => Effect.succeed({ id: latest, createdAt: now }))
      )
      yield* store.transitionAttempt(attempt.id, "sent", { orderId: order.id })
      yield* store.appendOrder(snapshot.lineage.rootOrderId, { id: order.id, parentId: newest.id, createdAt: order.createdAt })
      return { kind: "sent", orderId: order.id } as const
    }
    // Nothing at Truv yet: only once the request can no longer land does that mean never created.
    const landedBy = Date.parse(attempt.at) + notSentAfterMs
    if ((yield* Clock.currentTimeMillis) < landedBy) return { kind: "too-early", retryAt: landedBy } as const
    yield* store.transitionAttempt(attempt.id, "rejected", { rejection: "not-sent" })
    return { kind: "not-sent" } as const
  })
