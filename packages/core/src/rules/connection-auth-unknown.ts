/**
 * `connection.auth-unknown`: session-based and unknown connections have no fixed validity
 * (weeks to months, depending on the provider). A refresh is allowed but may fail; the decision
 * says so as a warning.
 */
import { isoOf } from "../engine/time.js"
import { defineRule, type Finding, NONE } from "./rule.js"

export const connectionAuthUnknown = defineRule("connection.auth-unknown", (ctx) => {
  let findings: Array<Finding> | null = null
  for (const c of ctx.scope) {
    if (c.connection.authKind === "oauth") continue
    findings ??= []
    findings.push({
      code: "connection.auth-unknown",
      effect: "warn",
      connectionId: c.connection.id,
      message: `${c.connection.authKind === "session" ? "Session-based" : "Unknown-kind"} connection (${c.connection.provider}) authenticated ${isoOf(c.connection.authenticatedAt, c.authenticatedAtMs).slice(0, 10)} has no fixed validity; the refresh may fail`,
      data: { authKind: c.connection.authKind, provider: c.connection.provider, authenticatedAt: c.connection.authenticatedAt }
    })
  }
  return findings ?? NONE
})
