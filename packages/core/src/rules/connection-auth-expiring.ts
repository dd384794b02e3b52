/**
 * `connection.auth-expiring`: a warning when an OAuth connection expires within
 * `expiringWarningDays`, so a caseworker can ask the user to re-authenticate before it breaks.
 * It ends where `connection.auth-expired` begins (Truv's expiry minus the clock guard).
 */
import { DAY_MS, toDay, toIso } from "../engine/time.js"
import { treatedExpiredAtMs } from "./clock-guard.js"
import { defineRule, type Finding, NONE } from "./rule.js"

export const connectionAuthExpiring = defineRule("connection.auth-expiring", (ctx) => {
  const validity = ctx.config.oauthValidityDays * DAY_MS
  const warning = ctx.config.expiringWarningDays * DAY_MS
  let findings: Array<Finding> | null = null
  for (const c of ctx.scope) {
    const expiresAt = c.authenticatedAtMs + validity
    if (c.connection.authKind !== "oauth" || ctx.now >= treatedExpiredAtMs(ctx.config, c.authenticatedAtMs, validity) || ctx.now < expiresAt - warning) continue
    const daysLeft = Math.ceil((expiresAt - ctx.now) / DAY_MS)
    findings ??= []
    findings.push({
      code: "connection.auth-expiring",
      effect: "warn",
      connectionId: c.connection.id,
      message: `OAuth connection expires ${toDay(expiresAt)}, in ${daysLeft} day${daysLeft === 1 ? "" : "s"}; ask the user to re-authenticate soon`,
      data: { expiresAt: toIso(expiresAt), warningDays: ctx.config.expiringWarningDays }
    })
  }
  return findings ?? NONE
})
