/**
 * `connection.validity-learned`: validity learned from the ledger. When the decision input carries
 * an estimate for a connection's (provider, auth kind) (`DecisionInput.validity`, computed by the
 * store per pass), and at least `learning.minSample` authentication episodes were observed at or
 * beyond the connection's current age, the predicted chance that a refresh succeeds now is
 * S(age) / S(age of its last success since the login) (Kaplan–Meier). Below `learning.minSuccess`
 * the refresh is not sent (it is billed and would probably fail): the user re-authenticates.
 * A connection already known to need the user is left to `connection.needs-user`.
 */
import { DAY_MS } from "../engine/time.js"
import { estimateFor, evidenceAt, predictedSuccess } from "../learning/kaplan-meier.js"
import { learningPolicyOf } from "../learning/validity-estimate.js"
import { NEEDS_USER_STATUSES } from "../model/primitives.js"
import { currentStatus, defineRule, type Finding, NONE } from "./rule.js"

const percent = (x: number): string => `${Math.round(x * 100)}%`

export const connectionValidityLearned = defineRule("connection.validity-learned", (ctx) => {
  const estimates = ctx.validity
  if (estimates === undefined || estimates.length === 0) return NONE
  const policy = learningPolicyOf(ctx.config)
  let findings: Array<Finding> | null = null
  for (const c of ctx.scope) {
    const status = currentStatus(c)
    if (status !== null && NEEDS_USER_STATUSES.has(status)) continue
    const estimate = estimateFor(estimates, c.connection.provider, c.connection.authKind)
    if (estimate === undefined) continue
    const ageDays = Math.floor((ctx.now - c.authenticatedAtMs) / DAY_MS)
    if (ageDays < 0) continue
    const evidence = evidenceAt(estimate, ageDays)
    if (evidence.atRisk < policy.minSample) continue
    // The last success since the login: the connection was alive then.
    let knownGood = 0
    for (const e of c.entries) {
      if (e.atMs >= c.authenticatedAtMs && e.atMs <= ctx.now && e.attempt.outcomes[c.connection.id] === "done") {
        knownGood = Math.max(knownGood, Math.floor((e.atMs - c.authenticatedAtMs) / DAY_MS))
      }
    }
    const success = predictedSuccess(estimate, ageDays, knownGood)
    if (success >= policy.minSuccess) continue
    findings ??= []
    findings.push({
      code: "connection.validity-learned",
      effect: "reauthenticate",
      connectionId: c.connection.id,
      message: `${c.connection.provider} ${c.connection.authKind} connections: ${evidence.failed} of ${evidence.atRisk} refreshed ${ageDays} or more days after login failed; this one logged in ${ageDays} days ago, so a refresh would succeed with ${percent(success)} (below ${percent(policy.minSuccess)}): the user logs in again (Bridge update mode)`,
      data: {
        provider: c.connection.provider, authKind: c.connection.authKind, ageDays, knownGoodDays: knownGood,
        predictedSuccess: success, minSuccess: policy.minSuccess, atRisk: evidence.atRisk, failed: evidence.failed,
        minSample: policy.minSample, episodes: estimate.episodes
      }
    })
  }
  return findings ?? NONE
})
