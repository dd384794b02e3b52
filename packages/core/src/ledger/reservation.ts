/**
 * What `reserve` decides and inserts, as a pure function of the snapshot it re-read under its
 * lock: the product asked for (the caller's, else the case's, else the lineage's order type), the
 * decision at `now`, whether the case still needs renewing, and the `reserved` attempt for the
 * connections the decision refreshes. Every store calls it; the stores only persist the result.
 */
import type { ValidityEstimate } from "../learning/validity-estimate.js"
import type { DecisionInput } from "../model/decision-input.js"
import type { Attempt } from "../model/attempt.js"
import { caseProduct } from "../model/case.js"
import type { Decision } from "../model/decision.js"
import type { PolicyConfig } from "../model/policy-config.js"
import type { Product } from "../model/primitives.js"
import { decideAt } from "../engine/decide.js"
import { toIso } from "../engine/time.js"
import { renewalNotNeeded } from "../planner/plan.js"
import type { CaseSnapshot, Reservation } from "../ports/renewal-store.js"
import { inConnectionOrder } from "./ordering.js"

/** What the caller of `reserve` asks for. */
export interface ReservationRequest {
  readonly product: Product | null
  readonly oncePerCycle?: boolean
}

/** The decision's input (the SQL store digests it for its audit log), its instant, and the reservation. */
export interface PlannedReservation {
  readonly input: DecisionInput
  /** When it was decided (`reservationInstant`): the decision's `at`, and the attempt's. */
  readonly at: number
  readonly reservation: Reservation
}

/**
 * The instant a reservation is decided at: the caller's clock, or the newest instant in the
 * ledger (the case's, and its loan's) when that is later. Workers' clocks differ (NTP's
 * milliseconds; a Truv clock correction of a second or more under load): an attempt another
 * worker reserved "after" this worker's now exists all the same, but the engine reads a ledger as
 * of its `now` (so `explain` and replays of a past instant see what existed then) and would not
 * see it: a refresh in flight invisible, a second one sent (chaos `postgres`, seed 4: two
 * refreshes of one case reserved 22 ms apart by two workers). Time is at least the newest instant
 * any worker has written (a hybrid logical clock's rule): deciding then sees every attempt, keeps
 * the ledger's instants in the order the attempts were reserved, and replays exactly.
 *
 * @example
 * reservationInstant({ ...snapshot, ledger: [{ ...attempt, at: "2026-11-22T10:00:01.000Z" }] }, Date.parse("2026-11-22T10:00:00.000Z"))
 * // Date.parse("2026-11-22T10:00:01.000Z")
 */
export const reservationInstant = (snapshot: CaseSnapshot, now: number): number => {
  let at = now
  for (const a of snapshot.ledger) at = Math.max(at, Date.parse(a.at))
  for (const a of snapshot.loan?.attempts ?? []) at = Math.max(at, Date.parse(a.at))
  return at
}

/**
 * The `reserved` attempt a decision asks for, or null when it refreshes nothing: its connections
 * are the ones whose verdict is `refresh`, in connection order; it uses the free GSE quota when
 * the decision's cost says so. `newId` is called only when there is an attempt.
 *
 * @example
 * reservedAttempt(decision, "income", () => "att-1", Date.parse("2026-11-22T10:00:00Z"))
 * // { id: "att-1", at: "2026-11-22T10:00:00.000Z", status: "reserved", connectionIds: ["link-1"], ... }
 */
export const reservedAttempt = (decision: Decision, product: Product, newId: () => string, now: number): Attempt | null => {
  if (decision.verdict !== "refresh" || decision.request === null) return null
  const connectionIds = inConnectionOrder(decision.connections.filter((c) => c.verdict === "refresh").map((c) => c.connectionId))
  if (connectionIds.length === 0) return null
  return {
    id: newId(), at: toIso(now), product, connectionIds, status: "reserved",
    orderId: null, rejection: null, outcomes: {}, resolvedAt: null, gseFree: decision.cost.freeVerifications > 0
  }
}

/**
 * Decides a reservation on `snapshot` at `now` (or later: `reservationInstant`). `newId` is called only when an attempt is
 * inserted. `notNeeded` (no attempt) when the case no longer needs renewing: not due, already
 * re-verified, or (with `oncePerCycle`) refreshed successfully moments ago.
 *
 * @example
 * const { reservation } = planReservation(snapshot, { product: null }, now, DEFAULT_POLICY_CONFIG, () => "att-1")
 * reservation.attempt?.status // "reserved"
 */
export const planReservation = (
  snapshot: CaseSnapshot, request: ReservationRequest, now: number, config: PolicyConfig, newId: () => string,
  validity?: ReadonlyArray<ValidityEstimate>
): PlannedReservation => {
  now = reservationInstant(snapshot, now)
  const product = request.product ?? caseProduct(snapshot.case, snapshot.lineage)
  const input: DecisionInput = { lineage: snapshot.lineage, ledger: [...snapshot.ledger], request: { products: [product] } }
  // A GSE loan moved to a new lineage: its quota counts per loan (`gse.free-quota`).
  if (snapshot.loan !== undefined) input.loan = { firstOrderAt: snapshot.loan.firstOrderAt, attempts: [...snapshot.loan.attempts] }
  // Only the estimates of the lineage's own (provider, auth kind)s: the audit digest stays small.
  if (validity !== undefined) {
    const relevant = validity.filter((e) => snapshot.lineage.connections.some((c) => c.provider === e.provider && c.authKind === e.authKind))
    if (relevant.length > 0) input.validity = relevant
  }
  const decision = decideAt(input, now, config)
  const notNeeded = renewalNotNeeded(snapshot.case, now, config, request.oncePerCycle === true ? snapshot.ledger : [])
  if (notNeeded !== null) return { input, at: now, reservation: { decision, attempt: null, notNeeded } }
  return { input, at: now, reservation: { decision, attempt: reservedAttempt(decision, product, newId, now) } }
}
