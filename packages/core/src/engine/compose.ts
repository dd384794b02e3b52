/**
 * Composes the findings of every rule into the decision of DESIGN.md. Verdict precedence for
 * one connection: deny > reauthenticate > new-order > wait > refresh. The order-level decision
 * refreshes the connections whose verdict is `refresh`; with none, it takes the most urgent
 * verdict of the others, and never drops a connection from `connections`.
 */
import type { ConnectionDecision, ConnectionVerdict, Decision, DecisionRequest, Reason } from "../model/decision.js"
import { billing } from "../rules/billing.js"
import { remainingInWindow } from "../rules/rate-window.js"
import type { Finding, FindingEffect, RuleContext } from "../rules/rule.js"
import { instantIso, toIso } from "./time.js"

const RANK: Readonly<Record<Exclude<FindingEffect, "warn">, number>> = { deny: 4, reauthenticate: 3, "new-order": 2, wait: 1 }
const VERDICT_BY_RANK: ReadonlyArray<ConnectionVerdict> = ["refresh", "wait", "new-order", "reauthenticate", "deny"]

const toReason = (f: Finding): Reason => ({ code: f.code, message: f.message, data: f.data })

/** A connection's verdict, reasons and (for `wait`) the latest instant among its waiting rules. */
const verdictOf = (findings: ReadonlyArray<Finding>): { verdict: ConnectionVerdict; until: number | null } => {
  let rank = 0
  let until: number | null = -Infinity
  for (const f of findings) {
    if (f.effect === "warn") continue
    rank = Math.max(rank, RANK[f.effect])
    if (f.effect === "wait") until = until === null || f.until === null || f.until === undefined ? null : Math.max(until, f.until)
  }
  const verdict = VERDICT_BY_RANK[rank]!
  return { verdict, until: verdict === "wait" && until !== -Infinity ? until : null }
}

const NO_FINDINGS: ReadonlyArray<Finding> = []

export const composeDecision = (ctx: RuleContext, findings: ReadonlyArray<Finding>, policyVersion: string): Decision => {
  // One pass sorts the findings by whom they concern; most decisions have none that bind.
  const lineageFindings: Array<Finding> = []
  const warnings: Array<Reason> = []
  let own: Map<string, Array<Finding>> | null = null
  for (const f of findings) {
    if (f.effect === "warn") {
      warnings.push({ code: f.code, message: f.message, data: f.connectionId === null ? f.data : { connectionId: f.connectionId, ...f.data } })
    } else if (f.connectionId === null) {
      lineageFindings.push(f)
    } else {
      own ??= new Map()
      const list = own.get(f.connectionId)
      if (list === undefined) own.set(f.connectionId, [f])
      else list.push(f)
    }
  }
  const connections: Array<ConnectionDecision> = []
  let earliest: number | null = null
  let refreshed = 0
  for (const c of ctx.scope) {
    const mine = own?.get(c.connection.id) ?? NO_FINDINGS
    const all = mine.length === 0 ? lineageFindings : lineageFindings.length === 0 ? mine : [...lineageFindings, ...mine]
    const { verdict, until } = verdictOf(all)
    if (verdict === "wait" && until !== null && (earliest === null || until < earliest)) earliest = until
    if (verdict === "refresh") refreshed++
    connections.push({
      connectionId: c.connection.id,
      suborderId: c.connection.suborderId,
      verdict,
      reasons: all.map(toReason),
      remainingInWindow: remainingInWindow(ctx, c),
      nextEligibleAt: until === null ? null : toIso(until),
      billed: null
    })
  }
  const cost = billing(ctx, refreshed)
  if (refreshed > 0) for (const c of connections) if (c.verdict === "refresh") c.billed = !cost.free
  const verdict = orderVerdict(connections, lineageFindings.length > 0 && connections.length === 0)
  return {
    verdict,
    at: instantIso(ctx.now),
    policyVersion,
    request: verdict === "refresh" ? buildRequest(ctx, connections) : null,
    connections,
    reasons: lineageFindings.map(toReason),
    cost: { billedVerifications: cost.billedVerifications, freeVerifications: cost.freeVerifications, gseFreeRemaining: cost.gseFreeRemaining },
    nextEligibleAt: verdict === "wait" && earliest !== null ? toIso(earliest) : null,
    warnings
  }
}

/** `refresh` when any connection can; otherwise the most urgent of the others (deny first). */
const orderVerdict = (connections: ReadonlyArray<ConnectionDecision>, deniedWithoutConnections: boolean): ConnectionVerdict => {
  if (deniedWithoutConnections) return "deny"
  if (connections.some((c) => c.verdict === "deny")) return "deny"
  if (connections.some((c) => c.verdict === "refresh")) return "refresh"
  for (const v of ["reauthenticate", "new-order", "wait"] as const) {
    if (connections.some((c) => c.verdict === v)) return v
  }
  return "deny"
}

const buildRequest = (ctx: RuleContext, connections: ReadonlyArray<ConnectionDecision>): DecisionRequest => {
  const orders = ctx.lineage.orders
  const employers: Array<{ id: string }> = []
  const accounts: Array<{ id: string }> = []
  // `connections` follows `ctx.scope` one to one, so the kind is read by index.
  connections.forEach((c, i) => {
    if (c.verdict !== "refresh") return
    if (ctx.scope[i]!.connection.kind === "employer") employers.push({ id: c.suborderId })
    else accounts.push({ id: c.suborderId })
  })
  return {
    orderId: orders[orders.length - 1]!.id,
    products: [...ctx.request.products],
    ...(employers.length > 0 ? { employers } : {}),
    ...(accounts.length > 0 ? { financial_accounts: accounts } : {})
  }
}
