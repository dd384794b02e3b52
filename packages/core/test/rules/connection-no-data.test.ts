import { describe, expect, it } from "vitest"
import { connectionNoData } from "@recert/core"
import { connection, DAY, input, iso, lineage, NOW } from "../fixtures.js"
import { decisionOf, findingsOf } from "./helpers.js"

const withStatus = (s: "no_data" | "not_supported" | "config_error" | "done", extra = {}) =>
  input(lineage([connection("link-1", { lastTaskStatus: s, lastStatusAt: iso(NOW - DAY), ...extra })]))

describe("connection.no-data", () => {
  it.each([["no_data", "new-order"], ["not_supported", "new-order"], ["config_error", "new-order"], ["done", "refresh"]] as const)("%s: %s", (s, verdict) => {
    expect(decisionOf(withStatus(s), NOW).verdict).toBe(verdict)
  })

  it("explains and costs nothing", () => {
    expect(findingsOf(connectionNoData, withStatus("no_data"), NOW)).toEqual([{
      code: "connection.no-data",
      effect: "new-order",
      connectionId: "link-1",
      message: "The last adp task ended in no_data; a refresh cannot produce data, start a new order or a manual check",
      data: { lastTaskStatus: "no_data", lastStatusAt: iso(NOW - DAY) }
    }])
    expect(decisionOf(withStatus("no_data"), NOW).cost).toEqual({ billedVerifications: 0, freeVerifications: 0, gseFreeRemaining: null })
  })

  it("is outranked by needs-user (precedence reauthenticate > new-order)", () => {
    const d = decisionOf(withStatus("no_data", { mfaOnEveryLogin: true }), NOW)
    expect(d.verdict).toBe("reauthenticate")
    expect(d.connections[0]!.reasons.map((r) => r.code)).toEqual(["connection.needs-user", "connection.no-data"])
  })

  it("a re-authentication after it clears it", () => {
    expect(decisionOf(withStatus("no_data", { authenticatedAt: iso(NOW - 1) }), NOW).verdict).toBe("refresh")
  })
})
