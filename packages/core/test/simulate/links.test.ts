/**
 * The model's client links follow the product's request lifecycle (core's `requestExpiresAt` and
 * `expiryOutcome`, the rules `planExpiry` applies in both stores): a new order made at the nightly
 * run (02:00) expires 72 weekday hours later, the first nightly run at or after that instant
 * replaces it while the renewal has replacements left (`requests.maxReplacementsPerCycle`, 2 by
 * default), then escalates it to a caseworker, and no link is sent again in the renewal. A client
 * whose answer (a login at 03:00) would land after the link expired finds a dead link: only a
 * replacement can still be answered. 20 cases, January 2027 (the 1st is a Friday), MFA at every
 * login (every renewal goes to the client), no outages.
 */
import { describe, expect, it } from "vitest"
import { DEFAULT_POLICY_CONFIG, DEFAULT_SIMULATION, PolicyConfig, type SimulatedAction, simulate } from "../../src/index.js"

const base = { ...DEFAULT_SIMULATION, cases: 20, months: 1, seed: 2, mfaEveryLogin: 1, outageDaysPerYear: 0 }

const run = (params: typeof base, config = DEFAULT_POLICY_CONFIG) => {
  const actions: Array<SimulatedAction> = []
  const result = simulate(params, { configured: config, basic: config }, ["recert-basic"], (a) => actions.push(a))
  const byCase: Record<string, string> = {}
  for (const a of actions) byCase[a.caseId] = `${byCase[a.caseId] === undefined ? "" : `${byCase[a.caseId]} `}${a.day}:${a.kind}`
  return { strategy: result.strategies[0]!, byCase }
}

describe("the simulator's links: replaced at expiry, then escalated (the product's request rules)", () => {
  it("a client who never answers gets 1 + 2 links, 72 weekday hours apart, then a caseworker", () => {
    const { strategy, byCase } = run({ ...base, answerRate: 0 })
    // Fri Jan 1 02:00 -> Wed Jan 6 02:00 (the weekend not counted) -> Mon Jan 11 -> escalated Thu Jan 14.
    expect(byCase["sim-1"]).toBe("0:link 5:link 10:link 13:escalated")
    // Sent on a Saturday: the 72 hours start on Monday 00:00, so it expires Thursday 00:00, found at 02:00.
    expect(byCase["sim-8"]).toBe("1:link 6:link 11:link 14:escalated")
    // The third link still open when the month ends: not escalated.
    expect(byCase["sim-2"]).toBe("19:link 24:link 27:link")
    expect([strategy.links, strategy.escalated, strategy.completed]).toEqual([27, 8, 0])
  })

  it("with no replacements allowed, the first expiry escalates", () => {
    const { strategy, byCase } = run({ ...base, answerRate: 0 }, PolicyConfig.parse({ requests: { maxReplacementsPerCycle: 0 } }))
    expect(byCase["sim-1"]).toBe("0:link 5:escalated")
    expect([strategy.links, strategy.escalated]).toEqual([9, 9])
  })

  it("an answer that would land after the link expired is lost; the replacement's is not", () => {
    // Answer delays drawn per link (simulatedAnswerDelayDays): sim-1 11, 2, 2 days; sim-8 5, 7, 1; sim-15 4.
    const { strategy, byCase } = run({ ...base, answerRate: 1, answerDelayDays: 4 })
    // Link 1 (day 0) answered on day 11, after its expiry on day 5: lost; the replacement (day 5) answered on day 7.
    expect(byCase["sim-1"]).toBe("0:link 5:link 7:completed-by-client")
    // Day 1 +5 = day 6 03:00, after the expiry Thu 00:00; day 6 +7 after Tue Jan 12 02:00; day 11 +1 in time.
    expect(byCase["sim-8"]).toBe("1:link 6:link 11:link 12:completed-by-client")
    // Tuesday 03:00 is inside a Friday link's 72 weekday hours (Wednesday 02:00).
    expect(byCase["sim-15"]).toBe("0:link 4:completed-by-client")
    expect([strategy.links, strategy.escalated, strategy.completed]).toEqual([12, 0, 7])
  })
})
