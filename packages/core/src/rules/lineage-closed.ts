/**
 * `lineage.closed`: a canceled, expired-without-data or finalized lineage is not refreshable.
 * Truv's `order-finalized` says "no further data collection or refresh occurs".
 */
import { defineRule, NONE } from "./rule.js"

export const lineageClosed = defineRule("lineage.closed", (ctx) => {
  const status = ctx.lineage.status
  if (status === "open") return NONE
  return [{
    code: "lineage.closed",
    effect: "deny",
    connectionId: null,
    message: `Order ${ctx.lineage.rootOrderId} is ${status}; a closed order cannot be refreshed, start a new order`,
    data: { status }
  }]
})
