/**
 * When the deliverer tries an event again after a failed try (any answer but 2xx, a timeout, a
 * reset): capped exponential backoff, x4 from 15 s up to a 6 h cap, each delay jittered by ±20%
 * so that deliveries failing together do not come back together. Ten tries over about a day
 * (23 h 41 m before jitter), then the delivery is dead-lettered (`recert events --failed`,
 * `recert events redeliver`). A `Retry-After` answer (seconds or an HTTP date) is honoured: the
 * next try is no earlier than it asks, up to 24 h.
 *
 * | after try | 1    | 2   | 3   | 4    | 5      | 6      | 7   | 8   | 9   | 10   |
 * |-----------|------|-----|-----|------|--------|--------|-----|-----|-----|------|
 * | wait      | 15 s | 1 m | 4 m | 16 m | 1 h 4 m| 4 h 16 m| 6 h | 6 h | 6 h | dead |
 * | total     | 15 s | 1 m 15 s | 5 m 15 s | 21 m 15 s | 1 h 25 m | 5 h 41 m | 11 h 41 m | 17 h 41 m | 23 h 41 m | |
 */

/** A retry schedule; `DELIVERY_BACKOFF` is the production one (the table above). */
export interface RetrySchedule {
  readonly baseMs: number
  readonly factor: number
  readonly capMs: number
  readonly jitter: number
  readonly maxAttempts: number
}

export const DELIVERY_BACKOFF = { baseMs: 15_000, factor: 4, capMs: 6 * 3_600_000, jitter: 0.2, maxAttempts: 10 } as const satisfies RetrySchedule
const MAX_RETRY_AFTER_MS = 24 * 3_600_000

/**
 * The wait after the `attempt`-th failed try (1-based), given a uniform `random` in [0, 1); null
 * after the last try. A shorter `schedule` is for tests and chaos runs (`delivery.retry` in the
 * scheduler's config).
 */
export const retryDelayMs = (attempt: number, random: number, schedule: RetrySchedule = DELIVERY_BACKOFF): number | null => {
  if (attempt >= schedule.maxAttempts) return null
  const raw = Math.min(schedule.capMs, schedule.baseMs * schedule.factor ** Math.max(0, attempt - 1))
  return Math.round(raw * (1 - schedule.jitter + 2 * schedule.jitter * random))
}

/** A `Retry-After` header as milliseconds from `now` (delta seconds or an HTTP date), capped; null when absent or unreadable. */
export const retryAfterMs = (header: string | null, now: number): number | null => {
  if (header === null || header.trim() === "") return null
  const value = header.trim()
  const ms = /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value) - now
  return Number.isFinite(ms) ? Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms)) : null
}

/** The next try's instant after a failed `attempt` at `now`, or null (dead letter). */
export const nextTryAt = (attempt: number, now: number, random: number, retryAfter: number | null, schedule: RetrySchedule = DELIVERY_BACKOFF): number | null => {
  const delay = retryDelayMs(attempt, random, schedule)
  return delay === null ? null : now + Math.max(delay, retryAfter ?? 0)
}
