import { describe, expect, it } from "vitest"
import { parseDuration, parseInstant } from "../src/time.js"

describe("instants and durations on the command line", () => {
  it("instants: a zone or a bare date (00:00Z); nothing else", () => {
    expect(parseInstant("2026-12-01")).toBe(Date.parse("2026-12-01T00:00:00Z"))
    expect(parseInstant("2026-12-01T09:30:00Z")).toBe(Date.parse("2026-12-01T09:30:00Z"))
    expect(parseInstant("2026-12-01T10:30:00+01:00")).toBe(Date.parse("2026-12-01T09:30:00Z"))
    expect(parseInstant("2026-12-01T09:30:00.250Z")).toBe(Date.parse("2026-12-01T09:30:00.250Z"))
    for (const bad of ["2026-12-01T09:30:00", "2026-02-31", "2026-13-01", "12/01/2026", "tomorrow", "", "1764547200000"]) {
      expect(parseInstant(bad), bad).toBeNull()
    }
  })

  it("durations: core's one grammar (the table is core's test/duration.test.ts), weeks and combinations included", () => {
    expect(parseDuration("30d")).toBe(30 * 86_400_000)
    expect(parseDuration("12h")).toBe(12 * 3_600_000)
    expect(parseDuration("90m")).toBe(90 * 60_000)
    expect(parseDuration("1w")).toBe(7 * 86_400_000)
    expect(parseDuration("1d12h")).toBe(36 * 3_600_000)
    for (const bad of ["30", "30 d", "1.5d", "-1d", "30days", "12h1d", ""]) expect(parseDuration(bad), bad).toBeNull()
  })
})
