import { describe, expect, it } from "vitest"
import { gseFreeQuota } from "@recert/core"
import { attempt, connection, DAY, HOUR, input, iso, lineage, NOW } from "../fixtures.js"
import { decisionOf, findingsOf } from "./helpers.js"

const ROOT = NOW - 60 * DAY
/** A GSE lineage (root 60 days before NOW) with `n` counted refresh requests spread over its first days. */
const gse = (n: number, extra: Parameters<typeof attempt>[2] = {}, connections = [connection("link-1")]) =>
  input(lineage(connections, { gse: true }), Array.from({ length: n }, (_, i) => attempt(ROOT + (i + 1) * 2 * DAY, connections.map((c) => c.id), extra)))

describe("gse.free-quota", () => {
  it.each([
    [0, 5, 1, 0], [4, 1, 1, 0], [5, 0, 0, 1]
  ] as const)("%i used: %i free left; this refresh is %i free, %i billed", (used, left, free, billed) => {
    expect(decisionOf(gse(used), NOW).cost).toEqual({ billedVerifications: billed, freeVerifications: free, gseFreeRemaining: left })
  })

  it("the 5th refresh is free, the 6th is billed with a warning (default: bill)", () => {
    const d = decisionOf(gse(5), NOW)
    expect(d.verdict).toBe("refresh")
    expect(d.warnings).toEqual([{
      code: "gse.free-quota",
      message: "All 5 free GSE re-verifications of this order are used; this refresh is billed",
      data: { used: 5, freeRefreshes: 5, windowDays: 90, windowEndsAt: iso(ROOT + 90 * DAY), clockGuardSeconds: 120, onQuotaExceeded: "bill" }
    }])
  })

  it("onQuotaExceeded: block waits with no eligible instant", () => {
    const d = decisionOf(gse(5), NOW, { gse: { onQuotaExceeded: "block" } })
    expect([d.verdict, d.nextEligibleAt, d.connections[0]!.nextEligibleAt]).toEqual(["wait", null, null])
    expect(d.reasons[0]!.message).toBe("All 5 free GSE re-verifications of this order are used, and the policy blocks billed GSE refreshes; no later instant makes it free")
  })

  it("counts refresh requests, not connections", () => {
    const d = decisionOf(gse(4, {}, [connection("link-1"), connection("link-2"), connection("link-3")]), NOW)
    expect(d.cost).toEqual({ billedVerifications: 0, freeVerifications: 3, gseFreeRemaining: 1 })
  })

  it("rejected requests do not count; unknown ones do", () => {
    expect(decisionOf(gse(5, { status: "rejected", rejection: "refresh-limit" }), NOW).cost.gseFreeRemaining).toBe(5)
    expect(decisionOf(gse(5, { status: "unknown", product: "employment" }), NOW).cost.gseFreeRemaining).toBe(0)
  })

  it("the 90-day window (without the clock guard): free until root + 90 d - 1 ms, billed from root + 90 d", () => {
    const end = ROOT + 90 * DAY
    const exact = { clockGuardSeconds: 0 }
    expect(decisionOf(gse(0), end - 1, exact).cost).toEqual({ billedVerifications: 0, freeVerifications: 1, gseFreeRemaining: 5 })
    expect(decisionOf(gse(0), end, exact).cost).toEqual({ billedVerifications: 1, freeVerifications: 0, gseFreeRemaining: 0 })
    expect(findingsOf(gseFreeQuota, gse(0), end, exact)[0]!.message).toBe(`The 90-day free window of this GSE order ended ${iso(end)}; this refresh is billed`)
  })

  it("a refresh at exactly root + 90 d is outside the window and does not use the quota", () => {
    const l = lineage([connection("link-1")], { gse: true })
    const raw = input(l, [attempt(ROOT + 90 * DAY, ["link-1"]), attempt(ROOT + 90 * DAY - 1, ["link-1"])])
    expect(findingsOf(gseFreeQuota, raw, ROOT + 90 * DAY)[0]!.data["used"]).toBe(1)
  })

  it("a lineage that is not GSE has no quota", () => {
    expect(decisionOf(input(), NOW).cost).toEqual({ billedVerifications: 1, freeVerifications: 0, gseFreeRemaining: null })
    expect(findingsOf(gseFreeQuota, input(), NOW)).toEqual([])
  })

  it("reads the quota from the configuration", () => {
    expect(decisionOf(gse(2), NOW, { gse: { freeRefreshes: 2 } }).cost.billedVerifications).toBe(1)
    expect(decisionOf(gse(0), NOW, { gse: { windowDays: 30 } }).cost.gseFreeRemaining).toBe(0)
    expect(decisionOf(gse(0), ROOT + 30 * DAY - HOUR, { gse: { windowDays: 30 } }).cost.gseFreeRemaining).toBe(5)
  })
})
