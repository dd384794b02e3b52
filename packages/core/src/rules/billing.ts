/**
 * `billing`: every refresh is billed per connection refreshed, unless it is free under the GSE
 * quota (then every connection of that request is free). A `no_data` outcome is not billed, but
 * no decision can know the outcome in advance, so the cost is the expected cost.
 */
import type { Cost } from "../model/decision.js"
import { gseQuota } from "./gse-free-quota.js"
import type { RuleContext } from "./rule.js"

/** The cost of refreshing `refreshed` connections now. */
export const billing = (ctx: RuleContext, refreshed: number): Cost & { readonly free: boolean } => {
  const quota = gseQuota(ctx)
  const free = quota !== null && quota.remaining > 0 && refreshed > 0
  return {
    billedVerifications: free ? 0 : refreshed,
    freeVerifications: free ? refreshed : 0,
    gseFreeRemaining: quota?.remaining ?? null,
    free
  }
}
