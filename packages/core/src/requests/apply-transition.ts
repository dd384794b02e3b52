/**
 * One lifecycle step of a verification request, pure: what the store writes for `from` → `to` at
 * an instant, or why it writes nothing. Both stores (in-memory, SQL) persist exactly this, so the
 * rule lives once. `unchanged` is a repeated call: the request already is in the final state asked
 * for, or a reminder is asked when none is due (another worker sent it: the sweep is idempotent).
 */
import { requestExpiresAt } from "../events/request-expiry.js"
import { type RequestKind, requestDueAt, requestNextDueAt } from "./reminder-schedule.js"
import type { RequestPolicy } from "./request-policy.js"
import { canTransitionRequest, IllegalRequestTransition, isFinalRequestState, type RequestState } from "./request-state.js"

/** A request's lifecycle columns, instants in ms. */
export interface RequestLifecycleFields {
  readonly state: RequestState
  readonly expiresAt: number | null
  readonly reminders: number
  readonly lastRemindedAt: number | null
  readonly nextDueAt: number | null
}

export type RequestStep =
  | { readonly _tag: "applied"; readonly fields: RequestLifecycleFields }
  | { readonly _tag: "unchanged" }

export const applyRequestTransition = (
  r: RequestLifecycleFields & { readonly id: number; readonly kind: RequestKind; readonly createdAt: number },
  to: RequestState, at: number, policy: RequestPolicy
): RequestStep | IllegalRequestTransition => {
  if (r.state === to && isFinalRequestState(to)) return { _tag: "unchanged" }
  if (!canTransitionRequest(r.state, to)) return new IllegalRequestTransition({ requestId: r.id, from: r.state, to })
  switch (to) {
    case "reminded": {
      if (requestDueAt(r.kind, r.createdAt, r.lastRemindedAt, at, policy)?.kind !== "remind") return { _tag: "unchanged" }
      return { _tag: "applied", fields: { ...r, state: to, reminders: r.reminders + 1, lastRemindedAt: at, nextDueAt: requestNextDueAt(r.kind, r.createdAt, at, policy) } }
    }
    case "sent":
      return { _tag: "applied", fields: { ...r, state: to, expiresAt: requestExpiresAt(r.kind, r.createdAt), nextDueAt: requestNextDueAt(r.kind, r.createdAt, null, policy) } }
    default:
      return { _tag: "applied", fields: { ...r, state: to, nextDueAt: null } }
  }
}

/** The `resolution` an older reader of the queue sees for a final state (`handled` for completed). */
export const resolutionOfState = (s: RequestState): string | null =>
  s === "completed" ? "handled" : isFinalRequestState(s) ? s : null
