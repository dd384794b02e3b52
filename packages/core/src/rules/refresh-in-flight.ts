/**
 * `refresh.in-flight`: a refresh of the same lineage and product that is reserved, sent or of
 * unknown outcome blocks another, so a crash or a slow webhook never leads to a second billed
 * refresh. The caller looks again after `inFlightRecheckMinutes`; an attempt of unknown outcome
 * is resolved by reconciliation, never by sending again.
 */
import { isInFlight } from "../model/attempt.js"
import { isoOf, MINUTE_MS } from "../engine/time.js"
import { defineRule, type LedgerEntry, NONE } from "./rule.js"

export const refreshInFlight = defineRule("refresh.in-flight", (ctx) => {
  let latest: LedgerEntry | null = null
  let count = 0
  for (const entry of ctx.ledger) {
    if (entry.attempt.product !== ctx.product || !isInFlight(entry.attempt.status)) continue
    count++
    if (latest === null || entry.atMs >= latest.atMs) latest = entry
  }
  if (latest === null) return NONE
  const recheck = ctx.config.inFlightRecheckMinutes * MINUTE_MS
  const until = latest.atMs + recheck > ctx.now ? latest.atMs + recheck : ctx.now + recheck
  return [{
    code: "refresh.in-flight",
    effect: "wait",
    connectionId: null,
    message: `A ${ctx.product ?? ""} refresh made ${isoOf(latest.attempt.at, latest.atMs)} is still ${latest.attempt.status}; wait for it to resolve`,
    data: { attemptId: latest.attempt.id, status: latest.attempt.status, at: latest.attempt.at, inFlight: count },
    until
  }]
})
