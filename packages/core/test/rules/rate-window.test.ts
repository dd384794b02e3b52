import { describe, expect, it } from "vitest"
import { type AttemptStatus, rateWindow } from "@recert/core"
import { attempt, connection, DAY, HOUR, input, iso, lineage, NOW } from "../fixtures.js"
import { decisionOf, findingsOf } from "./helpers.js"

const W = 24 * HOUR
/** Truv's own boundary, without the clock guard (clock-guard.test.ts moves it by the guard). */
const EXACT = { clockGuardSeconds: 0 }

describe("rate.window", () => {
  it.each([
    ["exactly 24 h ago: no longer counts", [NOW - W, NOW - 2 * HOUR, NOW - HOUR], 1, "refresh"],
    ["24 h - 1 ms ago: still counts", [NOW - W + 1, NOW - 2 * HOUR, NOW - HOUR], 0, "wait"],
    ["exactly now: counts", [NOW - 3 * HOUR, NOW - 2 * HOUR, NOW], 0, "wait"],
    ["1 ms after now: ignored (what-if)", [NOW - 3 * HOUR, NOW - 2 * HOUR, NOW + 1], 1, "refresh"],
    ["two in the window", [NOW - 3 * HOUR, NOW - 2 * HOUR], 1, "refresh"],
    ["none", [], 3, "refresh"],
    ["all three older than the window", [NOW - 3 * DAY, NOW - 2 * DAY, NOW - W], 3, "refresh"]
  ] as const)("%s", (_name, times, remaining, verdict) => {
    const raw = input(lineage(), times.map((t) => attempt(t)))
    const d = decisionOf(raw, NOW, EXACT)
    expect(d.verdict).toBe(verdict)
    expect(d.connections[0]!.remainingInWindow).toBe(remaining)
    expect(findingsOf(rateWindow, raw, NOW, EXACT).length).toBe(verdict === "wait" ? 1 : 0)
  })

  it("at the limit: wait until the limit-th most recent counted refresh leaves the window, with exact data", () => {
    const raw = input(lineage(), [attempt(NOW - W + 1), attempt(NOW - 2 * HOUR), attempt(NOW - HOUR)])
    expect(findingsOf(rateWindow, raw, NOW, EXACT)).toEqual([{
      code: "rate.window",
      effect: "wait",
      connectionId: "link-1",
      message: "3 refreshes of this connection in the last 24 h (limit 3); the next is allowed at 2026-11-22T10:00:00.001Z, in 1 min",
      data: {
        counted: 3, limit: 3, windowHours: 24, clockGuardSeconds: 0,
        refreshes: [iso(NOW - HOUR), iso(NOW - 2 * HOUR), iso(NOW - W + 1)],
        nextEligibleAt: "2026-11-22T10:00:00.001Z"
      },
      until: NOW + 1
    }])
    const d = decisionOf(raw, NOW, EXACT)
    expect(d.verdict).toBe("wait")
    expect(d.nextEligibleAt).toBe("2026-11-22T10:00:00.001Z")
    expect(decisionOf(raw, NOW + 1, EXACT).verdict).toBe("refresh")
  })

  it.each([
    ["reserved", true], ["sent", true], ["succeeded", true], ["failed", true], ["unknown", true], ["rejected", false]
  ] as const)("an attempt %s counts: %s", (status: AttemptStatus, counts) => {
    // In-flight statuses would also trigger refresh.in-flight; use another product for them so only the window is tested.
    const product = status === "reserved" || status === "sent" || status === "unknown" ? "employment" as const : "income" as const
    const raw = input(lineage(), [0, 1, 2].map((i) => attempt(NOW - (i + 1) * HOUR, ["link-1"], { status, product })))
    expect(findingsOf(rateWindow, raw, NOW).length).toBe(counts ? 1 : 0)
    expect(decisionOf(raw, NOW).connections[0]!.remainingInWindow).toBe(counts ? 0 : 3)
  })

  it("a refresh Truv rejected for the limit does not use a slot; one of unknown outcome does", () => {
    const ledger = [
      attempt(NOW - 3 * HOUR),
      attempt(NOW - 2 * HOUR, ["link-1"], { status: "rejected", rejection: "refresh-limit" }),
      attempt(NOW - 90 * 60_000, ["link-1"], { status: "unknown", product: "employment" })
    ]
    expect(decisionOf(input(lineage(), ledger), NOW).connections[0]!.remainingInWindow).toBe(1)
  })

  it("more than the limit counted (unknown outcomes): the next slot is the limit-th most recent + window", () => {
    const times = [NOW - 20 * HOUR, NOW - 10 * HOUR, NOW - 5 * HOUR, NOW - HOUR]
    const raw = input(lineage(), times.map((t) => attempt(t, ["link-1"], { status: "failed" })))
    const d = decisionOf(raw, NOW, EXACT)
    expect(d.nextEligibleAt).toBe(iso(NOW - 10 * HOUR + W))
    expect(d.connections[0]!.remainingInWindow).toBe(0)
  })

  it("counts per connection (access token): one connection at the limit does not block the other", () => {
    const raw = input(lineage([connection("link-1"), connection("link-2")]), [1, 2, 3].map((h) => attempt(NOW - h * HOUR, ["link-1"])))
    const d = decisionOf(raw, NOW)
    expect(d.connections.map((c) => [c.connectionId, c.verdict, c.remainingInWindow])).toEqual([["link-1", "wait", 0], ["link-2", "refresh", 3]])
    expect(d.request?.employers).toEqual([{ id: "sub-link-2" }])
  })

  it("an attempt for two connections uses a slot of each", () => {
    const raw = input(lineage([connection("link-1"), connection("link-2")]), [attempt(NOW - HOUR, ["link-1", "link-2"])])
    expect(decisionOf(raw, NOW).connections.map((c) => c.remainingInWindow)).toEqual([2, 2])
  })

  it("reads the limit and window from the configuration", () => {
    const raw = input(lineage(), [attempt(NOW - 11 * HOUR), attempt(NOW - 13 * HOUR)])
    expect(findingsOf(rateWindow, raw, NOW, { ...EXACT, rateWindow: { limit: 2, windowHours: 12 } })).toEqual([])
    expect(findingsOf(rateWindow, raw, NOW, { ...EXACT, rateWindow: { limit: 2, windowHours: 14 } })[0]!.until).toBe(NOW - 13 * HOUR + 14 * HOUR)
  })
})
