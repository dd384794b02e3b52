/**
 * `connection.validity-learned` at its boundaries: the minimum sample (exactly enough speaks, one
 * fewer is silent), the success threshold (exactly at it is silent, just above it speaks; 0.5 here, the default is 0.1), the
 * connection's age in whole days, the last success since the login, and its evidence sentence.
 */
import { connectionValidityLearned, type ValidityEstimate } from "@recert/core"
import { describe, expect, it } from "vitest"
import { attempt, connection, DAY, input, iso, lineage, NOW } from "../fixtures.js"
import { decisionOf, findingsOf, verdicts } from "./helpers.js"

// S(10) = 0.9, S(45) = 0.9 * 7/13 = 0.48462, S(60) = S(45) * 2/7 = 0.13846; 11 failures at 45 days or later.
const ADP: ValidityEstimate = {
  provider: "adp", authKind: "session", episodes: 20, failures: 13,
  steps: [{ day: 10, atRisk: 20, failures: 2 }, { day: 30, atRisk: 15, failures: 0 }, { day: 45, atRisk: 13, failures: 6 }, { day: 60, atRisk: 7, failures: 5 }]
}
const S45 = 0.9 * 7 / 13

const raw = (ageDays: number, ledger: Parameters<typeof input>[1] = [], validity: Array<ValidityEstimate> = [ADP]) => ({
  ...input(lineage([connection("link-1", { authKind: "session", authenticatedAt: iso(NOW - ageDays * DAY) })]), ledger),
  validity
})

describe("connection.validity-learned", () => {
  it.each([
    { name: "45 days, 13 at risk, minSample 13: speaks", age: 45, config: { learning: { minSample: 13, minSuccess: 0.5 } }, speaks: true },
    { name: "minSample 14 > 13 at risk: abstains", age: 45, config: { learning: { minSample: 14 } }, speaks: false },
    { name: "44 days: S = 0.9, above 0.5", age: 44, config: { learning: { minSample: 13, minSuccess: 0.5 } }, speaks: false },
    { name: "44 days 23 h counts as 44 days", age: 44 + 23 / 24, config: { learning: { minSample: 13, minSuccess: 0.5 } }, speaks: false },
    { name: "threshold exactly the prediction (0.9 at 44 days): silent", age: 44, config: { learning: { minSample: 13, minSuccess: 0.9 } }, speaks: false },
    { name: "threshold just above the prediction: speaks", age: 44, config: { learning: { minSample: 13, minSuccess: 0.9000001 } }, speaks: true },
    { name: "61 days, 0 at risk beyond the last step: abstains", age: 61, config: { learning: { minSample: 1 } }, speaks: false },
    { name: "the default minimum sample (20) is not met at 45 days", age: 45, config: {}, speaks: false }
  ])("$name", ({ age, config, speaks }) => {
    expect(findingsOf(connectionValidityLearned, raw(age), NOW, config).length).toBe(speaks ? 1 : 0)
  })

  it("carries its evidence: the exact sentence and numbers", () => {
    const [f] = findingsOf(connectionValidityLearned, raw(45), NOW, { learning: { minSample: 13, minSuccess: 0.5 } })
    expect(f).toEqual({
      code: "connection.validity-learned", effect: "reauthenticate", connectionId: "link-1",
      message: "adp session connections: 11 of 13 refreshed 45 or more days after login failed; this one logged in 45 days ago, so a refresh would succeed with 48% (below 50%): the user logs in again (Bridge update mode)",
      data: { provider: "adp", authKind: "session", ageDays: 45, knownGoodDays: 0, predictedSuccess: S45, minSuccess: 0.5, atRisk: 13, failed: 11, minSample: 13, episodes: 20 }
    })
  })

  it("a success since the login raises the prediction: S(45) / S(40) = 0.54 is above 0.5", () => {
    const ledger = [attempt(NOW - 5 * DAY)]
    expect(findingsOf(connectionValidityLearned, raw(45, ledger), NOW, { learning: { minSample: 13, minSuccess: 0.5 } })).toEqual([])
  })

  it("is silent without an estimate for the connection's provider and auth kind, and leaves a known failure to needs-user", () => {
    expect(findingsOf(connectionValidityLearned, raw(45, [], [{ ...ADP, provider: "paychex" }]), NOW, { learning: { minSample: 13, minSuccess: 0.5 } })).toEqual([])
    expect(findingsOf(connectionValidityLearned, raw(45, [], []), NOW, { learning: { minSample: 13, minSuccess: 0.5 } })).toEqual([])
    const failed = { ...raw(45), lineage: lineage([connection("link-1", { authKind: "session", authenticatedAt: iso(NOW - 45 * DAY), lastTaskStatus: "login_error", lastStatusAt: iso(NOW - DAY) })]) }
    expect(findingsOf(connectionValidityLearned, failed, NOW, { learning: { minSample: 13, minSuccess: 0.5 } })).toEqual([])
  })

  it("makes the decision reauthenticate instead of a billed refresh", () => {
    const d = decisionOf(raw(45), NOW, { learning: { minSample: 13, minSuccess: 0.5 } })
    expect(d.verdict).toBe("reauthenticate")
    expect(verdicts(d)).toEqual({ "link-1": "reauthenticate" })
    expect(d.cost.billedVerifications).toBe(0)
  })

  it("refuses an invalid estimate by name", () => {
    const bad = { ...ADP, steps: [{ day: 10, atRisk: 20, failures: 2 }, { day: 5, atRisk: 15, failures: 0 }] }
    expect(() => decisionOf({ ...raw(45), validity: [bad] }, NOW)).toThrow(/validity/)
  })
})
