/**
 * The client-side request budget: at most N requests in any rolling minute per access secret
 * (Truv: 300 per secret, all endpoints, truv-api-notes §5.2), shared by every client of the
 * process. The table is module-level and keyed by a hash of the secret, never the secret.
 *
 * A call reserves the earliest instant at which it keeps the budget, then sleeps until then with
 * Effect's clock (so TestClock can drive it). A `Retry-After` from Truv blocks the whole secret.
 */
import { createHash } from "node:crypto"
import { Clock, Effect, Redacted } from "effect"

const WINDOW_MS = 60_000
/** Slack so that our minute never ends before Truv's (requests take time to arrive). */
const MARGIN_MS = 100

interface Budget {
  /** Planned send instants of the last `limit` calls, ascending. */
  slots: Array<number>
  blockedUntil: number
}

const budgets = new Map<string, Budget>()

/** The table key for a secret: a SHA-256 prefix, so the secret itself is never held here. */
export const budgetKey = (secret: Redacted.Redacted<string>): string =>
  createHash("sha256").update("recert/truv-budget:").update(Redacted.value(secret)).digest("hex").slice(0, 24)

/** Reserves a slot at or after `now`; returns how long to wait (ms). Pure bookkeeping. */
export const reserveSlot = (key: string, limit: number, now: number): number => {
  const budget = budgets.get(key) ?? { slots: [], blockedUntil: 0 }
  budgets.set(key, budget)
  let at = Math.max(now, budget.blockedUntil)
  if (budget.slots.length >= limit) at = Math.max(at, budget.slots[budget.slots.length - limit]! + WINDOW_MS + MARGIN_MS)
  budget.slots.push(at)
  if (budget.slots.length > limit) budget.slots.splice(0, budget.slots.length - limit)
  return at - now
}

/** Waits for a slot of the secret's budget. */
export const takeBudget = (key: string, limit: number): Effect.Effect<void> =>
  Effect.flatMap(Clock.currentTimeMillis, (now) => {
    const wait = reserveSlot(key, limit, now)
    return wait > 0 ? Effect.sleep(wait) : Effect.void
  })

/** Truv said `Retry-After`: no call with this secret starts before `until`. */
export const blockBudget = (key: string, until: number): void => {
  const budget = budgets.get(key) ?? { slots: [], blockedUntil: 0 }
  budget.blockedUntil = Math.max(budget.blockedUntil, until)
  budgets.set(key, budget)
}

/** Forgets every budget (tests only: the table is process-wide). */
export const resetRateBudgets = (): void => budgets.clear()
