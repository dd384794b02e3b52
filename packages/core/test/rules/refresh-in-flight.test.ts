import { describe, expect, it } from "vitest"
import { refreshInFlight } from "@recert/core"
import { attempt, connection, HOUR, input, iso, lineage, MINUTE, NOW } from "../fixtures.js"
import { decisionOf, findingsOf } from "./helpers.js"

describe("refresh.in-flight", () => {
  it.each([
    ["reserved", true], ["sent", true], ["unknown", true], ["succeeded", false], ["failed", false], ["rejected", false]
  ] as const)("an attempt %s of the same product blocks: %s", (status, blocks) => {
    const raw = input(lineage(), [attempt(NOW - 5 * MINUTE, ["link-1"], { status })])
    expect(findingsOf(refreshInFlight, raw, NOW)).toHaveLength(blocks ? 1 : 0)
  })

  it("waits until at + recheck while that is ahead, with exact data", () => {
    const raw = input(lineage(), [attempt(NOW - 5 * MINUTE, ["link-1"], { id: "att-x", status: "sent" })])
    expect(findingsOf(refreshInFlight, raw, NOW)).toEqual([{
      code: "refresh.in-flight",
      effect: "wait",
      connectionId: null,
      message: `A income refresh made ${iso(NOW - 5 * MINUTE)} is still sent; wait for it to resolve`,
      data: { attemptId: "att-x", status: "sent", at: iso(NOW - 5 * MINUTE), inFlight: 1 },
      until: NOW + 15 * MINUTE
    }])
  })

  it("an old unresolved attempt: look again recheck from now", () => {
    const raw = input(lineage(), [attempt(NOW - 3 * HOUR, ["link-1"], { status: "unknown" })])
    expect(findingsOf(refreshInFlight, raw, NOW)[0]!.until).toBe(NOW + 20 * MINUTE)
    expect(findingsOf(refreshInFlight, raw, NOW, { inFlightRecheckMinutes: 5 })[0]!.until).toBe(NOW + 5 * MINUTE)
  })

  it("blocks the whole lineage (every connection waits) and names the latest attempt", () => {
    const raw = input(lineage([connection("link-1"), connection("link-2")]), [
      attempt(NOW - 10 * MINUTE, ["link-1"], { id: "a1", status: "reserved" }),
      attempt(NOW - 2 * MINUTE, ["link-2"], { id: "a2", status: "sent" })
    ])
    const d = decisionOf(raw, NOW)
    expect(d.verdict).toBe("wait")
    expect(d.connections.map((c) => [c.verdict, c.nextEligibleAt])).toEqual([["wait", iso(NOW + 18 * MINUTE)], ["wait", iso(NOW + 18 * MINUTE)]])
    expect(d.reasons.map((r) => [r.code, r.data["attemptId"], r.data["inFlight"]])).toEqual([["refresh.in-flight", "a2", 2]])
  })

  it("another product does not block; an attempt after now is ignored", () => {
    expect(findingsOf(refreshInFlight, input(lineage(), [attempt(NOW - MINUTE, ["link-1"], { status: "sent", product: "employment" })]), NOW)).toEqual([])
    expect(findingsOf(refreshInFlight, input(lineage(), [attempt(NOW + 1, ["link-1"], { status: "sent" })]), NOW)).toEqual([])
  })
})
