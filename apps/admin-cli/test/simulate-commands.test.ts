/**
 * `recert simulate` (reproducible, every parameter checked by name) and `recert stats providers`
 * (the validity learned from the seeded ledger).
 */
import { Effect } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { seed } from "../scripts/seed.js"
import { run } from "./helpers.js"

let dir: string
let db: string
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "recert-cli-sim-"))
  db = join(dir, "seeded.sqlite")
  await Effect.runPromise(seed(db))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe("recert simulate", () => {
  it("prints the four strategies and the bar; the same flags print the same figures", async () => {
    const args = ["simulate", "--cases", "300", "--months", "3", "--seed", "2"]
    const first = await run(args)
    expect(first.exitCode).toBe(0)
    const lines = first.stdout.split("\n")
    expect(lines[0]).toBe("simulate 300 cases over 3 months (90 days), seed 2")
    expect(lines.slice(2, 6).map((l) => l.slice(0, 27).trim())).toEqual(["Truv guide's loop", "Recert, no learning/timing", "Recert as configured", "Oracle (knows hidden state)"])
    expect(first.stdout).toContain("distance to the oracle:")
    expect(await run(args)).toEqual(first)
  })

  it("--json: the parameters, the strategies and the bar", async () => {
    const r = await run(["simulate", "--cases", "200", "--months", "2", "--answer-rate", "0.8", "--json"])
    expect(r.exitCode).toBe(0)
    const json = JSON.parse(r.stdout) as { params: { answerRate: number; cases: number }; strategies: Array<{ strategy: string; renewals: number }>; bar: { met: boolean } }
    expect(json.params).toMatchObject({ answerRate: 0.8, cases: 200 })
    expect(json.strategies.map((s) => s.strategy)).toEqual(["guide", "recert-basic", "recert", "oracle"])
    expect(new Set(json.strategies.map((s) => s.renewals)).size).toBe(1)
  })

  it.each([
    [["--answer-rate", "2"], `recert: invalid --answer-rate: expected a number from 0 to 1, got "2"`],
    [["--cases", "1.5"], `recert: invalid --cases: expected an integer from 1 to 2000000, got "1.5"`],
    [["--annual", "0", "--semiannual", "0", "--quarterly", "0", "--lender", "0"], "recert: invalid caseload mix: --annual, --semiannual, --quarterly and --lender are all 0"]
  ])("a bad value exits 2 naming it: %j", async (flags, message) => {
    expect(await run(["simulate", ...flags])).toEqual({ exitCode: 2, stdout: "", stderr: message })
  })
})

describe("recert stats providers", () => {
  it("the learned estimates as JSON, and as a table", async () => {
    const json = await run(["stats", "providers", "--db", db, "--json"])
    expect(json.exitCode).toBe(0)
    const parsed = JSON.parse(json.stdout) as { minSample: number; minSuccess: number; estimates: Array<{ provider: string; authKind: string; episodes: number }> }
    expect(parsed.minSample).toBe(20)
    expect(parsed.minSuccess).toBe(0.1)
    expect(parsed.estimates.map((e) => [e.provider, e.authKind, e.episodes])).toEqual([["adp", "oauth", 1], ["gusto", "oauth", 1], ["workday", "session", 1]])
    // The seeded workday connection's refresh 233 days after its login ended in login_error.
    expect(await run(["stats", "providers", "--db", db])).toEqual({ exitCode: 0, stderr: "", stdout: `PROVIDER  AUTH     EPISODES  FAILED  MEDIAN  S(30d)  S(60d)  S(90d)  S(180d)  LINK FROM
adp       oauth    1         0       -       100%    100%    100%    100%     -
gusto     oauth    1         0       -       100%    100%    100%    100%     -
workday   session  1         1       233d    100%    100%    100%    100%     -

S(t): share of logins still refreshable t days after login (Kaplan–Meier). LINK FROM: first day the rule sends a link instead of a refresh (at least 20 episodes observed, predicted success below 10%).` })
  })
})
