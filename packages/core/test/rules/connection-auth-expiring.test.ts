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

describe("connection.auth-expiring with a safety margin (timing.expiryMarginHours)", () => {
  const HOUR = DAY / 24
  const MARGIN = { clockGuardSeconds: 0, timing: { expiryMarginHours: 48 } }

  it.each([
    ["expires in 48 h + 1 ms: a warning, the connection is refreshed", 48 * HOUR + 1, "warn", "refresh"],
    ["expires in exactly 48 h: within the margin, the client is asked", 48 * HOUR, "reauthenticate", "reauthenticate"],
    ["expires in 1 ms: within the margin", 1, "reauthenticate", "reauthenticate"],
    ["expires now: expired (connection.auth-expired), not expiring", 0, null, "reauthenticate"],
    ["expires in 20 days: outside warning and margin", 20 * DAY, null, "refresh"]
  ] as const)("%s", (_name, left, effect, verdict) => {
    const findings = findingsOf(connectionAuthExpiring, expiringIn(left), NOW, MARGIN)
    expect(findings.map((f) => f.effect)).toEqual(effect === null ? [] : [effect])
    expect(decisionOf(expiringIn(left), NOW, MARGIN).verdict).toBe(verdict)
  })

  it("says when the refresh was due, with the numbers; the margin is measured from the guarded expiry", () => {
    const [f] = findingsOf(connectionAuthExpiring, expiringIn(47 * HOUR), NOW, MARGIN)
    expect(f!.message).toBe("OAuth connection expires 2026-11-24T09:00:00.000Z, in 47 h, within the 48 h safety margin (refresh by 2026-11-22T09:00:00.000Z); a refresh could fail and would be billed, so the client is asked to log in again")
    expect(f!.data).toEqual({ expiresAt: "2026-11-24T09:00:00.000Z", refreshBy: "2026-11-22T09:00:00.000Z", marginHours: 48, clockGuardSeconds: 0 })
    // With the default 120 s guard, 48 h + 1 ms is inside too (the margin starts 120 s earlier).
    expect(findingsOf(connectionAuthExpiring, expiringIn(48 * HOUR + 1), NOW, { timing: { expiryMarginHours: 48 } })[0]!.effect).toBe("reauthenticate")
    expect(findingsOf(connectionAuthExpiring, expiringIn(48 * HOUR + 120_000 + 1), NOW, { timing: { expiryMarginHours: 48 } })[0]!.effect).toBe("warn")
  })

  it("without timing configured the margin is off (the default behaviour of before)", () => {
    expect(findingsOf(connectionAuthExpiring, expiringIn(HOUR), NOW, EXACT)[0]!.effect).toBe("warn")
  })
})
