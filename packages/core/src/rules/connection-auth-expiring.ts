/**
 * `connection.auth-expiring`: an OAuth connection that expires within `expiringWarningDays` is a
 * warning, so a caseworker can ask the user to re-authenticate before it breaks. With timing
 * configured (`timing.expiryMarginHours`, issue 18) it is a decision input: from the expiry less
 * the clock guard and the margin, a refresh is not sent (it could fail and would be billed) and
 * the connection goes to the client. It ends where `connection.auth-expired` begins (Truv's expiry
 * minus the clock guard).
 */
import { DAY_MS, HOUR_MS, toDay, toIso } from "../engine/time.js"
import { treatedExpiredAtMs } from "./clock-guard.js"
import { defineRule, type Finding, NONE } from "./rule.js"

export const connectionAuthExpiring = defineRule("connection.auth-expiring", (ctx) => {
  const validity = ctx.config.oauthValidityDays * DAY_MS
  const warning = ctx.config.expiringWarningDays * DAY_MS
  const margin = ctx.config.timing === undefined ? null : ctx.config.timing.expiryMarginHours * HOUR_MS
  let findings: Array<Finding> | null = null
  for (const c of ctx.scope) {
    if (c.connection.authKind !== "oauth") continue
    const expiresAt = c.authenticatedAtMs + validity
    const expiredAt = treatedExpiredAtMs(ctx.config, c.authenticatedAtMs, validity)
    const refreshBy = margin === null ? null : expiredAt - margin
    const inMargin = refreshBy !== null && ctx.now >= refreshBy
    if (ctx.now >= expiredAt || (ctx.now < expiresAt - warning && !inMargin)) continue
    findings ??= []
    if (inMargin) {
      const hoursLeft = Math.ceil((expiresAt - ctx.now) / HOUR_MS)
      findings.push({
        code: "connection.auth-expiring",
        effect: "reauthenticate",
        connectionId: c.connection.id,
        message: `OAuth connection expires ${toIso(expiresAt)}, in ${hoursLeft} h, within the ${margin! / HOUR_MS} h safety margin (refresh by ${toIso(refreshBy)}); a refresh could fail and would be billed, so the client is asked to log in again`,
        data: { expiresAt: toIso(expiresAt), refreshBy: toIso(refreshBy), marginHours: margin! / HOUR_MS, clockGuardSeconds: ctx.config.clockGuardSeconds }
      })
      continue
    }
    const daysLeft = Math.ceil((expiresAt - ctx.now) / DAY_MS)
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
