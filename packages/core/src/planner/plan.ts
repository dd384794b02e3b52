/**
 * The batch planner: one action per case, for any hypothetical `now`. Cases whose renewal window
 * is open (`timing/renewal-window.ts`: the lead time, a freshness window per cycle, or the
 * business days before a closing date) are decided with the engine; the decision's verdict
 * becomes the action, and every item says which instant was chosen and why (`timing`). A refresh
 * that the rules predict to fail is never planned (an expired OAuth connection, one within the
 * safety margin of its expiry, or a known login error makes the connection `reauthenticate`, not
 * `refresh`), because every refresh is billed.
 */
import { z } from "zod"
import { decideAt } from "../engine/decide.js"
import { MINUTE_MS, toIso, toMs } from "../engine/time.js"
import type { ValidityEstimate } from "../learning/validity-estimate.js"
import { Attempt } from "../model/attempt.js"
import { Case, caseProduct } from "../model/case.js"
import { LoanHistory } from "../model/decision-input.js"
import type { Decision } from "../model/decision.js"
import { Lineage } from "../model/lineage.js"
import type { PolicyConfig } from "../model/policy-config.js"
import { timingPolicyOf } from "../timing/timing-policy.js"
import { chooseInstant, earliestOauthExpiry, type RenewalWindow, renewalWindow, type Timing, type WindowCase } from "../timing/renewal-window.js"

/** A case with what its decision reads. */
export const PlanCase = z.object({ case: Case, lineage: Lineage, ledger: z.array(Attempt).default([]), loan: LoanHistory.optional() })
export type PlanCase = z.infer<typeof PlanCase>
export type PlanCaseInput = z.input<typeof PlanCase>

export type PlanAction = "refresh" | "reauthenticate" | "new-order" | "wait" | "nothing"

export interface PlanItem {
  readonly caseId: string
  readonly dueAt: string
  readonly action: PlanAction
  /** One sentence: why this action. */
  readonly why: string
  /** Connection ids per verdict (refresh the first list, ask the user for the second, ...). */
  readonly connections: { readonly refresh: Array<string>; readonly reauthenticate: Array<string>; readonly newOrder: Array<string>; readonly wait: Array<string> }
  readonly nextEligibleAt: string | null
  readonly billedVerifications: number
  readonly freeVerifications: number
  /** The full decision, for due cases (null when there was nothing to decide). */
  readonly decision: Decision | null
  /**
   * The renewal's window and the instant chosen in it, with why (null for a case already
   * re-verified for this window).
   */
  readonly timing: Timing | null
}

export interface PlanTotals {
  readonly cases: number
  readonly due: number
  readonly actions: Record<PlanAction, number>
  readonly invalid: number
  readonly billedVerifications: number
  readonly freeVerifications: number
}

export interface Plan {
  readonly at: string
  readonly leadTimeDays: number
  readonly items: Array<PlanItem>
  readonly totals: PlanTotals
}

const nothing = (c: PlanCase, why: string, timing: Timing | null): PlanItem => ({
  caseId: c.case.id, dueAt: c.case.dueAt, action: "nothing", why,
  connections: { refresh: [], reauthenticate: [], newOrder: [], wait: [] },
  nextEligibleAt: null, billedVerifications: 0, freeVerifications: 0, decision: null, timing
})

/** Connection ids per verdict, in one pass over the decision. */
const idsByVerdict = (d: Decision): PlanItem["connections"] => {
  const out = { refresh: [] as Array<string>, reauthenticate: [] as Array<string>, newOrder: [] as Array<string>, wait: [] as Array<string> }
  for (const c of d.connections) {
    if (c.verdict === "refresh") out.refresh.push(c.connectionId)
    else if (c.verdict === "reauthenticate") out.reauthenticate.push(c.connectionId)
    else if (c.verdict === "new-order") out.newOrder.push(c.connectionId)
    else if (c.verdict === "wait") out.wait.push(c.connectionId)
  }
  return out
}

/** The message of the first reason: the lineage's, else the first connection's. */
const firstReason = (d: Decision): string | undefined => {
  if (d.reasons.length > 0) return d.reasons[0]!.message
  for (const c of d.connections) if (c.reasons.length > 0) return c.reasons[0]!.message
  return undefined
}

const isClosed = (d: Decision): boolean => {
  for (const r of d.reasons) if (r.code === "lineage.closed") return true
  return false
}

/** The action a decision leads to (a denied closed lineage needs a new order; other denials, nothing). */
const actionOf = (d: Decision): PlanAction =>
  d.verdict === "deny" ? (isClosed(d) ? "new-order" : "nothing") : d.verdict

const whyOf = (d: Decision, connections: PlanItem["connections"]): string =>
  d.verdict === "refresh"
    ? `refresh ${connections.refresh.length} of ${d.connections.length} connection(s)`
    : firstReason(d) ?? (d.verdict === "deny" ? "denied" : d.verdict)

/**
 * Why a case needs no renewal at `now`, or null when it does: its renewal window
 * (`renewalWindow`) is not open yet, or it was already re-verified inside that window (by
 * `lastVerifiedAt`, or, given the `ledger`, by a refresh that succeeded in the last
 * `inFlightRecheckMinutes` whose follow-up has not yet rescheduled the case). A lender case's
 * verification counts only inside its window: after a moved closing date, one that no longer falls
 * in the new window is not reused; from the note date on, nothing is renewed (the loan has closed).
 * The store's `reserve` asks the same question inside its transaction, so a worker holding a stale snapshot cannot refresh a case another worker has just
 * renewed (every refresh is billed).
 *
 * @example
 * renewalNotNeeded(Case.parse({ id: "c", dueAt: "2027-06-01T00:00:00Z", cycle: "annual", rootOrderId: "o" }), Date.parse("2026-12-01T00:00:00Z"), DEFAULT_POLICY_CONFIG)
 * // "not due until 2027-06-01 (lead time 30 days)"
 */
export const renewalNotNeeded = (
  c: WindowCase & Pick<Case, "lastVerifiedAt">, now: number, config: PolicyConfig, ledger: ReadonlyArray<Attempt> = [],
  window: RenewalWindow = renewalWindow(c, config)
): string | null => {
  const opens = window.opensAt
  if (now < opens) return notOpenYet(c, window)
  const closing = window.basis === "closing"
  const inWindow = (at: number) => at >= opens && (!closing || at <= window.closesAt)
  if (c.lastVerifiedAt !== null && inWindow(toMs(c.lastVerifiedAt))) return `already re-verified ${c.lastVerifiedAt.slice(0, 10)} for this ${closing ? "closing" : "cycle"}`
  // The loan closed at its note date: a re-verification after it answers nothing, and it would
  // not count for the window either, so without this every pass would refresh (and bill) again.
  if (closing && now >= window.closesAt) return `the closing date ${c.closingDate} has passed: nothing to re-verify (move the closing date to re-plan)`
  // A refresh that has just succeeded (within inFlightRecheckMinutes) and is newer than the last
  // re-verification is still in its follow-up (report being stored, case being rescheduled):
  // without this, a second worker could refresh the case again in that window.
  const verified = c.lastVerifiedAt === null ? -Infinity : toMs(c.lastVerifiedAt)
  const recheck = config.inFlightRecheckMinutes * MINUTE_MS
  for (const a of ledger) {
    const at = toMs(a.at)
    const resolved = a.resolvedAt === null ? at : toMs(a.resolvedAt)
    if (a.status === "succeeded" && at > verified && inWindow(at) && at <= now && now - resolved < recheck) {
      return `already refreshed ${a.at.slice(0, 10)} for this ${closing ? "closing" : "cycle"} (its report is being stored)`
    }
  }
  return null
}

const notOpenYet = (c: WindowCase, w: RenewalWindow): string =>
  w.basis === "closing"
    ? `not due until ${toIso(w.opensAt).slice(0, 10)} (${w.length} business days before the closing date ${c.closingDate})`
    : w.basis === "freshness"
      ? `not due until ${toIso(w.opensAt).slice(0, 10)} (freshness window ${w.length} days before the due date ${c.dueAt.slice(0, 10)})`
      : `not due until ${c.dueAt.slice(0, 10)} (lead time ${w.length} days)`

/**
 * Plans one case at `now`.
 *
 * @example
 * planCase(PlanCase.parse(raw), Date.parse("2026-12-01T00:00:00Z"), DEFAULT_POLICY_CONFIG).action
 */
export const planCase = (c: PlanCase, now: number, config: PolicyConfig, validity?: ReadonlyArray<ValidityEstimate>, withTiming = true): PlanItem => {
  const window = renewalWindow(c.case, config)
  const notNeeded = renewalNotNeeded(c.case, now, config, [], window)
  // The timing is computed when read (the CLI prints it; a scheduler pass or the simulator never
  // reads it): a lazy, cached, enumerable property, so JSON and equality see a plain field.
  const timing = !withTiming || (notNeeded !== null && now >= window.opensAt)
    ? null
    : () => chooseInstant(window, earliestOauthExpiry(c.lineage, config), now, config, c.case.closingDate ?? null)
  if (notNeeded !== null) return withTimingOf(nothing(c, notNeeded, null), timing)
  const product = caseProduct(c.case, c.lineage)
  const input = { lineage: c.lineage, ledger: c.ledger, request: { products: [product] }, ...(c.loan === undefined ? {} : { loan: c.loan }) }
  const decision = decideAt(validity === undefined ? input : { ...input, validity: [...validity] }, now, config)
  const connections = idsByVerdict(decision)
  const refresh = decision.verdict === "refresh"
  return withTimingOf({
    caseId: c.case.id, dueAt: c.case.dueAt, connections, nextEligibleAt: decision.nextEligibleAt, decision, timing: null,
    billedVerifications: refresh ? decision.cost.billedVerifications : 0,
    freeVerifications: refresh ? decision.cost.freeVerifications : 0,
    action: actionOf(decision),
    why: whyOf(decision, connections)
  }, timing)
}

const withTimingOf = (item: PlanItem, compute: (() => Timing) | null): PlanItem => {
  if (compute === null) return item
  let timing: Timing | undefined
  return Object.defineProperty(item, "timing", { enumerable: true, get: () => (timing ??= compute()) })
}

/** Adds one item to running totals (the planner's streaming form uses it too). */
export const addToTotals = (totals: { -readonly [K in keyof PlanTotals]: PlanTotals[K] }, item: PlanItem): void => {
  totals.cases++
  if (item.decision !== null) totals.due++
  totals.actions[item.action]++
  if (item.decision?.verdict === "deny" && item.action === "nothing") totals.invalid++
  totals.billedVerifications += item.billedVerifications
  totals.freeVerifications += item.freeVerifications
}

export const emptyTotals = (): { -readonly [K in keyof PlanTotals]: PlanTotals[K] } => ({
  cases: 0, due: 0, actions: { refresh: 0, reauthenticate: 0, "new-order": 0, wait: 0, nothing: 0 },
  invalid: 0, billedVerifications: 0, freeVerifications: 0
})

export interface PlanOptions {
  /**
   * `"full"` (the default) keeps each due case's full decision in `item.decision` and its timing in
   * `item.timing`; `"none"` drops both (`null`; the timing is then not computed), so a plan of many
   * cases does not hold them in memory. Actions, connections, costs and totals are the same.
   */
  readonly decisions?: "full" | "none"
  /** Validity learned from the ledger (`learning/`), given to every decision (`DecisionInput.validity`). */
  readonly validity?: ReadonlyArray<ValidityEstimate>
}

/**
 * Plans every case at `now`, with totals of expected billed and free verifications.
 *
 * @example
 * planAt(cases.map((c) => PlanCase.parse(c)), Date.parse("2026-12-01T00:00:00Z"), DEFAULT_POLICY_CONFIG).totals
 * planAt(cases, now, config, { decisions: "none" })   // the same plan without the decisions
 */
export const planAt = (cases: Iterable<PlanCase>, now: number, config: PolicyConfig, options: PlanOptions = {}): Plan => {
  const keep = options.decisions !== "none"
  const items: Array<PlanItem> = []
  const totals = emptyTotals()
  for (const c of cases) {
    const item = planCase(c, now, config, options.validity, keep)
    addToTotals(totals, item)
    items.push(keep || item.decision === null ? item : { ...item, decision: null })
  }
  return { at: toIso(now), leadTimeDays: config.leadTimeDays, items, totals }
}

/**
 * How far ahead of `now` a due date may be for its renewal window to be open: the lead time, the
 * longest freshness window, or the longest calendar span of the pre-closing window (the business
 * days, with two weekend days per five, plus up to 15 holidays). The scheduler's and the CLI's
 * due-case queries read cases due by `now + planningHorizonDays(config)`; the planner decides the rest.
 *
 * @example
 * planningHorizonDays(DEFAULT_POLICY_CONFIG) // 30
 */
export const planningHorizonDays = (config: PolicyConfig): number => {
  let days = config.leadTimeDays
  for (const n of Object.values(config.timing?.freshnessDays ?? {})) if (n !== undefined) days = Math.max(days, n)
  // Five business days per calendar week, and room for two weeks of holidays: an upper bound (the
  // query may read a case a little early; the planner says "not due" for it).
  return Math.max(days, Math.ceil(timingPolicyOf(config).closing.businessDays * 7 / 5) + 14)
}
