/**
 * Instants and durations as the CLI accepts them. An instant is ISO-8601 with a zone
 * (`2026-12-01T09:30:00Z`, `2026-12-01T10:30:00+01:00`) or a bare date (`2026-12-01`, meaning
 * 00:00Z that day); a local time without a zone has no single meaning for a limit, so it is
 * refused. A duration is a whole number of days, hours or minutes (`30d`, `12h`, `90m`).
 */
import { Instant } from "@recert/core"

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/
const DURATION = /^(\d+)(d|h|m)$/
const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000 } as const

/** What a valid instant looks like, for error messages. */
export const INSTANT_EXPECTED = "an ISO-8601 instant with a zone (2026-12-01T00:00:00Z) or a date (2026-12-01)"
export const DURATION_EXPECTED = "a duration such as 30d, 12h or 90m"

/**
 * Parses an instant to epoch milliseconds, or `null` when it is not one.
 *
 * @example
 * parseInstant("2026-12-01")            // Date.parse("2026-12-01T00:00:00Z")
 * parseInstant("2026-12-01T10:00:00")   // null: no zone
 */
export const parseInstant = (text: string): number | null => {
  const date = DATE.exec(text)
  if (date !== null) {
    const ms = Date.parse(`${text}T00:00:00Z`)
    // Date.parse accepts 2026-02-31 as March 3rd; a caseworker typing it meant something else.
    return Number.isFinite(ms) && new Date(ms).toISOString().startsWith(text) ? ms : null
  }
  if (!Instant.safeParse(text).success) return null
  const ms = Date.parse(text)
  return Number.isFinite(ms) ? ms : null
}

/**
 * Parses a duration to milliseconds, or `null`.
 *
 * @example
 * parseDuration("30d") // 2_592_000_000
 */
export const parseDuration = (text: string): number | null => {
  const m = DURATION.exec(text)
  return m === null ? null : Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS]
}

/** Epoch milliseconds as the canonical ISO form the core uses (`2026-12-01T00:00:00.000Z`). */
export const toIso = (ms: number): string => new Date(ms).toISOString()
