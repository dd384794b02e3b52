/**
 * When a verification request stops serving, as Truv defines it: a Bridge update-mode token 6 h
 * after it was made (truv-api-notes §6.1), a new order 72 hours later with weekends (Saturday and
 * Sunday, UTC) not counted (truv-api-notes §3). The `case.client-action-needed` event tells the
 * agency this instant. (The scheduler's `queue-verification.ts` holds the same rule; see
 * docs/decisions.md, "Delivery to the agency's system".)
 */

/** Truv's Bridge token validity. */
export const BRIDGE_TOKEN_VALIDITY = 6 * 3_600_000
/** Truv's default order expiry, in weekday hours. */
export const NEW_ORDER_WEEKDAY_HOURS = 72

const DAY_MS = 86_400_000

/**
 * `from` (ms) plus `hours` weekday hours: time on Saturdays and Sundays (UTC) does not count, so an
 * instant on a weekend first moves to the next Monday 00:00. `hours` 0 is `from` itself.
 */
export const addWeekdayHours = (from: number, hours: number): number => {
  let at = from
  let left = hours * 3_600_000
  while (left > 0) {
    const day = new Date(at).getUTCDay()
    const nextMidnight = Math.floor(at / DAY_MS) * DAY_MS + DAY_MS
    if (day === 0 || day === 6) {
      at = nextMidnight
      continue
    }
    const step = Math.min(left, nextMidnight - at)
    at += step
    left -= step
  }
  return at
}

/** The instant (ms) a request of `kind` made at `created` (ms) expires. */
export const requestExpiresAt = (kind: "bridge-update" | "new-order", created: number): number =>
  kind === "bridge-update" ? created + BRIDGE_TOKEN_VALIDITY : addWeekdayHours(created, NEW_ORDER_WEEKDAY_HOURS)
