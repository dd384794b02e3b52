/**
 * The demo's scenarios: every behaviour of the sandbox and every path of the workflow, each with
 * the outcome and the cost the scheduler must reach, and for a refreshed case its renewal result
 * against the verification it started from (the lineage's first order, 250 days before: see
 * `previous-verifications.ts`). Three scenarios change the pay history with the sandbox's knobs
 * after that order (a pay cut, fewer hours, a job that ended), so their refresh is `review`;
 * the other refreshed cases are `renew`. End-to-end tests assert these exactly against the
 * sandbox's own report.
 */
import type { LineageInput, TaskStatus } from "@recert/core"
import type { SeedLineageInput } from "@recert/truv-sandbox"
import type { CaseOutcome } from "../workflow/outcome.js"

const DAY = 86_400_000

export interface Scenario {
  readonly name: string
  readonly description: string
  readonly count: number
  /** The sandbox side: what Truv knows and how the links will behave. */
  readonly seed: (now: number) => SeedLineageInput
  /** Overrides of the store's lineage (what Recert knows before the run). */
  readonly known?: { readonly lastTaskStatus?: TaskStatus; readonly mfaOnEveryLogin?: boolean; readonly noUser?: boolean }
  /** Refreshes already in the ledger, in hours before now (all succeeded). */
  readonly history?: ReadonlyArray<number>
  /** The case was re-verified this cycle already. */
  readonly verifiedDaysAgo?: number
  readonly cycle?: "annual" | "semiannual" | "quarterly" | "monthly"
  /** What the scheduler must reach for each case of the scenario. */
  readonly expect: {
    readonly outcome: CaseOutcome
    /** Verifications the sandbox bills / counts free / does not bill, per case. */
    readonly billed: number
    readonly free: number
    readonly notBilled: number
    /** Refresh requests per case the sandbox accepts. */
    readonly refreshes: number
    /** A refreshed case's renewal result: its class and reason codes (default `renew`, none). */
    readonly result?: { readonly class: "renew" | "review"; readonly codes: ReadonlyArray<string> }
  }
}

const ago = (now: number, days: number) => new Date(now - days * DAY).toISOString()
const employer = (now: number, behaviour: unknown, authDays = 20, authKind: "oauth" | "session" = "oauth") =>
  ({ behaviour: behaviour as "healthy", authKind, authenticatedAt: ago(now, authDays) })
type PayChange = NonNullable<NonNullable<NonNullable<SeedLineageInput["connections"]>[number]["pay"]>["changes"]>[number]
/** A healthy employer whose pay changes (a sandbox knob) after the first order, before the refresh's 90-day window. */
const changed = (now: number, change: PayChange) => ({ ...employer(now, "healthy"), pay: { changes: [change] } })
const day = (now: number, daysAgo: number) => ago(now, daysAgo).slice(0, 10)

export const SCENARIOS: ReadonlyArray<Scenario> = [
  {
    name: "healthy", description: "income order, one OAuth employer, connection fine", count: 230,
    seed: (now) => ({ orderType: "income", createdAt: ago(now, 250), connections: [employer(now, "healthy")] }),
    expect: { outcome: "refreshed", billed: 1, free: 0, notBilled: 0, refreshes: 1 }
  },
  {
    name: "pay-cut", description: "healthy, but the hourly rate fell from $22.50 to $15.00 100 days ago: review", count: 30,
    seed: (now) => ({ orderType: "income", createdAt: ago(now, 250), connections: [changed(now, { kind: "rate", at: day(now, 100), rate: "15.00" })] }),
    expect: { outcome: "refreshed", billed: 1, free: 0, notBilled: 0, refreshes: 1, result: { class: "review", codes: ["income.down"] } }
  },
  {
    name: "fewer-hours", description: "healthy, but down from 40 to 20 hours a week 100 days ago: review", count: 20,
    seed: (now) => ({ orderType: "income", createdAt: ago(now, 250), connections: [changed(now, { kind: "hours", at: day(now, 100), hoursPerWeek: 20 })] }),
    expect: { outcome: "refreshed", billed: 1, free: 0, notBilled: 0, refreshes: 1, result: { class: "review", codes: ["income.down", "hours.down"] } }
  },
  {
    name: "job-ended", description: "healthy connection, but the job ended 20 days ago: review", count: 20,
    seed: (now) => ({ orderType: "income", createdAt: ago(now, 250), connections: [changed(now, { kind: "end", at: day(now, 20) })] }),
    expect: { outcome: "refreshed", billed: 1, free: 0, notBilled: 0, refreshes: 1, result: { class: "review", codes: ["income.down", "hours.down", "employment.ended"] } }
  },
  {
    name: "session-based", description: "session-based connection (no fixed validity), 60 days old: within the sandbox's 90-day session", count: 60,
    seed: (now) => ({ orderType: "income", createdAt: ago(now, 250), connections: [employer(now, "healthy", 60, "session")] }),
    cycle: "quarterly",
    expect: { outcome: "refreshed", billed: 1, free: 0, notBilled: 0, refreshes: 1 }
  },
  {
    name: "employment-order", description: "employment order: refreshed as employment", count: 60,
    seed: (now) => ({ orderType: "employment", createdAt: ago(now, 250), connections: [employer(now, "healthy")] }),
    expect: { outcome: "refreshed", billed: 1, free: 0, notBilled: 0, refreshes: 1 }
  },
  {
    name: "several-employers", description: "three employers, all healthy: one request, three verifications", count: 60,
    seed: (now) => ({
      orderType: "income", createdAt: ago(now, 250),
      connections: [employer(now, "healthy"), employer(now, "healthy", 40), employer(now, "healthy", 60, "session")]
    }),
    expect: { outcome: "refreshed", billed: 3, free: 0, notBilled: 0, refreshes: 1 }
  },
  {
    name: "gse", description: "GSE lineage 30 days old: refresh free under the 5-in-90-days quota", count: 60,
    seed: (now) => ({ orderType: "income", gse: true, createdAt: ago(now, 30), connections: [employer(now, "healthy", 30)] }),
    cycle: "monthly",
    expect: { outcome: "refreshed", billed: 0, free: 1, notBilled: 0, refreshes: 1 }
  },
  {
    name: "oauth-expired", description: "OAuth authenticated 200 days ago: re-authenticate, no refresh sent", count: 80,
    seed: (now) => ({ orderType: "income", createdAt: ago(now, 250), connections: [employer(now, "oauth-expiring", 200)] }),
    expect: { outcome: "reauth-queued", billed: 0, free: 0, notBilled: 0, refreshes: 0 }
  },
  {
    name: "known-login-error", description: "last refresh ended login_error: re-authenticate, no refresh sent", count: 40,
    seed: (now) => ({ orderType: "income", createdAt: ago(now, 250), connections: [employer(now, "login-error")] }),
    known: { lastTaskStatus: "login_error" },
    expect: { outcome: "reauth-queued", billed: 0, free: 0, notBilled: 0, refreshes: 0 }
  },
  {
    name: "login-error", description: "password changed since: the refresh fails login_error, then Bridge update mode", count: 60,
    seed: (now) => ({ orderType: "income", createdAt: ago(now, 250), connections: [employer(now, "login-error")] }),
    expect: { outcome: "reauth-queued", billed: 1, free: 0, notBilled: 0, refreshes: 1 }
  },
  {
    name: "mfa-error", description: "provider asks for MFA: the refresh fails mfa_error, then Bridge update mode", count: 50,
    seed: (now) => ({ orderType: "income", createdAt: ago(now, 250), connections: [employer(now, "mfa-error")] }),
    expect: { outcome: "reauth-queued", billed: 1, free: 0, notBilled: 0, refreshes: 1 }
  },
  {
    name: "locked", description: "account locked at the provider: unlock, then re-authenticate", count: 40,
    seed: (now) => ({ orderType: "income", createdAt: ago(now, 250), connections: [employer(now, "account-locked")] }),
    expect: { outcome: "reauth-queued", billed: 1, free: 0, notBilled: 0, refreshes: 1 }
  },
  {
    name: "provider-down", description: "provider unavailable for the next 2 hours: retried later with backoff", count: 60,
    seed: (now) => ({ orderType: "income", createdAt: ago(now, 250), connections: [employer(now, { kind: "unavailable-until", until: now + 2 * 3_600_000 })] }),
    expect: { outcome: "retry-later", billed: 1, free: 0, notBilled: 0, refreshes: 1 }
  },
  {
    name: "no-data", description: "provider returns no data: not billed, new order queued", count: 50,
    seed: (now) => ({ orderType: "income", createdAt: ago(now, 250), connections: [employer(now, "no-data")] }),
    expect: { outcome: "new-order-queued", billed: 0, free: 0, notBilled: 1, refreshes: 1 }
  },
  {
    name: "rate-window", description: "refreshed 3 times in the last 24 h: wait for the rolling window", count: 30,
    seed: (now) => ({ orderType: "income", createdAt: ago(now, 250), connections: [employer(now, "healthy")] }),
    history: [20, 12, 4],
    expect: { outcome: "waiting", billed: 0, free: 0, notBilled: 0, refreshes: 0 }
  },
  {
    name: "no-user", description: "login error known, no Truv user on record: a new order instead of Bridge", count: 20,
    seed: (now) => ({ orderType: "income", createdAt: ago(now, 250), connections: [employer(now, "login-error")] }),
    known: { lastTaskStatus: "login_error", noUser: true },
    expect: { outcome: "new-order-queued", billed: 0, free: 0, notBilled: 0, refreshes: 0 }
  },
  {
    name: "already-verified", description: "re-verified 3 days ago for this cycle: nothing to do", count: 30,
    seed: (now) => ({ orderType: "income", createdAt: ago(now, 250), connections: [employer(now, "healthy")] }),
    verifiedDaysAgo: 3,
    expect: { outcome: "nothing", billed: 0, free: 0, notBilled: 0, refreshes: 0 }
  }
]

/** The store's view of a seeded lineage, with what Recert knows (`known`) applied. */
export const toStoreLineage = (
  seeded: { orderId: string; orderType: LineageInput["orderType"]; orderNumber: string | null; userId: string; gse: boolean; createdAt: string; connections: ReadonlyArray<{ linkId: string; suborderId: string; suborderNumber: string; kind: "employer" | "financial_account"; provider: string; authKind: "oauth" | "session" | "unknown"; authenticatedAt: string }> },
  known: Scenario["known"] = {}
): LineageInput => ({
  rootOrderId: seeded.orderId, orderType: seeded.orderType, gse: seeded.gse, orderNumber: seeded.orderNumber,
  userId: known.noUser === true ? null : seeded.userId, status: "open",
  orders: [{ id: seeded.orderId, parentId: null, createdAt: seeded.createdAt }],
  connections: seeded.connections.map((c) => ({
    id: c.linkId, suborderId: c.suborderId, suborderNumber: c.suborderNumber, kind: c.kind, provider: c.provider,
    authKind: c.authKind, authenticatedAt: c.authenticatedAt, lastTaskStatus: known.lastTaskStatus ?? "done",
    lastStatusAt: known.lastTaskStatus === undefined ? null : new Date(Date.parse(c.authenticatedAt) + DAY).toISOString(),
    mfaOnEveryLogin: known.mfaOnEveryLogin ?? false
  }))
})
