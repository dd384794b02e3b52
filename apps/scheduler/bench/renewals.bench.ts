/**
 * Renewals per second against the sandbox with a fixed latency, as a share of the bound.
 *
 *   node --import tsx --conditions=@recert/source apps/scheduler/bench/renewals.bench.ts [--cases N] [--runs R] [--concurrency C] [--latency MS]
 *
 * Setup: `healthy` cases only (the demo's scenario), the in-process sandbox with `latencyMs` on
 * every Truv request and no other fault (task completion and webhook delay 5 ms), the webhook
 * receiver, and the real run pass with `concurrency` C job slots per worker. Postgres (one schema
 * per run, each worker its own pool) when reachable, else SQLite with one worker only.
 *
 * What is measured: a renewal is a due case taken to `refreshed` (refresh sent, its webhook
 * processed, the refreshed report fetched and stored, the case rescheduled). The time runs from
 * the start of the pass (enqueueing the due cases included) to the last case refreshed.
 *
 * What the bound counts: a renew job holds one of the C slots for exactly one Truv call, the
 * refresh `POST /v1/orders/{id}/` (every other step of the job is a store write). The second
 * call of a renewal, `GET /v1/orders/{id}/` for the refreshed report, runs in the inbox fiber,
 * outside the slots. So W workers can start at most W·C refreshes per latency period:
 * bound = W · C / latency (1 Truv call per slot-holding renewal). CPU, the store and the result
 * GETs are what keep a run below it. Median of R runs after one warm-up run.
 */
import { performance } from "node:perf_hooks"
import { Effect } from "effect"
import { SCENARIOS } from "../src/demo/scenarios.js"
import { seedDemo } from "../src/demo/seed.js"
import { RunStats } from "../src/runner/run-stats.js"
import {
  getStore, openLayer, openWorld, postgresDatabase, postgresUnavailable, sqliteDatabase, storeLayer
} from "../test/support/world.js"

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? Number(process.argv[i + 1]) : fallback
}

const CASES = arg("cases", 60)
const RUNS = arg("runs", 3)
const CONCURRENCY = arg("concurrency", 8)
const LATENCY_MS = arg("latency", 50)
const healthy = SCENARIOS.find((s) => s.name === "healthy")!

/** One run: fresh database and sandbox, `workers` passes; renewals per second. */
interface Setup {
  readonly name: string
  readonly label: string
  readonly workers: number
  /** SQLite in this directory; else Postgres. */
  readonly sqliteDir?: string
}

const runOnce = async (setup: Setup, cases: number): Promise<number> => {
  const { workers } = setup
  const postgres = setup.sqliteDir === undefined
  const db = postgres ? postgresDatabase() : sqliteDatabase(setup.sqliteDir)
  const world = await openWorld({ db, seed: 5, clock: "real", faults: { latencyMs: LATENCY_MS }, poolSize: 4 })
  const stores = postgres
    ? await Promise.all(Array.from({ length: workers }, () => openLayer(storeLayer(db, world.encryptionKey, 4), world.clock)))
    : [world.store]
  try {
    await world.store.run(Effect.gen(function*() {
      yield* seedDemo(yield* getStore, world.sandbox, { now: world.sandbox.clock.now(), scenarios: [{ ...healthy, count: cases }] })
    }))
    let refreshed = 0
    const done = new Set<string>()
    let last = 0
    const stats = stores.map(() => {
      const s = new RunStats()
      const set = s.outcomes.set.bind(s.outcomes)
      s.outcomes.set = (caseId, outcome) => {
        if (outcome === "refreshed" && !done.has(caseId)) {
          done.add(caseId)
          refreshed += 1
          last = performance.now()
        }
        return set(caseId, outcome)
      }
      return s
    })
    const start = performance.now()
    await Promise.all(stores.map((store, i) => world.pass({ store, stats: stats[i]!, workerId: `bench-${i}`, concurrency: CONCURRENCY, runKey: "bench", pollAfterMs: 5_000 })))
    if (refreshed !== cases) throw new Error(`${refreshed} of ${cases} cases refreshed`)
    return cases / ((last - start) / 1000)
  } finally {
    for (const s of stores) if (s !== world.store) await s.close()
    await world.close()
    await db.cleanup()
  }
}

const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}

const main = async () => {
  const pgProblem = await postgresUnavailable()
  if (pgProblem !== null) console.log(`(${pgProblem}: the Postgres figures are skipped)`)
  const setups: Array<Setup> = [
    ...(pgProblem === null ? [
      { name: "renewals-1-worker", label: "Postgres, 1 worker", workers: 1 },
      { name: "renewals-4-workers", label: "Postgres, 4 workers (own pools)", workers: 4 }
    ] : []),
    { name: "renewals-1-worker-sqlite-tmpfs", label: "SQLite on tmpfs (no fsync cost), 1 worker", workers: 1, sqliteDir: "/dev/shm" }
  ]
  console.log(`renewals against the sandbox: ${CASES} healthy cases per worker, latency ${LATENCY_MS} ms per Truv call, ` +
    `concurrency ${CONCURRENCY} per worker, median of ${RUNS} runs after a warm-up`)
  for (const setup of setups) {
    const cases = CASES * setup.workers
    await runOnce(setup, Math.min(cases, 40))
    const rates: Array<number> = []
    for (let r = 0; r < RUNS; r++) rates.push(await runOnce(setup, cases))
    const value = median(rates)
    const bound = (setup.workers * CONCURRENCY) / (LATENCY_MS / 1000)
    console.log(`${setup.label}: ${value.toFixed(1)} renewals/s (runs: ${rates.map((r) => r.toFixed(1)).join(", ")}); ` +
      `bound ${setup.workers} x ${CONCURRENCY} / ${LATENCY_MS} ms = ${bound.toFixed(0)}/s; ratio ${(value / bound).toFixed(3)}`)
    console.log(`BENCH ${JSON.stringify({ name: setup.name, value: Number(value.toFixed(1)), unit: "renewals/s", alternative: "bound", altValue: bound })}`)
  }
}

main().catch((e: unknown) => {
  console.error(e)
  process.exit(1)
})
