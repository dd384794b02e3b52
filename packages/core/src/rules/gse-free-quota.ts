/**
 * `gse.free-quota`: a GSE lineage (Fannie Mae / Freddie Mac day-1-certainty) gets its first
 * `freeRefreshes` (5) refresh requests within `windowDays` (90) of the root order free. After
 * that a refresh is billed (`onQuotaExceeded: "bill"`, the default) or blocked (`"block"`).
 * A blocked lineage waits with no eligible instant: the quota never comes back.
 *
 * A re-verification here is one refresh request (one new order of the lineage), however many
 * connections it refreshes: each refresh order yields one report id for DU/LPA.
 */
import { countsAgainstLimits } from "../model/attempt.js"
import { DAY_MS, toIso } from "../engine/time.js"
import { defineRule, NONE, type RuleContext } from "./rule.js"

export interface GseQuota {
  readonly used: number
  readonly remaining: number
  readonly windowEndsAt: number
}

/** The GSE quota at `now`, or null for a lineage that is not GSE. */
export const gseQuota = (ctx: RuleContext): GseQuota | null => {
  if (!ctx.lineage.gse) return null
  const { freeRefreshes, windowDays } = ctx.config.gse
  const windowEndsAt = ctx.rootCreatedAtMs + windowDays * DAY_MS
  let used = 0
  for (const entry of ctx.ledger) {
    if (entry.atMs >= ctx.rootCreatedAtMs && entry.atMs < windowEndsAt && countsAgainstLimits(entry.attempt.status)) used++
  }
  const remaining = ctx.now < windowEndsAt ? Math.max(0, freeRefreshes - used) : 0
  return { used, remaining, windowEndsAt }
}

export const gseFreeQuota = defineRule("gse.free-quota", (ctx) => {
  const quota = gseQuota(ctx)
  if (quota === null || quota.remaining > 0) return NONE
  const { freeRefreshes, windowDays, onQuotaExceeded } = ctx.config.gse
  const why = ctx.now >= quota.windowEndsAt
    ? `the ${windowDays}-day free window of this GSE order ended ${toIso(quota.windowEndsAt)}`
    : `all ${freeRefreshes} free GSE re-verifications of this order are used`
  const data = { used: quota.used, freeRefreshes, windowDays, windowEndsAt: toIso(quota.windowEndsAt), onQuotaExceeded }
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

