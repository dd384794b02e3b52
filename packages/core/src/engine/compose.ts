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
import { toIso } from "./time.js"

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

export const composeDecision = (ctx: RuleContext, findings: ReadonlyArray<Finding>, policyVersion: string): Decision => {
  const lineageFindings = findings.filter((f) => f.connectionId === null && f.effect !== "warn")
  const connections: Array<ConnectionDecision> = []
  const nextTimes: Array<number | null> = []
  for (const c of ctx.scope) {
    const own = findings.filter((f) => f.connectionId === c.connection.id && f.effect !== "warn")
    const all = [...lineageFindings, ...own]
    const { verdict, until } = verdictOf(all)
    if (verdict === "wait") nextTimes.push(until)
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
  const refreshed = connections.filter((c) => c.verdict === "refresh")
  const cost = billing(ctx, refreshed.length)
  for (const c of refreshed) c.billed = !cost.free
  const verdict = orderVerdict(connections, lineageFindings.length > 0 && connections.length === 0)
  const known = nextTimes.filter((t): t is number => t !== null)
  return {
    verdict,
    at: toIso(ctx.now),
    policyVersion,
    request: verdict === "refresh" ? buildRequest(ctx, refreshed) : null,
    connections,
    reasons: lineageFindings.map(toReason),
    cost: { billedVerifications: cost.billedVerifications, freeVerifications: cost.freeVerifications, gseFreeRemaining: cost.gseFreeRemaining },
    nextEligibleAt: verdict === "wait" && known.length > 0 ? toIso(Math.min(...known)) : null,
    warnings: findings.filter((f) => f.effect === "warn").map((f) =>
      ({ code: f.code, message: f.message, data: f.connectionId === null ? f.data : { connectionId: f.connectionId, ...f.data } }))
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

const buildRequest = (ctx: RuleContext, refreshed: ReadonlyArray<ConnectionDecision>): DecisionRequest => {
  const orders = ctx.lineage.orders
  const kinds = new Map(ctx.scope.map((c) => [c.connection.id, c.connection.kind]))
  const employers = refreshed.filter((c) => kinds.get(c.connectionId) === "employer").map((c) => ({ id: c.suborderId }))
  const accounts = refreshed.filter((c) => kinds.get(c.connectionId) === "financial_account").map((c) => ({ id: c.suborderId }))
  return {
    orderId: orders[orders.length - 1]!.id,
    products: [...ctx.request.products],
    ...(employers.length > 0 ? { employers } : {}),
    ...(accounts.length > 0 ? { financial_accounts: accounts } : {})
  }
}
