/** Every rule of DESIGN.md, in the table's order. The engine evaluates all of them, always. */
import { connectionAuthExpired } from "./connection-auth-expired.js"
import { connectionAuthExpiring } from "./connection-auth-expiring.js"
import { connectionAuthUnknown } from "./connection-auth-unknown.js"
import { connectionLocked } from "./connection-locked.js"
import { connectionNeedsUser } from "./connection-needs-user.js"
import { connectionDeleted } from "./connection-deleted.js"
import { connectionNoData } from "./connection-no-data.js"
import { connectionUnavailable } from "./connection-unavailable.js"
import { connectionValidityLearned } from "./connection-validity-learned.js"
import { gseFreeQuota } from "./gse-free-quota.js"
import { lineageClosed } from "./lineage-closed.js"
import { productNotAllowed } from "./product-not-allowed.js"
import { productOnePerRequest } from "./product-one-per-request.js"
import { rateWindow } from "./rate-window.js"
import { refreshInFlight } from "./refresh-in-flight.js"
import type { Rule } from "./rule.js"
import { selectionUnknown } from "./selection-unknown.js"

export const RULES: ReadonlyArray<Rule> = [
  productNotAllowed, productOnePerRequest, selectionUnknown, lineageClosed, refreshInFlight,
  connectionAuthExpired, connectionAuthExpiring, connectionAuthUnknown, connectionNeedsUser,
  connectionLocked, connectionUnavailable, connectionNoData, connectionDeleted, rateWindow, gseFreeQuota, connectionValidityLearned
]

export {
  connectionAuthExpired, connectionAuthExpiring, connectionAuthUnknown, connectionLocked, connectionNeedsUser,
  connectionNoData, connectionUnavailable, gseFreeQuota, lineageClosed, productNotAllowed, productOnePerRequest,
  rateWindow, refreshInFlight, selectionUnknown, connectionValidityLearned, connectionDeleted
}
export { backoffDelay, jitteredDelay } from "./connection-unavailable.js"
export { countedInWindow, remainingInWindow } from "./rate-window.js"
export { gseQuota, gseFreeRemaining, type GseQuota } from "./gse-free-quota.js"
export { billing } from "./billing.js"
export * from "./rule.js"
