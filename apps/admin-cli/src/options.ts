/**
 * Flags shared by several commands. Malformed values are refused while parsing the command line,
 * so they are usage errors (exit 2) that name the flag and the bad value, and handlers only ever
 * see valid instants and durations.
 */
import { Clock, Effect, Option } from "effect"
import { Flag } from "effect/cli"
import { DURATION_EXPECTED, INSTANT_EXPECTED, parseDuration, parseInstant } from "./time.js"

const orThrow = <A>(value: A | null): A => {
  if (value === null) throw new Error("invalid")
  return value
}

/** `--json`: print the documented JSON shape instead of a table. */
export const json = Flag.Boolean("json").pipe(
  Flag.withDescription("Print JSON (the stable shape documented in the README) instead of a table"),
  Flag.withDefault(false)
)

/** `--db`: a SQLite file or a postgres:// URL; otherwise DATABASE_URL, then .recert/recert.sqlite. */
export const db = Flag.String("db").pipe(
  Flag.withDescription("SQLite file or postgres:// URL (default: $DATABASE_URL, else .recert/recert.sqlite)"),
  Flag.withMetavar("path|url"),
  Flag.optional
)

/** `--at`: the instant to decide at (a what-if); default now. */
export const at = Flag.String("at").pipe(
  Flag.withDescription("Decide at this instant instead of now: 2026-12-01T00:00:00Z or 2026-12-01 (00:00Z)"),
  Flag.withMetavar("instant"),
  Flag.mapTryCatch((text) => orThrow(parseInstant(text)), () => INSTANT_EXPECTED),
  Flag.optional
)

/** A duration flag (`--within 30d`). */
export const duration = (name: string, description: string, fallback: string) =>
  Flag.String(name).pipe(
    Flag.withDescription(description),
    Flag.withMetavar("duration"),
    Flag.withDefault(fallback),
    Flag.mapTryCatch((text) => orThrow(parseDuration(text)), () => DURATION_EXPECTED)
  )

/** An instant flag other than `--at` (`--since`). */
export const instant = (name: string, description: string) =>
  Flag.String(name).pipe(
    Flag.withDescription(description),
    Flag.withMetavar("instant"),
    Flag.mapTryCatch((text) => orThrow(parseInstant(text)), () => INSTANT_EXPECTED),
    Flag.optional
  )

/** The instant a command works at: `--at` when given, else the clock's now. */
export const nowOr = (at: Option.Option<number>): Effect.Effect<number> =>
  Option.isSome(at) ? Effect.succeed(at.value) : Clock.currentTimeMillis
