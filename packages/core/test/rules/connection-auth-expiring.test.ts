import { describe, expect, it } from "vitest"
import { connectionAuthExpiring } from "@recert/core"
import { connection, DAY, input, iso, lineage, NOW } from "../fixtures.js"
import { decisionOf, findingsOf } from "./helpers.js"

/** A connection that expires `left` ms after NOW. */
const expiringIn = (left: number, authKind: "oauth" | "session" = "oauth") =>
  input(lineage([connection("link-1", { authenticatedAt: iso(NOW + left - 180 * DAY), authKind })]))

/** Truv's own boundary, without the clock guard (clock-guard.test.ts moves it by the guard). */
const EXACT = { clockGuardSeconds: 0 }

describe("connection.auth-expiring", () => {
  it.each([
    ["expires in exactly 14 days: warned", 14 * DAY, 1],
    ["in 14 days + 1 ms: not yet", 14 * DAY + 1, 0],
    ["in 1 ms: warned", 1, 1],
    ["expires exactly now: expired, not expiring", 0, 0],
    ["in 100 days", 100 * DAY, 0]
  ] as const)("%s", (_name, left, count) => {
    expect(findingsOf(connectionAuthExpiring, expiringIn(left), NOW, EXACT)).toHaveLength(count)
  })

  it("is a warning only: the connection is still refreshed, and the warning names it", () => {
    const d = decisionOf(expiringIn(DAY), NOW)
    expect(d.verdict).toBe("refresh")
    expect(d.warnings).toEqual([{
      code: "connection.auth-expiring",
      message: "OAuth connection expires 2026-11-23, in 1 day; ask the user to re-authenticate soon",
      data: { connectionId: "link-1", expiresAt: "2026-11-23T10:00:00.000Z", warningDays: 14 }
    }])
  })

  it("says 14 days at the edge", () => {
    expect(findingsOf(connectionAuthExpiring, expiringIn(14 * DAY), NOW)[0]!.message)
      .toBe("OAuth connection expires 2026-12-06, in 14 days; ask the user to re-authenticate soon")
  })

  it("never warns for session connections, and reads the warning from the configuration", () => {
    expect(findingsOf(connectionAuthExpiring, expiringIn(DAY, "session"), NOW)).toHaveLength(0)
    expect(findingsOf(connectionAuthExpiring, expiringIn(20 * DAY), NOW, { expiringWarningDays: 30 })).toHaveLength(1)
    expect(findingsOf(connectionAuthExpiring, expiringIn(DAY), NOW, { expiringWarningDays: 0 })).toHaveLength(0)
  })
})
