/**
 * `connection.no-data`: the last task ended in `no_data`, `not_supported` or `config_error`.
 * Refreshing the same connection cannot produce data; the case needs a new order or a manual
 * path (documents).
 */
import { NO_DATA_STATUSES } from "../model/primitives.js"
import { currentStatus, defineRule, type Finding, NONE } from "./rule.js"

export const connectionNoData = defineRule("connection.no-data", (ctx) => {
  let findings: Array<Finding> | null = null
  for (const c of ctx.scope) {
    const status = currentStatus(c)
    if (status === null || !NO_DATA_STATUSES.has(status)) continue
    findings ??= []
    findings.push({
      code: "connection.no-data",
      effect: "new-order",
      connectionId: c.connection.id,
      message: `The last ${c.connection.provider} task ended in ${status}; a refresh cannot produce data, start a new order or a manual check`,
      data: { lastTaskStatus: status, lastStatusAt: c.connection.lastStatusAt }
    })
  }
  return findings ?? NONE
})
