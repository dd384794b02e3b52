/**
 * A decision in words, for `explain` and `decide`: the verdict and what to do about it, the
 * next eligible instant, the cost, the request that would be sent, one row per connection, and
 * every reason and warning as the sentence the core wrote. Reasons that apply to the whole
 * lineage are listed once, not under every connection.
 */
import type { Decision, Reason, Verdict } from "@recert/core"
import { type Cell, orDash, type Paint, printable, table } from "../output.js"

/** What the lineage is, when the caller knows it (explain reads it from the store). */
export interface LineageSummary {
  readonly rootOrderId: string
  readonly orderType: string
  readonly gse: boolean
  readonly newestOrderId: string
}

export const verdictPaint = (p: Paint, v: string): ((s: string) => string) => {
  switch (v) {
    case "refresh": return p.green
    case "wait": return p.yellow
    case "nothing": return p.dim
    default: return p.red
  }
}

export const verdictCell = (p: Paint, v: string): Cell => ({ text: v, paint: verdictPaint(p, v) })

/** One sentence: what the verdict means for the caseworker. */
export const whatToDo = (d: Decision): string => {
  const count = (v: Verdict) => d.connections.filter((c) => c.verdict === v).length
  switch (d.verdict) {
    case "refresh": {
      const others = d.connections.length - count("refresh")
      return `refresh ${count("refresh")} of ${d.connections.length} connection(s) now` +
        (others > 0 ? `; the other ${others} cannot be refreshed now (see reasons)` : "")
    }
    case "wait":
      return d.nextEligibleAt === null ? "wait: no instant is known at which a refresh becomes possible" : `wait until ${d.nextEligibleAt}`
    case "reauthenticate":
      return `the user must re-authenticate ${count("reauthenticate")} connection(s) (Bridge update mode) before any refresh`
    case "new-order":
      return "no refresh can produce data: create a new order (a fresh verification link)"
    case "deny":
      return "this request cannot be refreshed (see reasons)"
  }
}

export const describeCost = (d: Decision): string => {
  const gse = d.cost.gseFreeRemaining === null ? "" : `; GSE free refreshes left: ${d.cost.gseFreeRemaining}`
  return `${d.cost.billedVerifications} billed, ${d.cost.freeVerifications} free verification(s)${gse}`
}

const describeRequest = (d: Decision): string => {
  if (d.request === null) return "-"
  const { orderId, ...body } = d.request
  return `POST /v1/orders/${orderId}/ ${JSON.stringify(body)}`
}

const same = (a: Reason, b: Reason) => a.code === b.code && a.message === b.message

const reasonLines = (p: Paint, d: Decision): Array<string> => {
  const lines: Array<string> = []
  const width = Math.max(9, ...d.connections.map((c) => c.connectionId.length))
  const push = (who: string, r: Reason) => lines.push(`  ${who.padEnd(width)}  ${r.message} ${p.dim(`[${r.code}]`)}`)
  for (const r of d.reasons) push("(lineage)", r)
  for (const c of d.connections) {
    for (const r of c.reasons) if (!d.reasons.some((l) => same(l, r))) push(c.connectionId, r)
  }
  return lines
}

const warningLines = (p: Paint, d: Decision): Array<string> => {
  const width = Math.max(9, ...d.connections.map((c) => c.connectionId.length))
  return d.warnings.map((w) => {
    const who = typeof w.data["connectionId"] === "string" ? w.data["connectionId"] : "(lineage)"
    return `  ${who.padEnd(width)}  ${w.message} ${p.dim(`[${w.code}]`)}`
  })
}

/** The whole decision as lines of text, under a title such as `case case-17`. */
export const renderDecision = (p: Paint, title: string, d: Decision, lineage: LineageSummary | null): Array<string> => {
  const field = (name: string, value: string) => `  ${name.padEnd(14)}${value}`
  const lines = [`${p.bold(printable(title))}: ${verdictPaint(p, d.verdict)(d.verdict)}`, field("decision", whatToDo(d))]
  if (lineage !== null) {
    lines.push(field("lineage", printable(`${lineage.rootOrderId} (${lineage.orderType}${lineage.gse ? ", GSE" : ""}), newest order ${lineage.newestOrderId}`)))
  }
  lines.push(
    field("decided at", d.at),
    field("next eligible", orDash(d.nextEligibleAt)),
    field("cost", describeCost(d)),
    field("request", describeRequest(d)),
    field("policy", d.policyVersion.slice(0, 12)),
    "",
    ...table(p, ["CONNECTION", "SUBORDER", "VERDICT", "LEFT IN WINDOW", "NEXT ELIGIBLE", "BILLED"], d.connections.map((c) => [
      c.connectionId, c.suborderId, verdictCell(p, c.verdict), String(c.remainingInWindow), orDash(c.nextEligibleAt),
      c.billed === null ? "-" : c.billed ? "yes" : "no (free)"
    ]))
  )
  const reasons = reasonLines(p, d)
  lines.push("", p.bold("Reasons"), ...(reasons.length > 0 ? reasons : ["  none: every rule passed"]))
  const warnings = warningLines(p, d)
  if (warnings.length > 0) lines.push("", p.bold("Warnings"), ...warnings)
  return lines
}
