/**
 * `gse.free-quota`: a GSE lineage (Fannie Mae / Freddie Mac day-1-certainty) gets its first
 * `freeRefreshes` (5) refresh requests within `windowDays` (90) of the root order free. After
 * that a refresh is billed (`onQuotaExceeded: "bill"`, the default) or blocked (`"block"`).
 * A blocked lineage waits with no eligible instant: the quota never comes back. The free window
 * is treated as ending `clockGuardSeconds` early (our clock may be behind Truv's): a refresh at its
 * very end is predicted billed, not free.
 *
 * A re-verification here is one refresh request (one new order of the lineage), however many
 * connections it refreshes: each refresh order yields one report id for DU/LPA.
 *
 * The quota is per loan (issue 18): a case is a loan, and when a new order moved it to a new
 * lineage the input's `loan` carries its first order and its attempts on the lineages it left;
 * the window then opens at the loan's first order and every refresh of the loan counts, so a new
 * order never restarts the free quota (predicting billed what Truv might still give free is the
 * safe error; the reverse would hide a cost).
 */
import { countsAgainstLimits } from "../model/attempt.js"
import { DAY_MS, toIso } from "../engine/time.js"
import { clockGuardMs } from "./clock-guard.js"
import { defineRule, NONE, type RuleContext } from "./rule.js"

export interface GseQuota {
  readonly used: number
  /** The free window's opening: the root order's creation, or the loan's first order's. */
  readonly windowStartsAt: number
  readonly remaining: number
  readonly windowEndsAt: number
  /** `windowEndsAt` minus the clock guard: from then on nothing is predicted free. */
  readonly freeUntil: number
}

/** The GSE quota at `now`, or null for a lineage that is not GSE. */
export const gseQuota = (ctx: RuleContext): GseQuota | null => {
  if (!ctx.lineage.gse) return null
  const { freeRefreshes, windowDays } = ctx.config.gse
  const loan = ctx.loan
  const windowStartsAt = loan === undefined ? ctx.rootCreatedAtMs : Math.min(ctx.rootCreatedAtMs, loan.firstOrderAtMs)
  const windowEndsAt = windowStartsAt + windowDays * DAY_MS
  let used = 0
  const seen = loan === undefined ? null : new Set<string>()
  const count = (ledger: RuleContext["ledger"]) => {
    for (const entry of ledger) {
      if (seen !== null) {
        if (seen.has(entry.attempt.id)) continue
        seen.add(entry.attempt.id)
      }
      if (entry.atMs >= windowStartsAt && entry.atMs < windowEndsAt && countsAgainstLimits(entry.attempt.status)) used++
    }
  }
  count(ctx.ledger)
  if (loan !== undefined) count(loan.ledger)
  const freeUntil = windowEndsAt - clockGuardMs(ctx.config)
  const remaining = ctx.now < freeUntil ? Math.max(0, freeRefreshes - used) : 0
  return { used, windowStartsAt, remaining, windowEndsAt, freeUntil }
}

export const gseFreeQuota = defineRule("gse.free-quota", (ctx) => {
  const quota = gseQuota(ctx)
  if (quota === null || quota.remaining > 0) return NONE
  const { freeRefreshes, windowDays, onQuotaExceeded } = ctx.config.gse
  const guard = ctx.config.clockGuardSeconds
  const of = ctx.loan === undefined ? "order" : "loan"
  const why = ctx.now >= quota.windowEndsAt
    ? `the ${windowDays}-day free window of this GSE ${of} ended ${toIso(quota.windowEndsAt)}`
    : ctx.now >= quota.freeUntil
    ? `the ${windowDays}-day free window of this GSE ${of} ends ${toIso(quota.windowEndsAt)}, within the ${guard} s clock guard`
    : `all ${freeRefreshes} free GSE re-verifications of this ${of} are used`
  const data = {
    used: quota.used, freeRefreshes, windowDays, windowEndsAt: toIso(quota.windowEndsAt), clockGuardSeconds: guard, onQuotaExceeded,
    ...(ctx.loan === undefined ? {} : { perLoan: true, windowStartsAt: toIso(quota.windowStartsAt) })
  }
  if (onQuotaExceeded === "bill") {
    return [{ code: "gse.free-quota", effect: "warn", connectionId: null, message: `${why[0]!.toUpperCase()}${why.slice(1)}; this refresh is billed`, data }]
  }
  return [{
    code: "gse.free-quota",
    effect: "wait",
    connectionId: null,
    message: `${why[0]!.toUpperCase()}${why.slice(1)}, and the policy blocks billed GSE refreshes; no later instant makes it free`,
    data,
    until: null
  }]
})

/** Used by the engine to fill `cost.gseFreeRemaining`. */
export const gseFreeRemaining = (ctx: RuleContext): number | null => gseQuota(ctx)?.remaining ?? null

