/**
 * `rate.window`: per connection (access token), at most `limit` refreshes in any rolling
 * window (3 per 24 h). A refresh at `t` counts at `now` while `t <= now < t + window`. Every
 * attempt Truv may have accepted counts (reserved, sent, succeeded, failed, unknown); attempts
 * Truv rejected do not. At the limit, the connection may refresh again when the limit-th most
 * recent counted refresh leaves the window. The initial pull at connect or re-authentication is
 * not in the ledger and uses no slot.
 */
import { countsAgainstLimits } from "../model/attempt.js"
import { describeDuration, HOUR_MS, toIso } from "../engine/time.js"
import { defineRule, type Finding, type RuleContext, type ScopedConnection } from "./rule.js"

/**
 * Instants (ms) of the refreshes of `c` that count at `now`, most recent first. The entries are
 * oldest first, so the walk back from the newest stops at the first one outside the window:
 * the cost is the number of refreshes in the window, not the length of the ledger.
 */
export const countedInWindow = (ctx: RuleContext, c: ScopedConnection): Array<number> => {
  const window = ctx.config.rateWindow.windowHours * HOUR_MS
  const counted: Array<number> = []
  for (let i = c.entries.length - 1; i >= 0; i--) {
    const entry = c.entries[i]!
    if (entry.atMs + window <= ctx.now) break
    if (countsAgainstLimits(entry.attempt.status)) counted.push(entry.atMs)
  }
  return counted
}

/** Refreshes left in the window for `c` at `now`. */
export const remainingInWindow = (ctx: RuleContext, c: ScopedConnection): number =>
  Math.max(0, ctx.config.rateWindow.limit - countedInWindow(ctx, c).length)

export const rateWindow = defineRule("rate.window", (ctx) => {
  const { limit, windowHours } = ctx.config.rateWindow
  const window = windowHours * HOUR_MS
  const findings: Array<Finding> = []
  for (const c of ctx.scope) {
    const counted = countedInWindow(ctx, c)
    if (counted.length < limit) continue
    const until = counted[limit - 1]! + window
    findings.push({
      code: "rate.window",
      effect: "wait",
      connectionId: c.connection.id,
      message: `${counted.length} refreshes of this connection in the last ${windowHours} h (limit ${limit}); the next is allowed at ${toIso(until)}, in ${describeDuration(until - ctx.now)}`,
      data: { counted: counted.length, limit, windowHours, refreshes: counted.map(toIso), nextEligibleAt: toIso(until) },
      until
    })
  }
  return findings
})
