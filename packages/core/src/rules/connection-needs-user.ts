/**
 * `connection.needs-user`: the last task ended in `login_error`, `mfa_error` or
 * `unable_to_reset`, or the provider asks for MFA at every login. An unattended refresh cannot
 * succeed; the user re-authenticates through Bridge update mode. A re-authentication after the
 * failure clears it.
 *
 * Truv's generic `error` says only that the task failed, not whether the user must act: every
 * refresh is billed, so the rule assumes the cheaper truth and asks the user too, and its
 * message and data (`imprecise: true`) say that the status was imprecise.
 */
import { IMPRECISE_STATUSES, NEEDS_USER_STATUSES } from "../model/primitives.js"
import { isDeleted } from "./connection-deleted.js"
import { currentStatus, defineRule, type Finding, NONE } from "./rule.js"

export const connectionNeedsUser = defineRule("connection.needs-user", (ctx) => {
  let findings: Array<Finding> | null = null
  for (const c of ctx.scope) {
    const status = currentStatus(c)
    const failed = status !== null && NEEDS_USER_STATUSES.has(status)
    // A deleted link cannot be re-authenticated: `connection.deleted` asks for a new order instead.
    if ((!failed && !c.connection.mfaOnEveryLogin) || isDeleted(c)) continue
    const imprecise = failed && IMPRECISE_STATUSES.has(status)
    findings ??= []
    findings.push({
      code: "connection.needs-user",
      effect: "reauthenticate",
      connectionId: c.connection.id,
      message: imprecise
        ? `The last ${c.connection.provider} task ended in Truv's generic ${status}, which does not say whether the user must act (status imprecise); it is not refreshed again: the user logs in again (Bridge update mode)`
        : failed
        ? `The last ${c.connection.provider} task ended in ${status}; the user must log in again (Bridge update mode)`
        : `${c.connection.provider} asks for MFA at every login, so an unattended refresh cannot succeed; the user must log in`,
      data: {
        lastTaskStatus: status, lastStatusAt: c.connection.lastStatusAt, mfaOnEveryLogin: c.connection.mfaOnEveryLogin,
        ...(imprecise ? { imprecise: true } : {})
      }
    })
  }
  return findings ?? NONE
})
