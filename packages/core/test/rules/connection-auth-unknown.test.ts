import { describe, expect, it } from "vitest"
import { connectionAuthUnknown } from "@recert/core"
import { connection, DAY, input, iso, lineage, NOW } from "../fixtures.js"
import { decisionOf, findingsOf } from "./helpers.js"

describe("connection.auth-unknown", () => {
  it.each([["oauth", 0], ["session", 1], ["unknown", 1]] as const)("%s connection: %i warning(s)", (authKind, count) => {
    expect(findingsOf(connectionAuthUnknown, input(lineage([connection("link-1", { authKind })])), NOW)).toHaveLength(count)
  })

  it("warns with the risk and still refreshes", () => {
    const raw = input(lineage([connection("link-1", { authKind: "session", provider: "workday", authenticatedAt: iso(NOW - 300 * DAY) })]))
    const d = decisionOf(raw, NOW)
    expect(d.verdict).toBe("refresh")
    expect(d.warnings).toEqual([{
      code: "connection.auth-unknown",
      message: "Session-based connection (workday) authenticated 2026-01-26 has no fixed validity; the refresh may fail",
      data: { connectionId: "link-1", authKind: "session", provider: "workday", authenticatedAt: iso(NOW - 300 * DAY) }
    }])
  })

  it("names an unknown-kind connection as such", () => {
    const f = findingsOf(connectionAuthUnknown, input(lineage([connection("link-1", { authKind: "unknown" })])), NOW)
    expect(f[0]!.message).toBe("Unknown-kind connection (adp) authenticated 2026-10-23 has no fixed validity; the refresh may fail")
  })
})
