/**
 * Instants and durations as the CLI accepts them. An instant is ISO-8601 with a zone
 * (`2026-12-01T09:30:00Z`, `2026-12-01T10:30:00+01:00`) or a bare date (`2026-12-01`, meaning
 * 00:00Z that day); a local time without a zone has no single meaning for a limit, so it is
 * refused. Durations follow core's one grammar (`@recert/core`'s `duration.ts`, shared with the
 * scheduler): `30d`, `12h`, `90m`, `30s`, `500ms`, `2w`, `1h30m`.
 */
import { Instant } from "@recert/core"

export { DURATION_EXPECTED, parseDuration } from "@recert/core"

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/

/** What a valid instant looks like, for error messages. */
export const INSTANT_EXPECTED = "an ISO-8601 instant with a zone (2026-12-01T00:00:00Z) or a date (2026-12-01)"

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

/** Epoch milliseconds as the canonical ISO form the core uses (`2026-12-01T00:00:00.000Z`). */
export const toIso = (ms: number): string => new Date(ms).toISOString()
