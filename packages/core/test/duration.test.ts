/**
 * The duration grammar (`src/duration.ts`), as a table: every unit, combinations, and each kind
 * of bad input with the error that names it.
 */
import { describe, expect, it } from "vitest"
import { DURATION_EXPECTED, parseDuration, parseDurationText } from "@recert/core"

const VALID: ReadonlyArray<readonly [string, number]> = [
  ["500ms", 500],
  ["0ms", 0],
  ["30s", 30_000],
  ["90m", 90 * 60_000],
  ["15m", 900_000],
  ["12h", 12 * 3_600_000],
  ["30d", 30 * 86_400_000],
  ["2w", 14 * 86_400_000],
  ["1h30m", 5_400_000],
  ["2d12h", 60 * 3_600_000],
  ["1m30s250ms", 90_250],
  ["1w1d1h1m1s1ms", 604_800_000 + 86_400_000 + 3_600_000 + 60_000 + 1_000 + 1]
]

const INVALID: ReadonlyArray<readonly [string, "empty" | "malformed" | "unit-order" | "too-large"]> = [
  ["", "empty"],
  ["30", "malformed"],
  ["30 d", "malformed"],
  [" 30d", "malformed"],
  ["1.5d", "malformed"],
  ["-1d", "malformed"],
  ["30days", "malformed"],
  ["3 fortnights", "malformed"],
  ["1y", "malformed"],
  ["h", "malformed"],
  ["30m1h", "unit-order"],
  ["1h1h", "unit-order"],
  ["99999999999999w", "too-large"]
]

describe("durations: one grammar for the scheduler and the admin CLI", () => {
  it.each(VALID)("%s = %d ms", (text, ms) => {
    expect(parseDurationText(text)).toEqual({ ok: true, ms })
    expect(parseDuration(text)).toBe(ms)
  })

  it.each(INVALID)("%j is refused (%s), the error naming the value", (text, reason) => {
    expect(parseDurationText(text)).toEqual({
      ok: false,
      error: { _tag: "DurationInvalid", input: text, reason, message: `${JSON.stringify(text)} is not ${DURATION_EXPECTED}` }
    })
    expect(parseDuration(text)).toBeNull()
  })

  it("the message says what is expected", () => {
    const r = parseDurationText("3 fortnights")
    expect(r.ok ? null : r.error.message).toBe('"3 fortnights" is not a duration such as 30d, 12h, 90m, 30s, 500ms or 1h30m (units w d h m s ms, largest first)')
  })
})
