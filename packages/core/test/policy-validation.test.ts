/**
 * The policy configuration is validated to the bottom: an unknown key at any depth is refused at
 * its own path with a hint, and every duration is bounded so no instant the engine computes
 * leaves JS Date's range (a huge validity used to crash `decide` and `safeDecide` with a
 * `RangeError`).
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { decide, didYouMean, InvalidInput, parsePolicyConfig, type PolicyConfigInput, POLICY_LIMITS, safeDecide } from "@recert/core"
import { attempt, connection, input, iso, lineage, NOW } from "./fixtures.js"

const issuesOf = (config: unknown): ReadonlyArray<{ path: string; message: string }> => {
  try {
    parsePolicyConfig(config)
  } catch (e) {
    if (e instanceof InvalidInput) return e.issues
    throw e
  }
  return []
}

describe("policy configuration: unknown keys at every level", () => {
  it.each([
    [{ oauthValidityDay: 90 }, "oauthValidityDay", "unknown key (did you mean oauthValidityDays?)"],
    [{ rateWindow: { limt: 1 } }, "rateWindow.limt", "unknown key (did you mean limit?)"],
    [{ gse: { OnQuotaExceeded: "block" } }, "gse.OnQuotaExceeded", "unknown key (did you mean onQuotaExceeded?)"],
    [{ backoff: { maxRetries: 2 } }, "backoff.maxRetries", "unknown key (did you mean maxTries?)"],
    [{ backoff: { colour: "blue" } }, "backoff.colour", "unknown key"],
    [{ results: { income: { percnt: 5 } } }, "results.income.percnt", "unknown key (did you mean percent?)"],
    [{ results: { window: { kind: "last-days", day: 30 } } }, "results.window.day", "unknown key (did you mean days?)"],
    [{ results: { noPayDay: 30 } }, "results.noPayDay", "unknown key (did you mean noPayDays?)"]
  ] as const)("%j is refused at %s", (config, path, message) => {
    expect(issuesOf(config)).toContainEqual({ path, message })
  })

  it("a misspelt nested key no longer decides with the defaults", () => {
    // limit 1 with one refresh an hour ago is a wait; the misspelling used to give the default 3: refresh.
    const raw = input(lineage(), [attempt(NOW - 3_600_000)])
    expect(decide(raw, { now: NOW, config: { rateWindow: { limit: 1 } } }).verdict).toBe("wait")
    const r = safeDecide(raw, { now: NOW, config: { rateWindow: { limitt: 1 } } as PolicyConfigInput })
    expect(r).toEqual({ ok: false, issues: [{ path: "rateWindow.limitt", message: "unknown key (did you mean limit?)" }] })
  })

  it("didYouMean: another case, or at most two edits (one for short names)", () => {
    expect(didYouMean("CaseId", ["id", "caseId"])).toBe("caseId")
    expect(didYouMean("DUEAT", ["id", "dueAt"])).toBe("dueAt")
    expect(didYouMean("windowHour", ["limit", "windowHours"])).toBe("windowHours")
    expect(didYouMean("idd", ["id", "cycle"])).toBe("id")
    expect(didYouMean("ab", ["id"])).toBeUndefined()
    expect(didYouMean("colour", ["concurrency", "workerId"])).toBeUndefined()
  })
})

describe("policy configuration: ranges that cannot overflow time arithmetic", () => {
  it.each([
    ["oauthValidityDays", { oauthValidityDays: 1e9 }, "at most 3650 days"],
    ["expiringWarningDays", { expiringWarningDays: 1e12 }, "at most 3650 days"],
    ["rateWindow.windowHours", { rateWindow: { windowHours: 1e15 } }, "at most 87600 hours"],
    ["gse.windowDays", { gse: { windowDays: 1e10 } }, "at most 3650 days"],
    ["backoff.baseMinutes", { backoff: { baseMinutes: 1e13 } }, "at most 5256000 minutes"],
    ["backoff.capHours", { backoff: { capHours: 1e13 } }, "at most 87600 hours"],
    ["inFlightRecheckMinutes", { inFlightRecheckMinutes: 1e13 }, "at most 5256000 minutes"],
    ["leadTimeDays", { leadTimeDays: 1e9 }, "at most 3650 days"],
    ["clockGuardSeconds", { clockGuardSeconds: 86_401 }, "at most 86400 seconds"]
  ] as const)("%s beyond its bound is refused by name", (path, config, message) => {
    expect(issuesOf(config)).toEqual([{ path, message }])
  })

  it("the validity that used to throw RangeError from decide and safeDecide is an InvalidInput / ok: false", () => {
    const raw = input()
    expect(() => decide(raw, { now: NOW, config: { oauthValidityDays: 1e9 } })).toThrow(InvalidInput)
    expect(safeDecide(raw, { now: NOW, config: { oauthValidityDays: 1e9 } })).toEqual({
      ok: false, issues: [{ path: "oauthValidityDays", message: "at most 3650 days" }]
    })
  })

  it("epoch milliseconds beyond year 9999 are refused as `now`", () => {
    expect(safeDecide(input(), { now: 8.64e15 })).toEqual({
      ok: false, issues: [{ path: "now", message: "not an instant with a time zone in years 0000-9999: 8640000000000000" }]
    })
  })

  // Every field at any value up to its bound, instants at the ends of the years 0000-9999: the
  // engine answers, never throws.
  it("safeDecide never throws and decides at every bound and every instant", () => {
    const L = POLICY_LIMITS
    const config = fc.record({
      oauthValidityDays: fc.double({ min: 0.001, max: L.days, noNaN: true }),
      expiringWarningDays: fc.double({ min: 0, max: L.days, noNaN: true }),
      leadTimeDays: fc.double({ min: 0, max: L.days, noNaN: true }),
      clockGuardSeconds: fc.double({ min: 0, max: L.guardSeconds, noNaN: true }),
      inFlightRecheckMinutes: fc.double({ min: 0.001, max: L.minutes, noNaN: true }),
      rateWindow: fc.record({ limit: fc.integer({ min: 1, max: L.count }), windowHours: fc.double({ min: 0.001, max: L.hours, noNaN: true }) }),
      gse: fc.record({ freeRefreshes: fc.integer({ min: 0, max: L.count }), windowDays: fc.double({ min: 0.001, max: L.days, noNaN: true }) }),
      backoff: fc.record({
        baseMinutes: fc.double({ min: 0.001, max: L.minutes, noNaN: true }), factor: fc.double({ min: 1, max: L.factor, noNaN: true }),
        capHours: fc.double({ min: 0.001, max: L.hours, noNaN: true }), maxTries: fc.integer({ min: 1, max: L.count })
      })
    })
    const FIRST = Date.parse("0000-01-01T00:00:00.000Z")
    const LAST = Date.parse("9999-12-31T23:59:59.999Z")
    const instant = fc.oneof(fc.constant(FIRST), fc.constant(LAST), fc.integer({ min: FIRST, max: LAST }))
    fc.assert(fc.property(config, instant, instant, fc.constantFrom("done", "unavailable", "login_error"), fc.boolean(), (c, at, now, status, gse) => {
      const raw = input(lineage([connection("link-1", { authenticatedAt: iso(at), lastTaskStatus: status, lastStatusAt: iso(at) })], {
        gse, orders: [{ id: "ord-1", parentId: null, createdAt: iso(at) }]
      }), [attempt(at, ["link-1"], { status: "failed", outcomes: { "link-1": status }, resolvedAt: iso(at) })])
      const r = safeDecide(raw, { now, config: c })
      expect(r.ok).toBe(true)
    }), { numRuns: 300 })
  })
})

