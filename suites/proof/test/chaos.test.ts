/**
 * Chaos, black-box (issue 15): `recert-scheduler serve` and `run` processes against the Truv
 * sandbox (in this process) with 5xx answers, latency spikes, responses lost after processing,
 * duplicated, reordered and lost webhooks, under three scenarios per seed
 * (support/chaos/scenarios.ts):
 *
 * - `kills`: 3 workers on Postgres, SIGKILLed at random instants and at named points of the
 *   workflow (the test-only `RECERT_FAULT_KILL_AT` hook), restarted;
 * - `postgres`: 3 workers on Postgres through an outage of the database, without a restart;
 * - `disk`: SQLite on a disk that fills or turns read-only mid-run.
 *
 * Each run prints its figures, every check and the evidence of each failed one, and the suite
 * ends with one row per run (support/chaos/table.ts). The checks (support/chaos/checks.ts):
 * limit violations, refreshes sent twice, outcomes ≠ Truv's task statuses, follow-ups owed,
 * orphans at Truv, billing ≠ Truv's per link, report figures ≠ Truv's, cases not final,
 * webhooks unaccounted, workers that died by themselves; and the scenario's own.
 *
 * Seeds, sizes and faults come from the environment (support/chaos/settings.ts): 3 seeds by
 * default (CI), `pnpm --filter @recert/proof chaos` runs 20. Postgres: DATABASE_URL or
 * postgres://postgres@127.0.0.1:5432/test, a database of its own per run; unreachable: the
 * Postgres scenarios skip with the reason, and with CI=true they fail. The disk scenario needs
 * root and mount(8) (a loop device, else tmpfs); without them it skips with the reason, and with
 * CI=true it fails.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { postgresReachable } from "./support/postgres.js"
import { runDisk, runKills, runPostgres } from "./support/chaos/scenarios.js"
import { chaosSettings, limiter, type Scenario } from "./support/chaos/settings.js"
import { failed, renderRun, renderTable, type RunResult } from "./support/chaos/table.js"

const settings = chaosSettings()
// Postgres runs share the server's connections; a real cluster restart cuts every database of
// the server, so with it they go one at a time. Disk runs (SQLite) go beside them.
const pgParallel = settings.pgOutage === "cluster" ? 1 : settings.pgParallel
const pgLimit = limiter(pgParallel)
const diskLimit = limiter(settings.diskParallel)
const RUNS: Record<Scenario, (seed: number) => Promise<RunResult | string>> = {
  kills: (seed) => runKills(seed, settings),
  postgres: (seed) => runPostgres(seed, settings),
  disk: (seed) => runDisk(seed, settings)
}
const runs = settings.scenarios.flatMap((scenario) => settings.seeds.map((seed) => ({ scenario, seed })))
// Every run is started in beforeAll (at most so many at a time); each test awaits its own. The
// longest (disk) waits for the fault's moment, the run's exit, 60 s of staleness, a second run,
// everything final and `recert stats`: three deadlines and 6 minutes at most.
const rounds = Math.max(Math.ceil(runs.filter((r) => r.scenario !== "disk").length / pgParallel), Math.ceil(runs.filter((r) => r.scenario === "disk").length / settings.diskParallel))
const TIMEOUT_MS = rounds * (3 * settings.deadlineMs + 360_000) + 60_000
const started = new Map<string, Promise<RunResult | string | Error>>()
const results: Array<RunResult> = []
let postgresSkip: string | null = null

beforeAll(async () => {
  postgresSkip = await postgresReachable()
  for (const { scenario, seed } of runs) {
    if (scenario !== "disk" && postgresSkip !== null) continue
    const limit = scenario === "disk" ? diskLimit : pgLimit
    started.set(`${scenario}/${seed}`, limit(() => RUNS[scenario](seed)).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e)))))
  }
}, 30_000)

afterAll(async () => {
  // A test that timed out leaves its run going: wait for it, so its processes and database go.
  await Promise.all(started.values())
  if (results.length === 0) return
  const order = (r: RunResult) => settings.scenarios.indexOf(r.scenario as Scenario) * 1e6 + r.seed
  console.log(`chaos: ${results.length} run(s), seeds ${settings.seeds.join(",")}, ${settings.cases} cases, ${settings.kills} kills\n${renderTable([...results].sort((a, b) => order(a) - order(b)))}`)
}, TIMEOUT_MS)

describe("chaos: every window, every seed", () => {
  for (const { scenario, seed } of runs) {
    it(`${scenario}, seed ${seed}`, async (ctx) => {
      const run = started.get(`${scenario}/${seed}`)
      if (run === undefined) return ctx.skip()
      const r = await run
      if (r instanceof Error) throw r
      if (typeof r === "string") {
        if (process.env["CI"] === "true") throw new Error(`${r}; CI=true requires it`)
        console.warn(`chaos ${scenario} seed ${seed} skipped: ${r}`)
        return ctx.skip()
      }
      results.push(r)
      console.log(renderRun(r))
      // The assertion names each failed check and its first pieces of evidence.
      const failures = failed(r).map((c) => `${c.name} = ${c.value} (required ${c.expected})${c.evidence.length > 0 ? `: ${c.evidence.slice(0, 4).join(" | ")}` : ""}`)
      expect(failures, `chaos ${scenario} seed ${seed}: failed checks (full evidence printed above)`).toEqual([])
    }, TIMEOUT_MS)
  }
})
