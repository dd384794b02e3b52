/**
 * `connection.locked`: the provider locked the account (`account_locked`). The user must unlock
 * it at the provider, then re-authenticate; refreshing before that only fails again.
 */
import { isDeleted } from "./connection-deleted.js"
import { currentStatus, defineRule, type Finding, NONE } from "./rule.js"

export const connectionLocked = defineRule("connection.locked", (ctx) => {
  let findings: Array<Finding> | null = null
  for (const c of ctx.scope) {
    if (currentStatus(c) !== "account_locked" || isDeleted(c)) continue
    findings ??= []
    findings.push({
      code: "connection.locked",
      effect: "reauthenticate",
      connectionId: c.connection.id,
      message: `The ${c.connection.provider} account is locked; the user must unlock it at ${c.connection.provider}, then log in again`,
      data: { lastTaskStatus: "account_locked", lastStatusAt: c.connection.lastStatusAt }
    })
  }
  return findings ?? NONE
})
