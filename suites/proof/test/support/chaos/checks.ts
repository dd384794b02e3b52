/**
 * What a chaos run must show, computed from the two accounts: Truv's (the sandbox: its report,
 * every webhook it produced, each link's accepted refresh instants) and Recert's (the database).
 * Each check has a name, the value found, the value required and, when they differ, the evidence
 * (attempt ids, case ids, order ids, statuses) to find the cause.
 *
 * | check | required | how |
 * |---|---|---|
 * | limit violations | 0 | the sandbox's count of refresh requests over a token's limit, plus links whose accepted refresh instants hold 4 in a rolling 24 h |
 * | refreshes sent twice | 0 | cases with two refresh orders at Truv (their lineage's `order-created` events) in this run, i.e. within one cycle |
 * | outcomes ≠ Truv | 0 | every (attempt, connection) whose recorded outcome differs from the task status Truv announced for that refresh order and link (`order-status-updated` completed = done, `order-refresh-failed` status); one not recorded yet keeps its attempt open: a case not final |
 * | follow-ups owed | 0 | final attempts (`succeeded`, `failed`) without `followed_up_at` |
 * | orphans | 0 | refresh orders no attempt knows (of a case with no attempt still open: an open one may still be reconciled to it), new orders no verification request knows, and Bridge tokens Truv issued beyond those stored or recorded `unknown` (an answer lost: Truv has no token lookup; the request records that one may exist and covers its connection for 6 h) |
 * | billing ≠ Truv (links) | 0 | links whose billed or free verifications in the ledger (attempts not rejected, per connection, `no_data` not billed: `Store.stats`' rule) differ from Truv's; links of a case with an attempt still open are left out (an open attempt counts until proven otherwise: the case is not final) |
 * | report ≠ Truv | 0 | figures of the scenario's report that differ from Truv's (see the scenario) |
 * | cases not final | 0 | cases with an attempt still open, or neither verified, queued for the user nor with a resolved attempt |
 * | webhooks unaccounted | 0 | events delivered with a 2xx that are not stored and processed, or stored unprocessed without a 2xx |
 */
import type { SandboxReport } from "@recert/truv-sandbox"
import type { Db, World } from "./world.js"

const DAY = 86_400_000
const MAX_EVIDENCE = 25

export interface Check {
  readonly name: string
  readonly value: number | string
  readonly expected: number | string
  readonly ok: boolean
  readonly evidence: ReadonlyArray<string>
}

export const check = (name: string, value: number | string, expected: number | string, evidence: ReadonlyArray<string> = []): Check =>
  ({ name, value, expected, ok: value === expected, evidence: value === expected ? [] : capped(evidence) })

const capped = (lines: ReadonlyArray<string>): Array<string> =>
  lines.length <= MAX_EVIDENCE ? [...lines] : [...lines.slice(0, MAX_EVIDENCE), `... and ${lines.length - MAX_EVIDENCE} more`]

/** A figure of a report and Truv's, compared. */
export interface ReportFigure {
  readonly what: string
  readonly report: number | null
  readonly truv: number
}

export const reportCheck = (source: string, figures: ReadonlyArray<ReportFigure>, problems: ReadonlyArray<string> = []): Check => {
  const differ = figures.filter((f) => f.report !== f.truv)
  return check(`report ≠ Truv (${source})`, differ.length + problems.length, 0, [
    ...problems,
    ...differ.map((f) => `${f.what}: ${source} ${f.report ?? "(missing)"}, Truv ${f.truv}`)
  ])
}

interface AttemptRow {
  readonly id: string
  readonly case_id: string
  readonly status: string
  readonly order_id: string | null
  readonly rejection: string | null
  readonly outcomes: string
  readonly gse_free: number | string
  readonly followed_up_at: number | string | null
  readonly at: number | string
  readonly updated_at: number | string
  readonly sent_by: string | null
}

const iso = (ms: number | string | null): string => (ms === null ? "null" : new Date(Number(ms)).toISOString().slice(11, 23))

export interface TruvAccount {
  readonly report: SandboxReport
  /** Refresh order id -> case id (from `order-created` of a seeded lineage's user). */
  readonly refreshOrders: ReadonlyMap<string, string>
  /** New orders (`POST /v1/orders/`): id -> order_number. */
  readonly newOrders: ReadonlyMap<string, string | null>
  /** `<order>|<link>` -> the terminal task status Truv announced. */
  readonly taskStatus: ReadonlyMap<string, string>
  /** Every webhook id produced. */
  readonly produced: ReadonlyArray<string>
}

export const truvAccount = (world: World): TruvAccount => {
  const caseOfUser = new Map(world.cases.map((c) => [c.userId, c.caseId]))
  const refreshOrders = new Map<string, string>()
  const newOrders = new Map<string, string | null>()
  const taskStatus = new Map<string, string>()
  const produced: Array<string> = []
  for (const w of world.sandbox.webhooks()) {
    produced.push(w.webhookId)
    const e = JSON.parse(w.body) as Record<string, unknown>
    const orderId = String(e["order_id"])
    if (w.eventType === "order-created") {
      const caseId = caseOfUser.get(String(e["user_id"]))
      if (caseId === undefined) newOrders.set(orderId, (e["order_number"] as string | null) ?? null)
      else refreshOrders.set(orderId, caseId)
    } else if (w.eventType === "order-status-updated" && e["status"] === "completed" && typeof e["link_id"] === "string") {
      taskStatus.set(`${orderId}|${e["link_id"]}`, "done")
    } else if (w.eventType === "order-refresh-failed" && typeof e["link_id"] === "string") {
      taskStatus.set(`${orderId}|${e["link_id"]}`, String(e["status"]))
    }
  }
  return { report: world.sandbox.report(), refreshOrders, newOrders, taskStatus, produced: [...new Set(produced)] }
}

export interface StoreAccount {
  readonly attempts: ReadonlyArray<AttemptRow & { readonly connections: ReadonlyArray<string> }>
  readonly cases: ReadonlyArray<{ readonly id: string; readonly last_verified_at: number | string | null }>
  readonly decisions: ReadonlyArray<{ readonly case_id: string; readonly at: number | string; readonly verdict: string; readonly decision: string }>
  readonly queue: ReadonlyArray<{ readonly case_id: string; readonly kind: string; readonly order_id: string | null; readonly has_token: number | string | boolean; readonly token_unknown: number | string | boolean; readonly attempt_id: string | null }>
  readonly inbox: ReadonlyMap<string, { readonly processed: boolean; readonly result: string | null; readonly event_type: string }>
}

export const storeAccount = async (db: Db): Promise<StoreAccount> => {
  const attempts = await db.query<AttemptRow>("SELECT id, case_id, status, order_id, rejection, outcomes, gse_free, followed_up_at, at, updated_at, sent_by FROM attempts ORDER BY at, id")
  const links = await db.query<{ attempt_id: string; connection_id: string }>("SELECT attempt_id, connection_id FROM attempt_connections")
  const byAttempt = new Map<string, Array<string>>()
  for (const l of links) byAttempt.set(l.attempt_id, [...(byAttempt.get(l.attempt_id) ?? []), l.connection_id])
  return {
    attempts: attempts.map((a) => ({ ...a, connections: (byAttempt.get(a.id) ?? []).sort() })),
    cases: await db.query("SELECT id, last_verified_at FROM cases ORDER BY id"),
    decisions: await db.query("SELECT case_id, at, verdict, decision FROM decisions ORDER BY at, id"),
    queue: await db.query("SELECT case_id, kind, order_id, CASE WHEN bridge_token IS NULL THEN 0 ELSE 1 END AS has_token, CASE WHEN state = 'unknown' THEN 1 ELSE 0 END AS token_unknown, attempt_id FROM verification_queue ORDER BY id"),
    inbox: new Map((await db.query<{ webhook_id: string; processed_at: unknown; result: string | null; event_type: string }>("SELECT webhook_id, processed_at, result, event_type FROM webhook_events"))
      .map((r) => [r.webhook_id, { processed: r.processed_at !== null, result: r.result, event_type: r.event_type }]))
  }
}

const OPEN = new Set(["reserved", "sent", "unknown"])
const FINAL = new Set(["succeeded", "failed"])

const describeAttempt = (a: StoreAccount["attempts"][number]): string =>
  `attempt ${a.id} case ${a.case_id} ${a.status}${a.rejection === null ? "" : `/${a.rejection}`} order ${a.order_id ?? "-"} at ${iso(a.at)} outcomes ${a.outcomes}${FINAL.has(a.status) ? ` followed up ${a.followed_up_at === null ? "no" : iso(a.followed_up_at)}` : ""} updated ${iso(a.updated_at)} sent by ${a.sent_by?.slice(0, 8) ?? "-"}`

/** A recorded decision's reason codes (the evidence of a case refreshed twice). */
const reasonCodes = (decision: string): string => {
  const d = JSON.parse(decision) as { readonly reasons?: ReadonlyArray<{ readonly code?: string }> }
  return (d.reasons ?? []).map((r) => r.code ?? "?").join(", ")
}

/** Cases not final, for the wait loop and the check (see the table at the top). */
export const casesNotFinal = (s: StoreAccount, queuedCases: ReadonlySet<string>): Array<string> =>
  s.cases.filter((c) => {
    const mine = s.attempts.filter((a) => a.case_id === c.id)
    if (mine.some((a) => OPEN.has(a.status))) return true
    return !(c.last_verified_at !== null || queuedCases.has(c.id) || mine.some((a) => FINAL.has(a.status)))
  }).map((c) => c.id)

export const followUpsOwed = (s: StoreAccount) => s.attempts.filter((a) => FINAL.has(a.status) && a.followed_up_at === null)

/** The checks every scenario shares. */
export const commonChecks = (world: World, truv: TruvAccount, s: StoreAccount): { readonly checks: Array<Check>; readonly figures: Record<string, number | string> } => {
  const checks: Array<Check> = []
  const attemptsOf = (caseId: string) => s.attempts.filter((a) => a.case_id === caseId)

  // Limits: the sandbox's own count, and every link's rolling 24 h count from the instants it accepted.
  const windowViolations = world.cases.flatMap((c) => c.linkIds).filter((l) => {
    const at = world.sandbox.link(l).refreshes.map((t) => Date.parse(t)).sort((a, b) => a - b)
    return at.some((t) => at.filter((u) => u >= t && u < t + DAY).length > 3)
  })
  checks.push(check("limit violations", truv.report.limitViolationsAttempted + windowViolations.length, 0, [
    ...truv.report.limitViolations.map((v) => `Truv refused a refresh at ${v.at} of order ${v.orderId ?? "-"} for links ${v.linkIds.join(",")}`),
    ...windowViolations.map((l) => `link ${l}: accepted refreshes ${world.sandbox.link(l).refreshes.join(", ")}`)
  ]))

  // Refreshes sent twice: two refresh orders for one case (each case is due once in the run: one cycle).
  const ordersOfCase = new Map<string, Array<string>>()
  for (const [order, caseId] of truv.refreshOrders) ordersOfCase.set(caseId, [...(ordersOfCase.get(caseId) ?? []), order])
  const twice = [...ordersOfCase].filter(([, orders]) => orders.length > 1)
  checks.push(check("refreshes sent twice", twice.length, 0, twice.flatMap(([caseId, orders]) => [
    `case ${caseId}: ${orders.length} refresh orders at Truv (${orders.join(", ")})`,
    ...attemptsOf(caseId).map((a) => `  ${describeAttempt(a)}`),
    ...s.decisions.filter((d) => d.case_id === caseId).map((d) => `  decision at ${iso(d.at)}: ${d.verdict} (${reasonCodes(d.decision)})`)
  ])))

  // Outcomes: what we recorded for each refresh order's connection against the status Truv announced.
  const differ: Array<string> = []
  for (const a of s.attempts) {
    if (a.order_id === null) continue
    const recorded = JSON.parse(a.outcomes) as Record<string, string>
    for (const link of a.connections) {
      const theirs = truv.taskStatus.get(`${a.order_id}|${link}`)
      const ours = recorded[link]
      if (ours === undefined) continue
      if (theirs !== ours) differ.push(`attempt ${a.id} case ${a.case_id} order ${a.order_id} link ${link}: recorded ${ours ?? "(none)"}, Truv ${theirs ?? "(none)"} (attempt ${a.status})`)
    }
  }
  checks.push(check("outcomes ≠ Truv", differ.length, 0, differ))

  const owed = followUpsOwed(s)
  checks.push(check("follow-ups owed", owed.length, 0, owed.map(describeAttempt)))

  // Orphans: something Truv made for us that no stored row knows.
  const knownOrders = new Set(s.attempts.map((a) => a.order_id).filter((o): o is string => o !== null))
  const open = new Set(s.attempts.filter((a) => OPEN.has(a.status)).map((a) => a.case_id))
  const orphanRefreshes = [...truv.refreshOrders].filter(([order, caseId]) => !knownOrders.has(order) && !open.has(caseId))
  const queuedOrders = new Set(s.queue.map((q) => q.order_id).filter((o): o is string => o !== null))
  const orphanOrders = [...truv.newOrders].filter(([order]) => !queuedOrders.has(order))
  // A token whose answer was lost (`state` unknown) is known by its request: its key went as tracking_info.
  const storedTokens = s.queue.filter((q) => Number(q.has_token) === 1 || (q.kind === "bridge-update" && Number(q.token_unknown) === 1)).length
  const orphanTokens = Math.max(0, truv.report.bridgeTokensIssued - storedTokens)
  checks.push(check("orphans", orphanRefreshes.length + orphanOrders.length + orphanTokens, 0, [
    ...orphanRefreshes.flatMap(([order, caseId]) => [`refresh order ${order} of case ${caseId}: no attempt has it`, ...attemptsOf(caseId).map((a) => `  ${describeAttempt(a)}`)]),
    ...orphanOrders.map(([order, number]) => `new order ${order} (order_number ${number ?? "-"}): no verification request has it`),
    ...(orphanTokens > 0 ? [`Bridge tokens: Truv issued ${truv.report.bridgeTokensIssued}, ${storedTokens} stored`] : [])
  ]))

  // Billing per link: the ledger's rule (Store.stats) against Truv's.
  const ledger = new Map<string, { billed: number; free: number; attempts: Array<string> }>()
  for (const a of s.attempts) {
    if (a.status === "rejected") continue
    const recorded = JSON.parse(a.outcomes) as Record<string, string>
    for (const link of a.connections) {
      const entry = ledger.get(link) ?? { billed: 0, free: 0, attempts: [] }
      entry.attempts.push(a.id)
      if (recorded[link] !== "no_data") {
        if (Number(a.gse_free) === 1) entry.free += 1
        else entry.billed += 1
      }
      ledger.set(link, entry)
    }
  }
  const caseOfLink = new Map(world.cases.flatMap((c) => c.linkIds.map((l) => [l, c.caseId] as const)))
  const billingDiffers = world.cases.filter((c) => !open.has(c.caseId)).flatMap((c) => c.linkIds).filter((l) => {
    const ours = ledger.get(l) ?? { billed: 0, free: 0 }
    const theirs = truv.report.verifications.byLink[l] ?? { billed: 0, free: 0 }
    return ours.billed !== theirs.billed || ours.free !== theirs.free
  })
  const ledgerBilled = [...ledger.values()].reduce((n, e) => n + e.billed, 0)
  const ledgerFree = [...ledger.values()].reduce((n, e) => n + e.free, 0)
  checks.push(check("billing ≠ Truv (links)", billingDiffers.length, 0, billingDiffers.flatMap((l) => {
    const ours = ledger.get(l) ?? { billed: 0, free: 0, attempts: [] }
    const theirs = truv.report.verifications.byLink[l] ?? { billed: 0, free: 0, notBilled: 0 }
    return [`link ${l} (case ${caseOfLink.get(l)}): ledger billed ${ours.billed} free ${ours.free}, Truv billed ${theirs.billed} free ${theirs.free}`,
      ...s.attempts.filter((a) => ours.attempts.includes(a.id)).map((a) => `  ${describeAttempt(a)}`)]
  })))

  const queuedCases = new Set(s.queue.map((q) => q.case_id))
  const notFinal = casesNotFinal(s, queuedCases)
  checks.push(check("cases not final", notFinal.length, 0, notFinal.flatMap((id) => [`case ${id}`, ...attemptsOf(id).map((a) => `  ${describeAttempt(a)}`)])))

  const unaccounted = truv.produced.filter((id) => {
    const delivered = (world.deliveries.get(id) ?? []).some((st) => st >= 200 && st < 300)
    const row = s.inbox.get(id)
    return delivered ? row === undefined || !row.processed : row !== undefined && !row.processed
  })
  checks.push(check("webhooks unaccounted", unaccounted.length, 0, unaccounted.map((id) => {
    const row = s.inbox.get(id)
    return `webhook ${id}: deliveries ${JSON.stringify(world.deliveries.get(id) ?? [])}, inbox ${row === undefined ? "absent" : `${row.event_type} processed ${row.processed} result ${row.result ?? "-"}`}`
  })))

  const neverDelivered = truv.produced.filter((id) => !(world.deliveries.get(id) ?? []).some((st) => st >= 200 && st < 300)).length
  const byStatus = new Map<number, number>()
  for (const statuses of world.deliveries.values()) for (const st of statuses) byStatus.set(st, (byStatus.get(st) ?? 0) + 1)
  return {
    checks,
    figures: {
      "5xx injected": truv.report.injectedErrors, "responses lost": truv.report.responsesLost,
      "refreshes accepted": truv.report.refreshes.accepted, "webhooks produced": truv.produced.length,
      "webhooks never delivered": neverDelivered,
      "deliveries by status": [...byStatus].sort(([a], [b]) => a - b).map(([st, n]) => `${st}:${n}`).join(" "),
      "billed ledger/Truv": `${ledgerBilled}/${truv.report.verifications.billed}`,
      "free ledger/Truv": `${ledgerFree}/${truv.report.verifications.free}`,
      "bridge tokens": truv.report.bridgeTokensIssued, "new orders": truv.report.ordersCreated
    }
  }
}
