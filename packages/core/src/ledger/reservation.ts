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

/** The decision's input (the SQL store digests it for its audit log) and the reservation. */
export interface PlannedReservation {
  readonly input: DecisionInput
  readonly reservation: Reservation
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
 * Decides a reservation on `snapshot` at `now`. `newId` is called only when an attempt is
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
  if (notNeeded !== null) return { input, reservation: { decision, attempt: null, notNeeded } }
  return { input, reservation: { decision, attempt: reservedAttempt(decision, product, newId, now) } }
}
