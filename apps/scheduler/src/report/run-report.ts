/**
 * The run report: the pass's status with its reasons (`pass-status.ts`), every due case accounted
 * for (processed, unloadable with why, not reached), the cases that failed with why, cases by
 * outcome, refreshed cases by result (`renew`: nothing material changed since the last
 * verification; `review`: a caseworker looks, with the reasons), the refresh counts
 * (`refresh-counts.ts`: the names and definitions `/metrics` and `recert stats` share),
 * verification links queued, API calls and how they went, and elapsed time; as a table for people
 * and as JSON (`--json`) for machines. Everything comes from the run's own counters; the demo adds
 * the sandbox's independent account so the two can be compared.
 */
import type { RunStats } from "../runner/run-stats.js"
import { CASE_OUTCOMES } from "../workflow/outcome.js"
import { type CaseProblem, type DueAccount, dueAccount, failedCases, passStatus, type PassStatus, type StatusReason, unloadableCases } from "./pass-status.js"
import { REFRESH_COUNT_NAMES, type RefreshCounts } from "./refresh-counts.js"

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
  readonly refreshOrdersCreated: number
  readonly limitViolationsAttempted: number
  readonly verifications: { readonly billed: number; readonly free: number; readonly notBilled: number }
  readonly webhooks: SandboxWebhookCounts
  readonly bridgeTokensIssued: number
  readonly ordersCreated: number
}

export interface RunReport {
  /** `ok`, `degraded` or `failed` (`run` exits 0, 3 or 1), with every reason that applies. */
  readonly status: PassStatus
  readonly reasons: ReadonlyArray<StatusReason>
  readonly elapsedMs: number
  /** Every due case once: `total = processed + unloadable + notReached`. */
  readonly due: DueAccount
  /** Due cases that could not be loaded, with why (one line, no secret). */
  readonly unloadable: ReadonlyArray<CaseProblem>
  /** Cases whose outcome is `failed`, with why. */
  readonly failed: ReadonlyArray<CaseProblem>
  readonly cases: { readonly total: number; readonly byOutcome: Readonly<Record<string, number>> }
  /** Verifications stored by the run's follow-ups, by class (one per case). */
  readonly results: { readonly renew: number; readonly review: number }
  readonly refreshes: RefreshCounts
  readonly verificationLinksQueued: { readonly bridgeUpdate: number; readonly newOrder: number }
  readonly limitViolationsAttempted: number
  /** Truv calls by endpoint; how many got an answer, how many none, and the failures by error. */
  readonly apiCalls: {
    readonly total: number; readonly byEndpoint: Readonly<Record<string, number>>
    readonly answered: number; readonly unanswered: number; readonly errors: Readonly<Record<string, number>>
  }
  readonly webhooks: { readonly received: number; readonly duplicates: number; readonly rejected: number; readonly processed: number; readonly ignored: number }
  readonly polls: number
  readonly jobsFailed: number
  /** Leases given back by a stop past its grace period. */
  readonly jobsReleased: number
  /** The pass was stopped by SIGINT/SIGTERM: a partial report. */
  readonly stopped: boolean
  readonly sandbox?: {
    readonly refreshesAccepted: number
    readonly refreshOrdersCreated: number
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
  stats: RunStats, now: number, sandbox?: SandboxAccount, tryCases?: Record<string, string>, tryResults?: Record<string, string>
): RunReport => {
  const { status, reasons } = passStatus(stats)
  return {
    status, reasons,
    elapsedMs: stats.startedAt === null ? 0 : now - stats.startedAt,
    due: dueAccount(stats),
    unloadable: unloadableCases(stats),
    failed: failedCases(stats),
    cases: { total: stats.outcomes.size, byOutcome: stats.byOutcome() },
    results: stats.byResult(),
    refreshes: stats.refreshes,
    verificationLinksQueued: { bridgeUpdate: stats.verifications["bridge-update"], newOrder: stats.verifications["new-order"] },
    limitViolationsAttempted: stats.limitViolations,
    apiCalls: { total: stats.apiCalls, byEndpoint: { ...stats.calls }, answered: stats.truvAnswered, unanswered: stats.truvUnanswered, errors: { ...stats.truvErrors } },
    webhooks: { received: stats.webhooksReceived, duplicates: stats.webhooksDuplicate, rejected: stats.webhooksRejected, processed: stats.webhooksProcessed, ignored: stats.webhooksIgnored },
    polls: stats.polls,
    jobsFailed: stats.jobsFailed,
    jobsReleased: stats.jobsReleased,
    stopped: stats.stopped,
    ...(sandbox === undefined ? {} : {
      sandbox: {
        refreshesAccepted: sandbox.refreshes.accepted, refreshOrdersCreated: sandbox.refreshOrdersCreated, limitViolationsAttempted: sandbox.limitViolationsAttempted,
        verifications: { billed: sandbox.verifications.billed, free: sandbox.verifications.free, notBilled: sandbox.verifications.notBilled },
        webhooks: sandbox.webhooks, bridgeTokensIssued: sandbox.bridgeTokensIssued, ordersCreated: sandbox.ordersCreated
      }
    }),
    ...(tryCases === undefined ? {} : { tryCases }),
    ...(tryResults === undefined ? {} : { tryResults })
  }
}

const table = (title: string, rows: ReadonlyArray<readonly [string, string | number]>): string => {
  const width = Math.max(...rows.map(([k]) => k.length), 10)
  return [title, ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${String(v).padStart(8)}`)].join("\n")
}

/** At most this many listed cases in the text report (the JSON lists them all). */
const LISTED = 20

const listed = (title: string, problems: ReadonlyArray<CaseProblem>): string =>
  [title, ...problems.slice(0, LISTED).map((p) => `  ${p.caseId}: ${p.reason}`),
    ...(problems.length > LISTED ? [`  … and ${problems.length - LISTED} more (--json lists them all)`] : [])].join("\n")

/** The report as text for a terminal. */
export const renderReport = (r: RunReport): string => {
  const outcomes = CASE_OUTCOMES.filter((o) => (r.cases.byOutcome[o] ?? 0) > 0).map((o) => [o, r.cases.byOutcome[o]!] as const)
  const parts = [
    [`Status: ${r.status}`, ...r.reasons.map((x) => `  ${x.code}: ${x.message}`)].join("\n"),
    table(`Due cases (${r.due.total})`, [["processed", r.due.processed], ["could not be loaded", r.due.unloadable], ["not reached", r.due.notReached]])
  ]
  if (r.unloadable.length > 0) parts.push(listed("Could not be loaded", r.unloadable))
  if (r.failed.length > 0) parts.push(listed("Failed", r.failed))
  parts.push(
    table(`Cases (${r.cases.total})`, outcomes),
    table(`Renewal results (${r.results.renew + r.results.review} verified)`, [["renew (nothing material changed)", r.results.renew], ["review (a caseworker looks)", r.results.review]]),
    table("Refreshes", [...REFRESH_COUNT_NAMES.map((n) => [n.label, r.refreshes[n.key]] as const), ["limit violations attempted", r.limitViolationsAttempted]]),
    table("Verification links queued", [["Bridge update mode", r.verificationLinksQueued.bridgeUpdate], ["new order", r.verificationLinksQueued.newOrder]]),
    table(`Truv API calls (${r.apiCalls.total}: ${r.apiCalls.answered} answered, ${r.apiCalls.unanswered} without an answer)`, [
      ...Object.entries(r.apiCalls.byEndpoint).sort(), ...Object.entries(r.apiCalls.errors).sort().map(([k, v]) => [`failed: ${k}`, v] as const)
    ]),
    table("Webhooks", [["stored", r.webhooks.received], ["duplicates ignored", r.webhooks.duplicates], ["bad signature (401)", r.webhooks.rejected], ["processed", r.webhooks.processed], ["ignored (no change)", r.webhooks.ignored], ["polls (fallback)", r.polls]])
  )
  if (r.sandbox !== undefined) {
    const s = r.sandbox
    parts.push(table("Sandbox's own account", [
      ["refresh orders created", s.refreshOrdersCreated], ["limit violations attempted", s.limitViolationsAttempted],
      ["verifications billed", s.verifications.billed], ["verifications free", s.verifications.free], ["no_data (not billed)", s.verifications.notBilled],
      ["bridge tokens issued", s.bridgeTokensIssued], ["new orders created", s.ordersCreated],
      ["webhooks sent / delivered", `${s.webhooks.sent}/${s.webhooks.delivered}`]
    ]))
  }
  parts.push(`Elapsed: ${(r.elapsedMs / 1000).toFixed(1)} s${r.jobsFailed > 0 ? ` (${r.jobsFailed} job(s) failed after retries)` : ""}` +
    (r.stopped ? ` (stopped: partial; ${r.jobsReleased} lease(s) released)` : ""))
  const db = r.tryDatabase === undefined ? "" : ` --db ${r.tryDatabase}`
  const tries = [
    ...Object.entries(r.tryCases ?? {}).map(([what, id]) => `  pnpm recert explain ${id}${db}    # ${what}`),
    ...Object.entries(r.tryResults ?? {}).map(([what, id]) => `  pnpm recert result ${id}${db}    # ${what}`)
  ]
  if (tries.length > 0) parts.push(["Try:", ...tries].join("\n"))
  return parts.join("\n\n")
}
