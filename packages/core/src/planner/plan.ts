/**
 * The batch planner: one action per case, for any hypothetical `now`. Cases due within the lead
 * time are decided with the engine; the decision's verdict becomes the action. A refresh that
 * the rules predict to fail is never planned (an expired OAuth connection or a known login error
 * makes the connection `reauthenticate`, not `refresh`), because every refresh is billed.
 */
import { z } from "zod"
import { decideAt } from "../engine/decide.js"
import { DAY_MS, toIso, toMs } from "../engine/time.js"
import { Attempt } from "../model/attempt.js"
import { Case } from "../model/case.js"
import type { Decision } from "../model/decision.js"
import { Lineage } from "../model/lineage.js"
import type { PolicyConfig } from "../model/policy-config.js"

/** A case with what its decision reads. */
export const PlanCase = z.object({ case: Case, lineage: Lineage, ledger: z.array(Attempt).default([]) })
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

const nothing = (c: PlanCase, why: string): PlanItem => ({
  caseId: c.case.id, dueAt: c.case.dueAt, action: "nothing", why,
  connections: { refresh: [], reauthenticate: [], newOrder: [], wait: [] },
  nextEligibleAt: null, billedVerifications: 0, freeVerifications: 0, decision: null
})

const ids = (d: Decision, verdict: Decision["verdict"]): Array<string> =>
  d.connections.filter((c) => c.verdict === verdict).map((c) => c.connectionId)

/**
 * Plans one case at `now`.
 *
 * @example
 * planCase(PlanCase.parse(raw), Date.parse("2026-12-01T00:00:00Z"), DEFAULT_POLICY_CONFIG).action
 */
export const planCase = (c: PlanCase, now: number, config: PolicyConfig): PlanItem => {
  const due = toMs(c.case.dueAt)
  const lead = config.leadTimeDays * DAY_MS
  if (due > now + lead) return nothing(c, `not due until ${c.case.dueAt.slice(0, 10)} (lead time ${config.leadTimeDays} days)`)
  if (c.case.lastVerifiedAt !== null && toMs(c.case.lastVerifiedAt) >= due - lead) {
    return nothing(c, `already re-verified ${c.case.lastVerifiedAt.slice(0, 10)} for this cycle`)
  }
  const product = c.case.product ?? c.lineage.orderType
  const decision = decideAt({ lineage: c.lineage, ledger: c.ledger, request: { products: [product] } }, now, config)
  const connections = { refresh: ids(decision, "refresh"), reauthenticate: ids(decision, "reauthenticate"), newOrder: ids(decision, "new-order"), wait: ids(decision, "wait") }
  const base = { caseId: c.case.id, dueAt: c.case.dueAt, connections, nextEligibleAt: decision.nextEligibleAt, decision }
  const cost = { billedVerifications: decision.cost.billedVerifications, freeVerifications: decision.cost.freeVerifications }
  const first = decision.reasons[0] ?? decision.connections.flatMap((x) => x.reasons)[0]
  switch (decision.verdict) {
    case "refresh":
      return { ...base, ...cost, action: "refresh", why: `refresh ${connections.refresh.length} of ${decision.connections.length} connection(s)` }
    case "deny": {
      const closed = decision.reasons.some((r) => r.code === "lineage.closed")
      return { ...base, billedVerifications: 0, freeVerifications: 0, action: closed ? "new-order" : "nothing", why: first?.message ?? "denied" }
    }
    case "wait":
      return { ...base, billedVerifications: 0, freeVerifications: 0, action: "wait", why: first?.message ?? "wait" }
    default:
      return { ...base, billedVerifications: 0, freeVerifications: 0, action: decision.verdict, why: first?.message ?? decision.verdict }
  }
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

/**
 * Plans every case at `now`, with totals of expected billed and free verifications.
 *
 * @example
 * planAt(cases.map((c) => PlanCase.parse(c)), Date.parse("2026-12-01T00:00:00Z"), DEFAULT_POLICY_CONFIG).totals
 */
export const planAt = (cases: Iterable<PlanCase>, now: number, config: PolicyConfig): Plan => {
  const items: Array<PlanItem> = []
  const totals = emptyTotals()
  for (const c of cases) {
    const item = planCase(c, now, config)
    items.push(item)
    addToTotals(totals, item)
  }
  return { at: toIso(now), leadTimeDays: config.leadTimeDays, items, totals }
}
