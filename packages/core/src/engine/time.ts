/**
 * Instants inside the engine are epoch milliseconds: parsed once per decision, compared as
 * numbers on the hot path, formatted back to ISO strings only for the decision.
 */
export const MINUTE_MS = 60_000
export const HOUR_MS = 60 * MINUTE_MS
export const DAY_MS = 24 * HOUR_MS

/** ISO-8601 → epoch ms. Inputs are validated by the schemas, so NaN here is a bug. */
export const toMs = (iso: string): number => Date.parse(iso)

/** Epoch ms → `2026-11-22T10:00:00.000Z`. */
export const toIso = (ms: number): string => new Date(ms).toISOString()

/** Epoch ms → `2026-11-22`, for sentences a caseworker reads. */
export const toDay = (ms: number): string => toIso(ms).slice(0, 10)

/** A duration in words: "3 h 20 min", "2 days 4 h", "45 min". */
export const describeDuration = (ms: number): string => {
  const minutes = Math.ceil(ms / MINUTE_MS)
  if (minutes < 60) return `${minutes} min`
  const hours = Math.floor(minutes / 60)
  const rest = minutes % 60
  if (hours < 48) return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`
  const days = Math.floor(hours / 24)
  const h = hours % 24
  return h === 0 ? `${days} days` : `${days} days ${h} h`
}
