/**
 * Truv's limits in the simulator's model: a night's requests minute by minute against the budget
 * (the scheduler's limiter spreads them; a client without one is refused beyond the budget and
 * sends again the next minute), and the per-connection refresh limit (a 4th refresh inside a
 * rolling 24 h is refused, as the sandbox's `countInWindow` counts).
 */
import { describe, expect, it } from "vitest"
import { DEFAULT_POLICY_CONFIG, DEFAULT_SIMULATION, MinuteLedger, PolicyConfig, RefreshLimit, simulate, spreadNight } from "../../src/index.js"

const HOUR = 3_600_000

describe("spreadNight: one night's requests, minute by minute", () => {
  it.each([
    // requests, budget, limited, sent per minute, peak, minutes over, throttled, longest run
    [0, 300, true, [], 0, 0, 0, 0],
    [1, 300, true, [1], 1, 0, 0, 1],
    [300, 300, true, [300], 300, 0, 0, 1],
    [301, 300, true, [300, 1], 300, 0, 0, 2],
    [900, 300, true, [300, 300, 300], 300, 0, 0, 3],
    [901, 300, true, [300, 300, 300, 1], 300, 0, 0, 4],
    [300, 300, false, [300], 300, 0, 0, 1],
    [301, 300, false, [301, 1], 301, 1, 1, 2],
    [700, 300, false, [700, 400, 100], 700, 2, 500, 3]
  ] as const)("%i requests, budget %i, limiter %s → %j", (requests, budget, limited, sent, peak, minutesOver, throttled, longestRun) => {
    expect(spreadNight(requests, budget, limited)).toEqual({ sent, peak, minutesOver, throttled, longestRun })
  })

  it("what waits at midnight goes first the next day (150 left of 450, then 300 more wanted: 300, 150)", () => {
    const m = new MinuteLedger(300, true)
    m.add(1_439, 450)
    m.endDay()
    expect(m.lastDay[1_439]).toBe(300)
    m.add(0, 200)
    m.add(1, 100)
    m.endDay()
    expect([m.lastDay[0], m.lastDay[1], m.lastDay[2]]).toEqual([300, 150, 0])
    m.finish()
    expect(m.figures()).toEqual({ peak: 300, minutesOver: 0, throttled: 0, longestRun: 3 })
  })
})

describe("RefreshLimit: 3 refreshes per connection per rolling 24 h", () => {
  it.each([
    // instants (hours) of the refreshes asked, which Truv accepts
    [[0, 1, 2, 3], [true, true, true, false]],
    [[0, 1, 2, 23.999], [true, true, true, false]],
    [[0, 1, 2, 24], [true, true, true, true]],
    [[0, 1, 2, 3, 24, 25], [true, true, true, false, true, true]],
    [[0, 24, 48, 72], [true, true, true, true]]
  ] as const)("refreshes at %j h → %j", (hours, accepted) => {
    const r = new RefreshLimit(2)
    expect(hours.map((h) => r.tryRefresh(1, h * HOUR))).toEqual(accepted)
    expect(r.refused).toBe(accepted.filter((a) => !a).length)
    // Per connection: the other connection is untouched.
    expect(r.tryRefresh(0, 3 * HOUR)).toBe(true)
  })

  it("a refused refresh takes no slot: the window counts accepted ones only", () => {
    const r = new RefreshLimit(1)
    expect([0, 1, 2, 3, 4].map((h) => r.tryRefresh(0, h * HOUR))).toEqual([true, true, true, false, false])
    expect(r.tryRefresh(0, 24 * HOUR)).toBe(true)
    expect(r.tryRefresh(0, 25 * HOUR)).toBe(true)
    expect(r.tryRefresh(0, 25.5 * HOUR)).toBe(false)
  })
})

describe("the simulator enforces and reports Truv's limits", () => {
  const configs = { configured: PolicyConfig.parse({ learning: {}, timing: {} }), basic: DEFAULT_POLICY_CONFIG }

  it("a small budget: Recert's strategies spread their nights and keep it, the guide's loop is refused beyond it", () => {
    const r = simulate({ ...DEFAULT_SIMULATION, cases: 400, months: 3, seed: 5, rateBudget: 3 }, configs)
    for (const s of r.strategies) {
      if (s.strategy === "guide") {
        expect(s.peakRequestsPerMinute).toBeGreaterThan(3)
        expect(s.minutesOverBudget).toBeGreaterThan(0)
        expect(s.throttledRequests).toBeGreaterThan(0)
      } else {
        expect(s.peakRequestsPerMinute).toBe(3)
        expect(s.minutesOverBudget).toBe(0)
        expect(s.throttledRequests).toBe(0)
        expect(s.longestRunMinutes).toBeGreaterThan(1)
      }
      // Each strategy refreshes a connection at most once a night: the 24 h limit is never reached.
      expect(s.refreshesRefused).toBe(0)
      expect(s.limitViolations).toBe(s.throttledRequests)
    }
    // Throttling defers requests inside the night; it changes no outcome.
    const wide = simulate({ ...DEFAULT_SIMULATION, cases: 400, months: 3, seed: 5 }, configs)
    const outcomes = (x: typeof r) => x.strategies.map((s) => [s.refreshes, s.billedRefreshesFailed, s.links, s.completed])
    expect(outcomes(r)).toEqual(outcomes(wide))
    for (const s of wide.strategies) expect(s.limitViolations).toBe(0)
  })
})
