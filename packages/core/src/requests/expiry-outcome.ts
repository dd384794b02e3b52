/**
 * What happens when a verification request expires unanswered, as a pure function: it is
 * replaced only while the case still needs it (not verified since the request was made) and only
 * up to `maxReplacementsPerCycle` times in the cycle; after that the request ends `escalated`: a
 * caseworker takes over, with the reason. Escalation is final and nothing asks the client again
 * in the cycle, so the loop always ends: at most 1 + max requests per connection per cycle.
 */
import type { RequestPolicy } from "./request-policy.js"
import type { RequestState } from "./request-state.js"

export interface ExpiryInput {
  /** Whether the case still needs the client: not verified since the request was created. */
  readonly stillNeeded: boolean
  /** Requests of the case in this cycle, for the same connections, that already ended `expired` (this one excluded). */
  readonly expiredBefore: number
}

export type ExpiryOutcome =
  | { readonly to: "expired"; readonly replace: boolean; readonly reason: string }
  | { readonly to: "escalated"; readonly replace: false; readonly reason: string; readonly caseworkerAction: string }

/** What the caseworker must do when a case is escalated (the `case.escalated` event's `caseworkerAction`). */
export const ESCALATION_CASEWORKER_ACTION =
  "Contact the client another way (phone, mail, in person) to verify income and employment; Recert sends no further links this cycle."

export const expiryOutcome = (input: ExpiryInput, policy: RequestPolicy): ExpiryOutcome => {
  const max = policy.maxReplacementsPerCycle
  if (!input.stillNeeded) return { to: "expired", replace: false, reason: "expired unanswered; the case no longer needs it (verified since it was sent)" }
  if (input.expiredBefore < max) {
    return { to: "expired", replace: true, reason: `expired unanswered; replaced (replacement ${input.expiredBefore + 1} of at most ${max} this cycle)` }
  }
  const links = input.expiredBefore + 1
  return {
    to: "escalated", replace: false,
    reason: `expired unanswered; ${links} ${links === 1 ? "link" : "links"} this cycle, ${max} ${max === 1 ? "replacement" : "replacements"} allowed: escalated to a caseworker`,
    caseworkerAction: ESCALATION_CASEWORKER_ACTION
  }
}

/** A request as the expiry rule sees its case's others. */
export interface CycleRequest {
  readonly id: number
  readonly connectionIds: ReadonlyArray<string>
  readonly createdAt: string
  readonly state: RequestState
}

/**
 * `expiredBefore` for request `r`: the case's other requests of the current cycle (made after the
 * case was last verified) sharing a connection with `r` that ended `expired`.
 */
export const expiredInCycle = (r: CycleRequest, all: ReadonlyArray<CycleRequest>, lastVerifiedAt: string | null): number => {
  const since = lastVerifiedAt === null ? -Infinity : Date.parse(lastVerifiedAt)
  return all.filter((o) => o.id !== r.id && o.state === "expired" && Date.parse(o.createdAt) > since &&
    o.connectionIds.some((c) => r.connectionIds.includes(c))).length
}

/** Whether the case is escalated in its current cycle: a request made after its last verification ended `escalated`. */
export const escalatedInCycle = (all: ReadonlyArray<CycleRequest>, lastVerifiedAt: string | null): boolean => {
  const since = lastVerifiedAt === null ? -Infinity : Date.parse(lastVerifiedAt)
  return all.some((o) => o.state === "escalated" && Date.parse(o.createdAt) > since)
}

/** Whether the case still needs a request made at `createdAt`: not verified since. */
export const requestStillNeeded = (createdAt: string, lastVerifiedAt: string | null): boolean =>
  lastVerifiedAt === null || Date.parse(lastVerifiedAt) <= Date.parse(createdAt)

/** What `RenewalStore.expireRequest` did. */
export type ExpiryResult =
  /** Not expired yet at the instant: nothing written. */
  | { readonly _tag: "not-due"; readonly expiresAt: string | null }
  /** Already final (completed meanwhile, or another worker expired it): nothing written. */
  | { readonly _tag: "final"; readonly state: RequestState }
  | { readonly _tag: "expired"; readonly replace: boolean; readonly reason: string }
  | { readonly _tag: "escalated"; readonly reason: string }

/**
 * The expiry step of request `r` at `now` among its case's requests `all` (core's rule, both stores
 * apply it in one transaction): not due, already final, or the outcome to record.
 */
export const planExpiry = (
  r: CycleRequest & { readonly expiresAt: string | null }, all: ReadonlyArray<CycleRequest>, lastVerifiedAt: string | null, now: number, policy: RequestPolicy
): ExpiryResult | ExpiryOutcome => {
  if (r.state !== "sent" && r.state !== "reminded") {
    return r.state === "created" ? { _tag: "not-due", expiresAt: r.expiresAt } : { _tag: "final", state: r.state }
  }
  if (r.expiresAt === null || now < Date.parse(r.expiresAt)) return { _tag: "not-due", expiresAt: r.expiresAt }
  return expiryOutcome({ stillNeeded: requestStillNeeded(r.createdAt, lastVerifiedAt), expiredBefore: expiredInCycle(r, all, lastVerifiedAt) }, policy)
}
