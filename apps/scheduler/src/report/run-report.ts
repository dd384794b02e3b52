/**
 * The run report: cases by outcome, refreshed cases by result (`renew`: nothing material changed
 * since the last verification; `review`: a caseworker looks, with the reasons), refreshes billed and free, verification links queued, API
 * calls and elapsed time; as a table for people and as JSON (`--json`) for machines. Billing
 * comes from the ledger (`Store.stats`), the rest from the run's own counters; the demo adds
 * the sandbox's independent account so the two can be compared.
 */
import type { StoreStats } from "@recert/store"
import type { RunStats } from "../runner/run-stats.js"
import { CASE_OUTCOMES } from "../workflow/outcome.js"

/** What the sandbox counts of webhooks (its `report().webhooks`). */
export interface SandboxWebhookCounts {
  readonly events: number
  readonly sent: number
  readonly delivered: number
  readonly duplicated: number
  readonly dropped: number
  readonly reordered: number
  readonly failed: number
}

/**
 * The part of the sandbox's own account the demo's report shows beside ours. Declared here, not
 * imported, so that production code never depends on the sandbox (the demo passes
 * `sandbox.report()`, which has this shape).
 */
export interface SandboxAccount {
  readonly refreshes: { readonly accepted: number }
  readonly limitViolationsAttempted: number
  readonly verifications: { readonly billed: number; readonly free: number; readonly notBilled: number }
  readonly webhooks: SandboxWebhookCounts
  readonly bridgeTokensIssued: number
  readonly ordersCreated: number
}

export interface RunReport {
  readonly elapsedMs: number
  readonly cases: { readonly total: number; readonly byOutcome: Readonly<Record<string, number>> }
  /** Verifications stored by the run's follow-ups, by class (one per case). */
  readonly results: { readonly renew: number; readonly review: number }
  readonly refreshes: { readonly sent: number; readonly billed: number; readonly free: number }
  readonly verificationLinksQueued: { readonly bridgeUpdate: number; readonly newOrder: number }
  readonly limitViolationsAttempted: number
  readonly apiCalls: { readonly total: number; readonly byEndpoint: Readonly<Record<string, number>> }
  readonly webhooks: { readonly received: number; readonly duplicates: number; readonly rejected: number; readonly processed: number; readonly ignored: number }
  readonly polls: number
  readonly reconciled: number
  readonly jobsFailed: number
  /** Leases given back by a stop past its grace period. */
  readonly jobsReleased: number
  /** The pass was stopped by SIGINT/SIGTERM: a partial report. */
  readonly stopped: boolean
  readonly sandbox?: {
    readonly refreshesAccepted: number
    readonly limitViolationsAttempted: number
    readonly verifications: { readonly billed: number; readonly free: number; readonly notBilled: number }
    readonly webhooks: SandboxWebhookCounts
    readonly bridgeTokensIssued: number
    readonly ordersCreated: number
  }
  readonly tryCases?: Readonly<Record<string, string>>
  /** The database the `Try:` commands read (the demo's own file), passed as `--db`. */
  readonly tryDatabase?: string
  /** Cases whose result to look at (`pnpm recert result <case>`), by what they show. */
  readonly tryResults?: Readonly<Record<string, string>>
}

/**
 * The report of `stats` at `now` (epoch ms from the Clock: the elapsed time runs from the run's
 * start to it). Pure.
 */
export const buildReport = (
  stats: RunStats, store: StoreStats | null, now: number, sandbox?: SandboxAccount, tryCases?: Record<string, string>, tryResults?: Record<string, string>
): RunReport => ({
  elapsedMs: stats.startedAt === null ? 0 : now - stats.startedAt,
  cases: { total: stats.outcomes.size, byOutcome: stats.byOutcome() },
  results: stats.byResult(),
  refreshes: { sent: stats.refreshesSent, billed: store?.refreshesBilled ?? stats.refreshesBilled, free: store?.refreshesFree ?? stats.refreshesFree },
  verificationLinksQueued: { bridgeUpdate: stats.verifications["bridge-update"], newOrder: stats.verifications["new-order"] },
  limitViolationsAttempted: stats.limitViolations,
  apiCalls: { total: stats.apiCalls, byEndpoint: { ...stats.calls } },
  webhooks: { received: stats.webhooksReceived, duplicates: stats.webhooksDuplicate, rejected: stats.webhooksRejected, processed: stats.webhooksProcessed, ignored: stats.webhooksIgnored },
  polls: stats.polls,
  reconciled: stats.reconciled,
  jobsFailed: stats.jobsFailed,
  jobsReleased: stats.jobsReleased,
  stopped: stats.stopped,
  ...(sandbox === undefined ? {} : {
    sandbox: {
      refreshesAccepted: sandbox.refreshes.accepted, limitViolationsAttempted: sandbox.limitViolationsAttempted,
      verifications: { billed: sandbox.verifications.billed, free: sandbox.verifications.free, notBilled: sandbox.verifications.notBilled },
      webhooks: sandbox.webhooks, bridgeTokensIssued: sandbox.bridgeTokensIssued, ordersCreated: sandbox.ordersCreated
    }
  }),
  ...(tryCases === undefined ? {} : { tryCases }),
  ...(tryResults === undefined ? {} : { tryResults })
})

const table = (title: string, rows: ReadonlyArray<readonly [string, string | number]>): string => {
  const width = Math.max(...rows.map(([k]) => k.length), 10)
  return [title, ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${String(v).padStart(8)}`)].join("\n")
}

/** The report as text for a terminal. */
export const renderReport = (r: RunReport): string => {
  const outcomes = CASE_OUTCOMES.filter((o) => (r.cases.byOutcome[o] ?? 0) > 0).map((o) => [o, r.cases.byOutcome[o]!] as const)
  const parts = [
    table(`Cases (${r.cases.total})`, outcomes),
    table(`Renewal results (${r.results.renew + r.results.review} verified)`, [["renew (nothing material changed)", r.results.renew], ["review (a caseworker looks)", r.results.review]]),
    table("Refreshes", [["sent (accepted by Truv)", r.refreshes.sent], ["billed verifications", r.refreshes.billed], ["free (GSE quota)", r.refreshes.free], ["limit violations attempted", r.limitViolationsAttempted]]),
    table("Verification links queued", [["Bridge update mode", r.verificationLinksQueued.bridgeUpdate], ["new order", r.verificationLinksQueued.newOrder]]),
    table(`Truv API calls (${r.apiCalls.total})`, Object.entries(r.apiCalls.byEndpoint).sort()),
    table("Webhooks", [["stored", r.webhooks.received], ["duplicates ignored", r.webhooks.duplicates], ["bad signature (401)", r.webhooks.rejected], ["processed", r.webhooks.processed], ["ignored (no change)", r.webhooks.ignored], ["polls (fallback)", r.polls], ["reconciled attempts", r.reconciled]])
  ]
  if (r.sandbox !== undefined) {
    const s = r.sandbox
    parts.push(table("Sandbox's own account", [
      ["refreshes accepted", s.refreshesAccepted], ["limit violations attempted", s.limitViolationsAttempted],
      ["verifications billed", s.verifications.billed], ["verifications free", s.verifications.free], ["no_data (not billed)", s.verifications.notBilled],
      ["bridge tokens issued", s.bridgeTokensIssued], ["new orders created", s.ordersCreated],
      ["webhooks sent / delivered", `${s.webhooks.sent}/${s.webhooks.delivered}`]
    ]))
  }
  parts.push(`Elapsed: ${(r.elapsedMs / 1000).toFixed(1)} s${r.jobsFailed > 0 ? ` (${r.jobsFailed} job failure(s) retried)` : ""}` +
    (r.stopped ? ` (stopped by a signal: partial; ${r.jobsReleased} lease(s) released)` : ""))
  const db = r.tryDatabase === undefined ? "" : ` --db ${r.tryDatabase}`
  const tries = [
    ...Object.entries(r.tryCases ?? {}).map(([what, id]) => `  pnpm recert explain ${id}${db}    # ${what}`),
    ...Object.entries(r.tryResults ?? {}).map(([what, id]) => `  pnpm recert result ${id}${db}    # ${what}`)
  ]
  if (tries.length > 0) parts.push(["Try:", ...tries].join("\n"))
  return parts.join("\n\n")
}
