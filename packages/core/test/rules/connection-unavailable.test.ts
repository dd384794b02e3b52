import { describe, expect, it } from "vitest"
import { backoffDelay, connectionUnavailable, DEFAULT_POLICY_CONFIG, jitteredDelay } from "@recert/core"
import { attempt, connection, DAY, HOUR, input, iso, lineage, MINUTE, NOW } from "../fixtures.js"
import { decisionOf, findingsOf } from "./helpers.js"

/** A connection whose last `tries` refreshes ended unavailable, the last one resolved at `lastAt`. */
const failing = (tries: number, lastAt: number, status: "unavailable" | "error" = "unavailable") => {
  const ledger = Array.from({ length: tries }, (_, i) => {
    const at = lastAt - (tries - 1 - i) * 5 * HOUR
    return attempt(at, ["link-1"], { status: "failed", outcomes: { "link-1": status }, resolvedAt: iso(at) })
  })
  return input(lineage([connection("link-1", { lastTaskStatus: status, lastStatusAt: iso(lastAt) })]), ledger)
}

describe("connection.unavailable", () => {
  it("the backoff table (before jitter): 15 min, x2, capped at 24 h", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((n) => backoffDelay(DEFAULT_POLICY_CONFIG, n) / MINUTE))
      .toEqual([15, 30, 60, 120, 240, 480, 960, 1440, 1440, 1440])
  })

  it("jitter takes at most 20 % off, deterministically per connection and try", () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => jitteredDelay(DEFAULT_POLICY_CONFIG, "link-1", n)))
      .toEqual([830070, 1661547, 3325907, 6657439, 13326128, 26674757])
    for (let n = 1; n <= 8; n++) {
      const d = jitteredDelay(DEFAULT_POLICY_CONFIG, "link-1", n)
      expect(d).toBeLessThanOrEqual(backoffDelay(DEFAULT_POLICY_CONFIG, n))
      expect(d).toBeGreaterThanOrEqual(0.8 * backoffDelay(DEFAULT_POLICY_CONFIG, n))
    }
    expect(jitteredDelay({ ...DEFAULT_POLICY_CONFIG, backoff: { ...DEFAULT_POLICY_CONFIG.backoff, jitter: 0 } }, "link-1", 3)).toBe(HOUR)
  })

  it("status unavailable with no failed attempt in the ledger: try 1, wait 15 min minus jitter from the status", () => {
    const raw = input(lineage([connection("link-1", { lastTaskStatus: "unavailable", lastStatusAt: iso(NOW - 5 * MINUTE) })]))
    expect(findingsOf(connectionUnavailable, raw, NOW)).toEqual([{
      code: "connection.unavailable",
      effect: "wait",
      connectionId: "link-1",
      message: "adp was unavailable (try 1 of 6); retry after 2026-11-22T10:08:50.070Z, in 9 min",
      data: { lastTaskStatus: "unavailable", tries: 1, maxTries: 6, lastFailureAt: iso(NOW - 5 * MINUTE), retryAt: "2026-11-22T10:08:50.070Z" },
      until: NOW - 5 * MINUTE + 830070
    }])
    const d = decisionOf(raw, NOW)
    expect([d.verdict, d.nextEligibleAt]).toEqual(["wait", "2026-11-22T10:08:50.070Z"])
  })

  it.each([
    [1, 830070], [2, 1661547], [3, 3325907], [4, 6657439], [5, 13326128]
  ] as const)("try %i: wait %i ms after the last failure", (tries, delay) => {
    const raw = failing(tries, NOW - MINUTE)
    const f = findingsOf(connectionUnavailable, raw, NOW)
    expect(f.map((x) => [x.effect, x.until, x.data["tries"]])).toEqual([["wait", NOW - MINUTE + delay, tries]])
  })

  it("try 5 still waits; after the 6th failure: stop retrying, new order", () => {
    expect(decisionOf(failing(5, NOW - MINUTE), NOW).verdict).toBe("wait")
    const six = failing(6, NOW - MINUTE)
    expect(findingsOf(connectionUnavailable, six, NOW)).toEqual([{
      code: "connection.unavailable",
      effect: "new-order",
      connectionId: "link-1",
      message: "adp was unavailable on 6 consecutive tries (limit 6); stop retrying and start a new order",
      data: { lastTaskStatus: "unavailable", tries: 6, maxTries: 6, lastFailureAt: iso(NOW - MINUTE) }
    }])
    expect(decisionOf(six, NOW).verdict).toBe("new-order")
  })

  it("Truv's generic error is not read as unavailable: it may need the user, so no backoff retry (issue 14)", () => {
    const raw = failing(2, NOW - MINUTE, "error")
    expect(findingsOf(connectionUnavailable, raw, NOW)).toEqual([])
    const d = decisionOf(raw, NOW)
    expect([d.verdict, d.nextEligibleAt, d.connections[0]!.reasons.map((r) => r.code)]).toEqual(["reauthenticate", null, ["connection.needs-user"]])
  })

  it("once the backoff has run out, the retry is allowed (a warning remains)", () => {
    const raw = failing(1, NOW - 830070)
    const d = decisionOf(raw, NOW)
    expect(d.verdict).toBe("refresh")
    expect(d.warnings.map((w) => [w.code, w.message])).toEqual([[
      "connection.unavailable", "adp was unavailable (try 1 of 6); the backoff ended 2026-11-22T10:00:00.000Z, so this refresh is a retry"
    ]])
    expect(decisionOf(raw, NOW - 1).verdict).toBe("wait")
  })

  it("a success breaks the run of failures", () => {
    const ledger = [
      attempt(NOW - 30 * HOUR, ["link-1"], { status: "failed", outcomes: { "link-1": "unavailable" } }),
      attempt(NOW - 29 * HOUR),
      attempt(NOW - 2 * HOUR, ["link-1"], { status: "failed", outcomes: { "link-1": "unavailable" }, resolvedAt: iso(NOW - 2 * HOUR) })
    ]
    const raw = input(lineage([connection("link-1", { lastTaskStatus: "unavailable", lastStatusAt: iso(NOW - 2 * HOUR) })]), ledger)
    expect(findingsOf(connectionUnavailable, raw, NOW)[0]!.data["tries"]).toBe(1)
  })

  it("a re-authentication after the failure clears it", () => {
    const raw = input(lineage([connection("link-1", { lastTaskStatus: "unavailable", lastStatusAt: iso(NOW - MINUTE), authenticatedAt: iso(NOW - 1) })]))
    expect(findingsOf(connectionUnavailable, raw, NOW)).toEqual([])
  })

  it("reads the backoff from the configuration", () => {
    const raw = failing(2, NOW - MINUTE)
    const config = { backoff: { baseMinutes: 60, factor: 3, jitter: 0, maxTries: 3, capHours: 24 } }
    expect(findingsOf(connectionUnavailable, raw, NOW, config)[0]!.until).toBe(NOW - MINUTE + 3 * HOUR)
    expect(findingsOf(connectionUnavailable, failing(3, NOW - MINUTE), NOW, config)[0]!.effect).toBe("new-order")
    expect(findingsOf(connectionUnavailable, failing(1, NOW - DAY), NOW, { backoff: { capHours: 0.1, jitter: 0 } })[0]!.effect).toBe("warn")
  })
})
