/**
 * A verification request's lifecycle (issue 16): the states a client-facing link or token goes
 * through, and the one table of the transitions allowed between them. Every change of state is
 * recorded with its instant and reason (the store's `verification_request_transitions`); a change
 * that is not in the table is a defect and is refused (`IllegalRequestTransition`), never written.
 *
 * ```
 * created ─▶ sent ─▶ reminded (n times) ─▶ completed | expired | canceled | superseded | escalated
 *    └───────────┴──────────┴─▶ completed | canceled | superseded  (created: never reached the client)
 *    └─▶ escalated  (created: a request that cannot be made, no usable contact)
 * ```
 * `created`: the request is stored (as an intent, before Truv is asked). `sent`: Truv created the
 * order or the token, so the link exists (Truv sends it, or the agency does). `reminded`: a
 * reminder went out (Truv's own, or our event). The last five are final: nothing leaves them.
 */
import { Schema } from "effect"

export const REQUEST_STATES = ["created", "sent", "reminded", "completed", "expired", "canceled", "superseded", "escalated"] as const
export type RequestState = typeof REQUEST_STATES[number]

/** The final states: a request in one of them never changes again. */
export const FINAL_REQUEST_STATES: ReadonlySet<RequestState> = new Set(["completed", "expired", "canceled", "superseded", "escalated"])

/** The states in which a request still waits for the client (reminders and expiry apply). */
export const OPEN_REQUEST_STATES: ReadonlySet<RequestState> = new Set(["sent", "reminded"])

/**
 * Every allowed transition, `from` → the states it may go to. Expiry needs a link that existed
 * (`sent`, `reminded`): an intent never created at Truv expires nothing. Escalation comes after
 * the replacements of expired links, or at once (`created` → `escalated`) for a request that
 * cannot be made: the client's contact lacks what the reach mode needs (issue 16).
 */
export const REQUEST_TRANSITIONS: Readonly<Record<RequestState, ReadonlyArray<RequestState>>> = {
  created: ["sent", "completed", "canceled", "superseded", "escalated"],
  sent: ["reminded", "completed", "expired", "canceled", "superseded", "escalated"],
  reminded: ["reminded", "completed", "expired", "canceled", "superseded", "escalated"],
  completed: [],
  expired: [],
  canceled: [],
  superseded: [],
  escalated: []
}

/** Whether the table allows `from` → `to`. */
export const canTransitionRequest = (from: RequestState, to: RequestState): boolean => REQUEST_TRANSITIONS[from].includes(to)

export const isFinalRequestState = (s: RequestState): boolean => FINAL_REQUEST_STATES.has(s)

/** A request lifecycle change the table refuses (see `REQUEST_TRANSITIONS`). Nothing was written. */
export class IllegalRequestTransition extends Schema.TaggedError<IllegalRequestTransition>()("IllegalRequestTransition", {
  requestId: Schema.Number,
  from: Schema.String,
  to: Schema.String
}) {
  override get message(): string {
    return `verification request ${this.requestId}: illegal transition ${this.from} -> ${this.to}`
  }
}

export class RequestNotFound extends Schema.TaggedError<RequestNotFound>()("RequestNotFound", {
  requestId: Schema.Number
}) {
  override get message(): string {
    return `no verification request with id ${this.requestId}`
  }
}
