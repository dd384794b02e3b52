/**
 * `connection.auth-expired`: an OAuth connection authenticated at `a` expires at Truv at
 * `a + oauthValidityDays`, and is treated as expired at every `now >= a + oauthValidityDays -
 * clockGuardSeconds` (our clock may be behind Truv's). A refresh would fail and still be billed,
 * so the user must re-authenticate (Bridge update mode) instead.
 */
import { DAY_MS, toDay, toIso } from "../engine/time.js"
import { treatedExpiredAtMs } from "./clock-guard.js"
import { isDeleted } from "./connection-deleted.js"
import { defineRule, type Finding, NONE } from "./rule.js"

export const connectionAuthExpired = defineRule("connection.auth-expired", (ctx) => {
  const validity = ctx.config.oauthValidityDays * DAY_MS
  const guard = ctx.config.clockGuardSeconds
  let findings: Array<Finding> | null = null
  for (const c of ctx.scope) {
    if (c.connection.authKind !== "oauth" || isDeleted(c) || ctx.now < treatedExpiredAtMs(ctx.config, c.authenticatedAtMs, validity)) continue
    const expiredAt = c.authenticatedAtMs + validity
    const daysAgo = Math.floor((ctx.now - c.authenticatedAtMs) / DAY_MS)
    const inGuard = ctx.now < expiredAt ? `; it expires ${toIso(expiredAt)}, within the ${guard} s clock guard` : ""
    findings ??= []
    findings.push({
      code: "connection.auth-expired",
      effect: "reauthenticate",
      connectionId: c.connection.id,
      message: `OAuth connection last authenticated ${toDay(c.authenticatedAtMs)}, ${daysAgo} days ago (valid ${ctx.config.oauthValidityDays})${inGuard}`,
      data: { authenticatedAt: c.connection.authenticatedAt, validityDays: ctx.config.oauthValidityDays, expiredAt: toIso(expiredAt), clockGuardSeconds: guard }
    })
  }
  return findings ?? NONE
})
