/**
 * Renewals per second against the sandbox with a fixed latency, as a share of the bound.
 *
 *   node --import tsx --conditions=@recert/source apps/scheduler/bench/renewals.bench.ts [--cases N] [--runs R] [--concurrency C] [--latency MS,MS,...] [--only NAME] [--sandbox process|in-process]
 *
 * Each setup runs at every latency of `--latency` (default 250,100,50). 250 ms per call is the
 * headline: it is already far beyond what Truv allows a client (300 requests per minute per
 * secret, so at most ~2.5 renewals/s; any bound above 5 calls/s is a laboratory figure). The
 * shorter latencies raise the bound until the scheduler's CPU, not the latency, is the limit:
 * the printed CPU time per renewal gives that ceiling (1000 / ms per renewal, per core).
 *
 * Setup: `healthy` cases only (the demo's scenario); the Truv sandbox with `latencyMs` on every
 * Truv request and no other fault (task completion and webhook delay 5 ms); the webhook
 * receiver (it wakes the inbox); the real run pass with `concurrency` C job slots per worker.
 * The sandbox runs in its own process by default (`--sandbox process`), as Truv does in
 * production: its CPU is not the scheduler's. `--sandbox in-process` measures the older setup.
 * Postgres (one schema per run, each worker its own pool) when reachable, and SQLite on tmpfs.
 *
 * What is measured: a renewal is a due case taken to `refreshed` (refresh sent, its webhook
 * processed, the refreshed report fetched and stored, the case rescheduled). The time runs from
 * the start of the pass (enqueueing the due cases included) to the last case refreshed. Also
 * printed: the scheduler process's CPU time per renewal (user + system, receiver included).
 *
 * What the bound counts: a renew job holds one of the C slots for exactly one Truv call, the
 * refresh `POST /v1/orders/{id}/` (every other step of the job is a store write). The second
 * call of a renewal, `GET /v1/orders/{id}/` for the refreshed report, runs in the inbox fiber,
 * outside the slots. So W workers can start at most W·C refreshes per latency period:
 * bound = W · C / latency (1 Truv call per slot-holding renewal). CPU, the store and the result
 * GETs are what keep a run below it. Median of R runs after one warm-up run.
 */
import { randomBytes } from "node:crypto"
import { performance } from "node:perf_hooks"
import { generateEncryptionKey, type Store } from "@recert/store"
import { TruvHttpGateway } from "@recert/truv-adapter"
import { type SandboxFaultsInput } from "@recert/truv-sandbox"
import type { RenewalStore, TruvGateway } from "@recert/core"
import { Effect, Exit, type Layer, Redacted, Scope } from "effect"
import { SCENARIOS } from "../src/demo/scenarios.js"
import { type LineageSeeder, seedDemo } from "../src/demo/seed.js"
import { runPass } from "../src/runner/pass.js"
import { RunStats } from "../src/runner/run-stats.js"
import { Wakeup } from "../src/runner/wakeup.js"
import { startServer } from "../src/http/server.js"
import { WEBHOOK_PATH } from "../src/http/webhook-receiver.js"
import {
  clockFrom, getStore, type Opened, openLayer, openWorld, postgresDatabase, postgresUnavailable, sqliteDatabase, storeLayer, type TestDatabase
} from "../test/support/world.js"
import { startRemoteSandbox } from "./remote-sandbox.js"
import { runWorkerProcesses } from "./worker-processes.js"

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1] ?? fallback : fallback
}

/** Cases per worker: `--cases`, else enough for about 10 s at the bound (200 to 800), so the pipeline's fill and drain weigh little. */
const CASES_ARG = arg("cases", "")
const casesFor = (latencyMs: number): number =>
  CASES_ARG !== "" ? Number(CASES_ARG) : Math.min(800, Math.max(200, Math.round((CONCURRENCY / (latencyMs / 1000)) * 10)))
const RUNS = Number(arg("runs", "3"))
const CONCURRENCY = Number(arg("concurrency", "8"))
/** The latency of the headline figures (and of the process setups). */
const HEADLINE_MS = 250
const LATENCIES = arg("latency", `${HEADLINE_MS},100,50`).split(",").map(Number)
if (LATENCIES.some((l) => !Number.isInteger(l) || l <= 0)) throw new Error(`--latency must be positive integers (ms), comma-separated; got ${arg("latency", "")}`)
const ONLY = arg("only", "")
const SANDBOX = arg("sandbox", "process")
if (SANDBOX !== "process" && SANDBOX !== "in-process") throw new Error(`--sandbox must be process or in-process, got ${SANDBOX}`)
const healthy = SCENARIOS.find((s) => s.name === "healthy")!
const faults = (latencyMs: number): SandboxFaultsInput => ({ latencyMs, rateLimitPerMinute: 1_000_000, completionDelayMs: 5, webhookDelayMs: 5 })

/** One run: fresh database and sandbox, `workers` passes; renewals per second. */
interface Setup {
  readonly name: string
  readonly label: string
  readonly workers: number
  /** SQLite in this directory; else Postgres. */
  readonly sqliteDir?: string
  /** Each worker a `serve` process (worker-processes.ts); else passes in this process. */
  readonly processes?: boolean
  /** Only at these latencies (default: every one). */
  readonly latencies?: ReadonlyArray<number>
}

type StoreCtx = Store | RenewalStore

/** The pieces of a run: the sandbox (either kind), one store per worker, the gateway, the receiver. */
interface Rig {
  readonly seeder: LineageSeeder
  readonly now: () => number
  readonly stores: ReadonlyArray<Opened<StoreCtx>>
  readonly gateway: Layer.Layer<TruvGateway>
  readonly wakeups: ReadonlyArray<Wakeup>
  readonly stats: ReadonlyArray<RunStats>
  readonly close: () => Promise<void>
}

const openRig = async (db: TestDatabase, workers: number, latencyMs: number): Promise<Rig> => {
  const stats = Array.from({ length: workers }, () => new RunStats())
  const wakeups = Array.from({ length: workers }, () => new Wakeup())
  if (SANDBOX === "in-process") {
    const world = await openWorld({ db, seed: 5, clock: "real", faults: faults(latencyMs), poolSize: 4 })
    const extra = await Promise.all(Array.from({ length: workers - 1 }, () => openLayer(storeLayer(db, world.encryptionKey, 4), world.clock)))
    return {
      seeder: world.sandbox, now: () => world.sandbox.clock.now(), stores: [world.store, ...extra], gateway: world.gateway, wakeups, stats,
      close: async () => {
        for (const s of extra) await s.close()
        await world.close()
      }
    }
  }
  const secret = `sandbox-${randomBytes(12).toString("hex")}`
  const sandbox = await startRemoteSandbox({ secret, seed: 5 })
  const clock = clockFrom(Date.now)
  const key = generateEncryptionKey()
  const stores = await Promise.all(Array.from({ length: workers }, () => openLayer(storeLayer(db, key, 4), clock)))
  const scope = Scope.makeUnsafe()
  const receiver = await Effect.runPromise(Scope.provide(scope)(startServer({
    port: 0, secret: Redacted.make(secret), store: await stores[0]!.run(getStore), stats: () => stats[0]!,
    onStored: () => { for (const w of wakeups) w.notify() }
  })))
  await sandbox.configureFaults({ ...faults(latencyMs), webhookUrl: `${receiver.url}${WEBHOOK_PATH}` })
  const gateway = TruvHttpGateway.layer({
    baseUrl: sandbox.url, clientId: sandbox.clientId, secret: Redacted.make(secret), maxRequestsPerMinute: 1_000_000,
    retry: { maxRetries: 3, baseDelayMs: 5, maxDelayMs: 20 }
  }) as Layer.Layer<TruvGateway>
  return {
    seeder: sandbox, now: Date.now, stores, gateway, wakeups, stats,
    close: async () => {
      await Effect.runPromise(Scope.close(scope, Exit.void))
      await sandbox.close()
      for (const s of stores) await s.close()
    }
  }
}

interface RunResult {
  /** Cases / (last refreshed - start of the pass): the figure compared with the bound. */
  readonly rate: number
  /** Between the 10th and the 90th percentile of completions: the pipeline full, without its fill and drain. */
  readonly steady: number
  readonly cpuMsPerRenewal: number
}

const runOnce = async (setup: Setup, cases: number, latencyMs: number): Promise<RunResult> => {
  const { workers } = setup
  if (setup.processes === true) return runWorkerProcesses({ workers, cases, latencyMs, concurrency: CONCURRENCY })
  const db = setup.sqliteDir === undefined ? postgresDatabase() : sqliteDatabase(setup.sqliteDir)
  const rig = await openRig(db, workers, latencyMs)
  try {
    await rig.stores[0]!.run(Effect.gen(function*() {
      yield* seedDemo(yield* getStore, rig.seeder, { now: rig.now(), scenarios: [{ ...healthy, count: cases }] })
    }))
    let refreshed = 0
    const done = new Set<string>()
    let last = 0
    const times: Array<number> = []
    for (const s of rig.stats) {
      const set = s.outcomes.set.bind(s.outcomes)
      s.outcomes.set = (caseId, outcome) => {
        if (outcome === "refreshed" && !done.has(caseId)) {
          done.add(caseId)
          refreshed += 1
          last = performance.now()
          times.push(last)
        }
        return set(caseId, outcome)
      }
    }
    const cpu = process.cpuUsage()
    const start = performance.now()
    await Promise.all(rig.stores.map((store, i) => store.run(runPass({
      workerId: `bench-${i}`, concurrency: CONCURRENCY, runKey: "bench", pollAfterMs: 5_000, inboxWakeup: rig.wakeups[i]!
    }, rig.stats[i]!).pipe(Effect.provide(rig.gateway)))))
    const used = process.cpuUsage(cpu)
    if (refreshed !== cases) throw new Error(`${refreshed} of ${cases} cases refreshed`)
    const p10 = Math.floor(cases * 0.1)
    const p90 = Math.floor(cases * 0.9)
    return {
      rate: cases / ((last - start) / 1000),
      steady: (p90 - p10) / ((times[p90]! - times[p10]!) / 1000),
      cpuMsPerRenewal: (used.user + used.system) / 1000 / cases
    }
  } finally {
    await rig.close()
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
      { name: "renewals-1-worker-process", label: "Postgres, 1 serve process", workers: 1, processes: true, latencies: [HEADLINE_MS] },
      { name: "renewals-4-worker-processes", label: "Postgres, 4 serve processes", workers: 4, processes: true, latencies: [HEADLINE_MS] }
    ] : []),
    { name: "renewals-1-worker-sqlite-tmpfs", label: "SQLite on tmpfs (no fsync cost), 1 worker", workers: 1, sqliteDir: "/dev/shm" }
  ]
  console.log(`renewals against the sandbox (${SANDBOX === "process" ? "in its own process" : "in the scheduler's process"}): ` +
    `${CASES_ARG === "" ? "10 s worth (200-800) of" : CASES_ARG} healthy cases per worker, concurrency ${CONCURRENCY} per worker, latency ${LATENCIES.join(" / ")} ms per Truv call, median of ${RUNS} runs after a warm-up`)
  for (const latencyMs of LATENCIES) {
    for (const setup of setups.filter((s) => s.name.includes(ONLY) && (s.latencies === undefined || s.latencies.includes(latencyMs)))) {
      const cases = casesFor(latencyMs) * setup.workers
      await runOnce(setup, Math.min(cases, 40), latencyMs)
      const runs: Array<RunResult> = []
      for (let r = 0; r < RUNS; r++) runs.push(await runOnce(setup, cases, latencyMs))
      const value = median(runs.map((r) => r.rate))
      const cpu = median(runs.map((r) => r.cpuMsPerRenewal))
      const steady = median(runs.map((r) => r.steady))
      const bound = (setup.workers * CONCURRENCY) / (latencyMs / 1000)
      console.log(`${setup.label}, ${latencyMs} ms: ${value.toFixed(1)} renewals/s (runs: ${runs.map((r) => r.rate.toFixed(1)).join(", ")}); ` +
        `bound ${setup.workers} x ${CONCURRENCY} / ${latencyMs} ms = ${bound.toFixed(0)}/s; ratio ${(value / bound).toFixed(3)}; ` +
        `steady state (10th-90th percentile) ${steady.toFixed(1)}/s = ${(steady / bound).toFixed(3)}; scheduler process CPU ${cpu.toFixed(2)} ms per renewal`)
      const method = `${setup.label}; ${cases} healthy cases, C=${CONCURRENCY} per worker, ${latencyMs} ms per Truv call, sandbox ${SANDBOX === "process" ? "in its own process" : "in-process"}; ` +
        `steady state ${(steady / bound).toFixed(2)} of the bound; scheduler process CPU ${cpu.toFixed(1)} ms/renewal; median of ${RUNS} after a warm-up; bound = workers x C / latency`
      console.log(`BENCH ${JSON.stringify({ name: `${setup.name}, ${latencyMs} ms per Truv call`, value: Number(value.toFixed(1)), unit: "renewals/s", alternative: "bound", altValue: bound, method })}`)
    }
  }
}

main().catch((e: unknown) => {
  console.error(e)
  process.exit(1)
})
