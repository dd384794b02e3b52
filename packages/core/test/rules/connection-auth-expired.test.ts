import { describe, expect, it } from "vitest"
import { connectionAuthExpired } from "@recert/core"
import { connection, DAY, input, iso, lineage, NOW } from "../fixtures.js"
import { decisionOf, findingsOf } from "./helpers.js"

const at = (authenticatedAt: number, authKind: "oauth" | "session" | "unknown" = "oauth") =>
  input(lineage([connection("link-1", { authenticatedAt: iso(authenticatedAt), authKind })]))

/** Truv's own boundary, without the clock guard (clock-guard.test.ts moves it by the guard). */
const EXACT = { clockGuardSeconds: 0 }

describe("connection.auth-expired", () => {
  it.each([
    ["exactly 180 days ago: expired", NOW - 180 * DAY, "oauth", "reauthenticate"],
    ["180 days - 1 ms ago: still valid", NOW - 180 * DAY + 1, "oauth", "refresh"],
    ["235 days ago", NOW - 235 * DAY, "oauth", "reauthenticate"],
    ["yesterday", NOW - DAY, "oauth", "refresh"],
    ["session-based, 400 days ago: no fixed validity", NOW - 400 * DAY, "session", "refresh"],
    ["unknown kind, 400 days ago", NOW - 400 * DAY, "unknown", "refresh"]
  ] as const)("%s", (_name, authenticatedAt, kind, verdict) => {
    const d = decisionOf(at(authenticatedAt, kind), NOW, EXACT)
    expect(d.verdict).toBe(verdict)
    expect(d.nextEligibleAt).toBeNull()
  })

  it("explains with the numbers", () => {
    const authenticatedAt = Date.parse("2026-04-01T10:00:00.000Z")
    expect(findingsOf(connectionAuthExpired, at(authenticatedAt), NOW)).toEqual([{
      code: "connection.auth-expired",
      effect: "reauthenticate",
      connectionId: "link-1",
      message: "OAuth connection last authenticated 2026-04-01, 235 days ago (valid 180)",
      data: { authenticatedAt: "2026-04-01T10:00:00.000Z", validityDays: 180, expiredAt: "2026-09-28T10:00:00.000Z", clockGuardSeconds: 120 }
    }])
  })

  it("reads the validity from the configuration", () => {
    expect(findingsOf(connectionAuthExpired, at(NOW - 90 * DAY), NOW, { ...EXACT, oauthValidityDays: 90 })).toHaveLength(1)
    expect(findingsOf(connectionAuthExpired, at(NOW - 90 * DAY + 1), NOW, { ...EXACT, oauthValidityDays: 90 })).toHaveLength(0)
  })

  it("an expired connection is never in the request; the others are", () => {
    const raw = input(lineage([connection("link-1", { authenticatedAt: iso(NOW - 200 * DAY) }), connection("link-2")]))
    const d = decisionOf(raw, NOW)
    expect(d.request).toEqual({ orderId: "ord-1", products: ["income"], employers: [{ id: "sub-link-2" }] })
    expect(d.connections.map((c) => c.verdict)).toEqual(["reauthenticate", "refresh"])
  })
})
