/**
 * A verification request's lifecycle as the store keeps it (`RenewalStore.caseRequests`,
 * `dueRequests`) and one recorded transition. Read beside `QueuedVerification` (the request's
 * Truv side: token, link, intent); these are its client side: state, expiry, reminders.
 */
import type { RequestKind } from "./reminder-schedule.js"
import type { RequestState } from "./request-state.js"

export interface RequestTransition {
  readonly requestId: number
  /** Null for the first (`created`). */
  readonly from: RequestState | null
  readonly to: RequestState
  readonly at: string
  readonly reason: string
}

export interface RequestLifecycle {
  readonly id: number
  readonly caseId: string
  readonly kind: RequestKind
  readonly connectionIds: ReadonlyArray<string>
  readonly createdAt: string
  readonly state: RequestState
  /** When the link or token stops serving (core's `requestExpiresAt`); null before it was sent. */
  readonly expiresAt: string | null
  /** Reminders sent (Truv's recorded, or our events). */
  readonly reminders: number
  readonly lastRemindedAt: string | null
  /** When the sweep must look at it next (a reminder or its expiry); null once final. */
  readonly nextDueAt: string | null
  /** Every transition, oldest first. */
  readonly transitions: ReadonlyArray<RequestTransition>
}

/** What `transitionRequest` did: `applied`, or `unchanged` (the request already was in `to`: a repeated call). */
export type RequestTransitionResult =
  | { readonly _tag: "applied"; readonly request: RequestLifecycle }
  | { readonly _tag: "unchanged"; readonly request: RequestLifecycle }

/** Options of `transitionRequest`: a reminder the agency sends (or a Bridge portal) gets an outbox event (`notify`). */
export interface TransitionOptions {
  readonly notify?: boolean
}
