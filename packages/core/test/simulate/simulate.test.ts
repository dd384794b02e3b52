/**
 * The simulator: reproducible from its seed, every strategy on the same caseload (the same
 * renewals due), the oracle never pays for a failed refresh, and Recert as configured meets
 * issue 18's bar against the guide's loop on a small caseload.
 */
import { describe, expect, it } from "vitest"
import { checkBar, DEFAULT_POLICY_CONFIG, DEFAULT_SIMULATION, PolicyConfig, simulate, simulationMarkdown } from "../../src/index.js"

const configs = { configured: PolicyConfig.parse({ learning: {} }), basic: DEFAULT_POLICY_CONFIG }
const small = { ...DEFAULT_SIMULATION, cases: 1_500, months: 12, seed: 3 }

describe("simulate", () => {
  const result = simulate(small, configs)

  it("is reproducible: the same seed gives the same figures, another seed others", () => {
    expect(simulate(small, configs)).toEqual(result)
    expect(simulate({ ...small, seed: 4 }, configs).strategies[0]).not.toEqual(result.strategies[0])
  })

  it("runs every strategy on the same caseload: the same renewals due", () => {
    expect(result.strategies.map((s) => s.strategy)).toEqual(["guide", "recert-basic", "recert", "oracle"])
    expect(new Set(result.strategies.map((s) => s.renewals)).size).toBe(1)
    expect(result.days).toBe(365)
  })

  it("the oracle pays for no failed refresh and bounds the others", () => {
    const oracle = result.strategies.find((s) => s.strategy === "oracle")!
    expect(oracle.billedRefreshesFailed).toBe(0)
    for (const s of result.strategies) expect(s.billedPerCompleted).toBeGreaterThanOrEqual(oracle.billedPerCompleted)
  })

  it("Recert as configured meets the bar against the guide's loop", () => {
    const bar = checkBar(result)!
    expect(bar.lines.filter((l) => l.startsWith("MISS"))).toEqual([])
    expect(bar.met).toBe(true)
    expect(simulationMarkdown(result).split("\n")).toHaveLength(6)
  })
})
