/**
 * The estimator against data with a known true lifetime: Weibull(shape 1.5, median 60 days),
 * 300 seeded episodes censored at a uniform follow-up in [0, 240) days. Kaplan–Meier recovers the
 * true survival within 0.08 at 30, 60 and 90 days and the median within 8 days (stated errors);
 * with too little evidence it abstains (no estimate below `minEpisodes`).
 */
import { describe, expect, it } from "vitest"
import { estimateValidity, evidenceAt, medianDays, observationsOf, predictedSuccess, survivalAt, ValidityEstimate, type ValidityObservation } from "../../src/index.js"
import { DAY_MS } from "../../src/engine/time.js"
import { generator, weibull } from "../../src/simulate/random.js"

const SHAPE = 1.5
const MEDIAN = 60
const trueSurvival = (t: number) => Math.exp(-Math.LN2 * Math.pow(t / MEDIAN, SHAPE))

const synthetic = (n: number, seed: number): Array<ValidityObservation> => {
  const next = generator(seed)
  const out: Array<ValidityObservation> = []
  for (let i = 0; i < n; i++) {
    const lifetime = weibull(next(), SHAPE, MEDIAN)
    const followUp = next() * 240
    out.push({ provider: "adp", authKind: "session", days: Math.min(lifetime, followUp), failed: lifetime <= followUp })
  }
  return out
}

describe("estimateValidity (Kaplan–Meier)", () => {
  it.each([1, 2, 3])("recovers a known Weibull lifetime from 300 outcomes (seed %i)", (seed) => {
    const [estimate] = estimateValidity(synthetic(300, seed), 20)
    expect(estimate).toBeDefined()
    expect(ValidityEstimate.safeParse(estimate).success).toBe(true)
    for (const t of [30, 60, 90]) expect(Math.abs(survivalAt(estimate!, t) - trueSurvival(t))).toBeLessThan(0.08)
    expect(Math.abs(medianDays(estimate!)! - MEDIAN)).toBeLessThanOrEqual(8)
  })

  it("abstains with too little evidence: fewer episodes than the minimum give no estimate", () => {
    expect(estimateValidity(synthetic(19, 1), 20)).toEqual([])
    expect(estimateValidity(synthetic(20, 1), 20)).toHaveLength(1)
  })

  it("builds the table exactly: at-risk counts, failures, survival and evidence", () => {
    const o = (days: number, failed: boolean): ValidityObservation => ({ provider: "adp", authKind: "session", days, failed })
    const [e] = estimateValidity([o(10, true), o(10, false), o(30.9, false), o(45, true), o(45, true), o(60, false)])
    expect(e).toEqual({
      provider: "adp", authKind: "session", episodes: 6, failures: 3,
      steps: [{ day: 10, atRisk: 6, failures: 1 }, { day: 30, atRisk: 4, failures: 0 }, { day: 45, atRisk: 3, failures: 2 }, { day: 60, atRisk: 1, failures: 0 }]
    })
    expect(survivalAt(e!, 9)).toBe(1)
    expect(survivalAt(e!, 10)).toBeCloseTo(5 / 6, 12)
    expect(survivalAt(e!, 45)).toBeCloseTo((5 / 6) * (1 / 3), 12)
    expect(evidenceAt(e!, 31)).toEqual({ atRisk: 3, failed: 2 })
    expect(evidenceAt(e!, 61)).toEqual({ atRisk: 0, failed: 0 })
    expect(predictedSuccess(e!, 45, 30)).toBeCloseTo(1 / 3, 12)
  })

  it("keeps providers and auth kinds apart, sorted", () => {
    const es = estimateValidity([
      { provider: "gusto", authKind: "oauth", days: 5, failed: false },
      { provider: "adp", authKind: "session", days: 5, failed: true },
      { provider: "adp", authKind: "oauth", days: 5, failed: false }
    ])
    expect(es.map((e) => `${e.provider}/${e.authKind}`)).toEqual(["adp/oauth", "adp/session", "gusto/oauth"])
  })
})

describe("observationsOf (episodes from a connection's outcomes)", () => {
  const day = (d: number) => d * DAY_MS
  it("a failure ends the episode at its age; outcomes after it wait for the next known login", () => {
    expect(observationsOf({
      provider: "adp", authKind: "session", logins: [day(100), day(0)],
      outcomes: [{ atMs: day(20), status: "done" }, { atMs: day(50), status: "login_error" }, { atMs: day(60), status: "done" },
        { atMs: day(130), status: "done" }, { atMs: day(140), status: "unavailable" }]
    })).toEqual([
      { provider: "adp", authKind: "session", days: 50, failed: true },
      { provider: "adp", authKind: "session", days: 30, failed: false }
    ])
  })
  it("Truv's generic error counts as needing the user; an episode with no outcome is not observed", () => {
    expect(observationsOf({ provider: "x", authKind: "unknown", logins: [0, day(10)], outcomes: [{ atMs: day(30), status: "error" }] }))
      .toEqual([{ provider: "x", authKind: "unknown", days: 20, failed: true }])
  })
})
