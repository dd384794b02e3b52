/**
 * Capped exponential backoff with jitter for retried calls: attempt n (0-based) waits a random
 * time in [d/2, d] where d = min(maxDelayMs, baseDelayMs * 2^n). Equal jitter keeps a floor so
 * retries do not stampede, and the randomness spreads workers apart.
 *
 * | retry | base 200 ms, cap 10 s |
 * |---|---|
 * | 1 | 100–200 ms |
 * | 2 | 200–400 ms |
 * | 3 | 400–800 ms |
 * | 7+ | 5–10 s |
 */
export const backoffDelayMs = (attempt: number, baseDelayMs: number, maxDelayMs: number, random: number): number => {
  const d = Math.min(maxDelayMs, baseDelayMs * 2 ** attempt)
  return Math.round(d / 2 + (d / 2) * random)
}

/**
 * `Retry-After` as milliseconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3); null when
 * absent or unreadable.
 */
export const parseRetryAfter = (value: string | undefined, nowMs: number): number | null => {
  if (value === undefined || value.trim() === "") return null
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000
  const at = Date.parse(trimmed)
  return Number.isFinite(at) ? Math.max(0, at - nowMs) : null
}
