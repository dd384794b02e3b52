/**
 * When a verification request's client is reminded, and what is due on a request at an instant:
 * pure functions of the request's kind, its creation instant, when it was last reminded and the
 * `requests` policy. Expiry is core's one rule (`requestExpiresAt`: a new order 72 weekday hours
 * after it was made, a Bridge token 6 h); a reminder `h` hours before it is, for a new order,
 * `72 - h` weekday hours after creation (same calendar), for a Bridge token `6 h - h` after.
 *
 * Reminders missed (no worker ran for a day) collapse into one: the next reminder is the first
 * slot after the last one sent (or after creation), and a sweep that finds several slots past
 * sends one, stamped now, so the client never gets a burst.
 */
import { addWeekdayHours, BRIDGE_TOKEN_VALIDITY, NEW_ORDER_WEEKDAY_HOURS, requestExpiresAt } from "../events/request-expiry.js"
import type { RequestPolicy } from "./request-policy.js"

export type RequestKind = "bridge-update" | "new-order"

const HOUR = 3_600_000

/** The reminder instants (ms) of a request made at `created`, ascending, each strictly between creation and expiry. */
export const reminderInstants = (kind: RequestKind, created: number, policy: RequestPolicy): Array<number> => {
  const expires = requestExpiresAt(kind, created)
  const at = policy.reminders.beforeExpiryHours.map((h) =>
    kind === "new-order"
      ? (h >= NEW_ORDER_WEEKDAY_HOURS ? created : addWeekdayHours(created, NEW_ORDER_WEEKDAY_HOURS - h))
      : created + BRIDGE_TOKEN_VALIDITY - h * HOUR)
  return [...new Set(at)].filter((t) => t > created && t < expires).sort((a, b) => a - b)
}

/** The next reminder slot after the last reminder (or creation), or null when none is left. */
export const nextReminderAt = (kind: RequestKind, created: number, lastRemindedAt: number | null, policy: RequestPolicy): number | null =>
  reminderInstants(kind, created, policy).find((t) => t > (lastRemindedAt ?? created)) ?? null

/** When the sweep must next look at an open request: its next reminder, else its expiry. */
export const requestNextDueAt = (kind: RequestKind, created: number, lastRemindedAt: number | null, policy: RequestPolicy): number => {
  const expires = requestExpiresAt(kind, created)
  const reminder = nextReminderAt(kind, created, lastRemindedAt, policy)
  return reminder === null ? expires : Math.min(reminder, expires)
}

/** What is due on an open request at `now`: expiry first (a reminder after it is pointless), then a reminder, else nothing. */
export type RequestDue = { readonly kind: "expire"; readonly expiresAt: number } | { readonly kind: "remind"; readonly slot: number } | null

export const requestDueAt = (kind: RequestKind, created: number, lastRemindedAt: number | null, now: number, policy: RequestPolicy): RequestDue => {
  const expiresAt = requestExpiresAt(kind, created)
  if (now >= expiresAt) return { kind: "expire", expiresAt }
  const slot = nextReminderAt(kind, created, lastRemindedAt, policy)
  return slot !== null && now >= slot ? { kind: "remind", slot } : null
}
