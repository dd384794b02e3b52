/**
 * `connection.auth-expired`: an OAuth connection authenticated at `a` is expired at every
 * `now >= a + oauthValidityDays`. A refresh would fail and still be billed, so the user must
 * re-authenticate (Bridge update mode) instead.
 */
import { DAY_MS, toDay, toIso } from "../engine/time.js"
import { defineRule, type Finding, NONE } from "./rule.js"

export const connectionAuthExpired = defineRule("connection.auth-expired", (ctx) => {
  const validity = ctx.config.oauthValidityDays * DAY_MS
  let findings: Array<Finding> | null = null
  for (const c of ctx.scope) {
    if (c.connection.authKind !== "oauth" || ctx.now < c.authenticatedAtMs + validity) continue
    const daysAgo = Math.floor((ctx.now - c.authenticatedAtMs) / DAY_MS)
    findings ??= []
    findings.push({
      code: "connection.auth-expired",
      effect: "reauthenticate",
      connectionId: c.connection.id,
      message: `OAuth connection last authenticated ${toDay(c.authenticatedAtMs)}, ${daysAgo} days ago (valid ${ctx.config.oauthValidityDays})`,
      data: { authenticatedAt: c.connection.authenticatedAt, validityDays: ctx.config.oauthValidityDays, expiredAt: toIso(c.authenticatedAtMs + validity) }
    })
  }
  return findings ?? NONE
})
