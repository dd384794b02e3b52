/**
 * `rate.window`: per connection (access token), at most `limit` refreshes in any rolling
 * window (3 per 24 h). A refresh at `t` counts at `now` while `t <= now < t + window + guard`
 * (`clockGuardSeconds`: our clock may be ahead of Truv's, whose window is the one that counts). Every
 * attempt Truv may have accepted counts (reserved, sent, succeeded, failed, unknown); attempts
 * Truv rejected do not. At the limit, the connection may refresh again when the limit-th most
 * recent counted refresh leaves the window. The initial pull at connect or re-authentication is
 * not in the ledger and uses no slot.
 */
import { countsAgainstLimits } from "../model/attempt.js"
import { describeDuration, HOUR_MS, isoOf, toIso } from "../engine/time.js"
import type { PolicyConfig } from "../model/policy-config.js"
import { clockGuardMs } from "./clock-guard.js"
import { defineRule, type Finding, type LedgerEntry, NONE, type RuleContext, type ScopedConnection } from "./rule.js"

/** How long a refresh counts: Truv's window plus the clock guard. */
const countedWindowMs = (config: PolicyConfig): number => config.rateWindow.windowHours * HOUR_MS + clockGuardMs(config)

/**
 * Instants (ms) of the refreshes of `c` that count at `now`, most recent first. The entries are
 * oldest first, so the walk back from the newest stops at the first one outside the window:
 * the cost is the number of refreshes in the window, not the length of the ledger.
 */
export const countedInWindow = (ctx: RuleContext, c: ScopedConnection): Array<number> => {
  const window = countedWindowMs(ctx.config)
  const counted: Array<number> = []
  for (let i = c.entries.length - 1; i >= 0; i--) {
    const entry = c.entries[i]!
    if (entry.atMs + window <= ctx.now) break
    if (countsAgainstLimits(entry.attempt.status)) counted.push(entry.atMs)
  }
  return counted
}

/** How many refreshes of `c` count at `now` (`countedInWindow(ctx, c).length` without the array). */
const countInWindow = (ctx: RuleContext, c: ScopedConnection): number => {
  const window = countedWindowMs(ctx.config)
  let count = 0
  for (let i = c.entries.length - 1; i >= 0; i--) {
    const entry = c.entries[i]!
    if (entry.atMs + window <= ctx.now) break
    if (countsAgainstLimits(entry.attempt.status)) count++
  }
  return count
}

/** The counted entries themselves, most recent first (for the finding, which quotes them). */
const countedEntries = (ctx: RuleContext, c: ScopedConnection, window: number): Array<LedgerEntry> => {
  const counted: Array<LedgerEntry> = []
  for (let i = c.entries.length - 1; i >= 0; i--) {
    const entry = c.entries[i]!
    if (entry.atMs + window <= ctx.now) break
    if (countsAgainstLimits(entry.attempt.status)) counted.push(entry)
  }
  return counted
}

/** Refreshes left in the window for `c` at `now`. */
export const remainingInWindow = (ctx: RuleContext, c: ScopedConnection): number =>
  Math.max(0, ctx.config.rateWindow.limit - countInWindow(ctx, c))

/** The entry's instant as the decision quotes it (the caller's own string when it is canonical). */
const quote = (entry: LedgerEntry): string => isoOf(entry.attempt.at, entry.atMs)

export const rateWindow = defineRule("rate.window", (ctx) => {
  const { limit, windowHours } = ctx.config.rateWindow
  const window = countedWindowMs(ctx.config)
  const guard = ctx.config.clockGuardSeconds
  const withGuard = guard > 0 ? ` (the window plus the ${guard} s clock guard)` : ""
  let findings: Array<Finding> | null = null
  for (const c of ctx.scope) {
    if (countInWindow(ctx, c) < limit) continue
    const counted = countedEntries(ctx, c, window)
    const until = counted[limit - 1]!.atMs + window
    const untilIso = toIso(until)
    findings ??= []
    findings.push({
      code: "rate.window",
      effect: "wait",
      connectionId: c.connection.id,
      message: `${counted.length} refreshes of this connection in the last ${windowHours} h (limit ${limit}); the next is allowed at ${untilIso}${withGuard}, in ${describeDuration(until - ctx.now)}`,
      data: { counted: counted.length, limit, windowHours, clockGuardSeconds: guard, refreshes: counted.map(quote), nextEligibleAt: untilIso },
      until
    })
  }
  return findings ?? NONE
})
