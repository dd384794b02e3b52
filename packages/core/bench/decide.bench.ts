/**
 * `pnpm bench` for @recert/core: decisions per second through the public API, for one- and
 * three-connection lineages with short (3) and long (500) ledgers, and planner throughput for
 * 100,000 cases with a realistic mix of actions. Each figure is the median of RUNS timed runs
 * after a warm-up, on one core (one JS thread), in process CPU time (`process.cpuUsage`, what
 * "on one core" means on a shared machine) and wall time. Lines starting `BENCH ` are
 * machine-readable (one JSON object per headline figure, CPU-time based).
 * Run: node --import tsx --conditions=@recert/source bench/decide.bench.ts
 */
import { Effect } from "effect"
import {
  type AttemptInput, DEFAULT_POLICY_CONFIG, decide, decideAt, decideBatch, decideManyEffect, type DecisionInputRaw,
  parseDecisionInput, PlanCase, type PlanCaseInput, planAt
} from "@recert/core"

const HOUR = 3_600_000
const DAY = 24 * HOUR
const NOW = Date.parse("2026-11-22T10:00:00.000Z")
const iso = (ms: number) => new Date(ms).toISOString()
const STATUSES = ["succeeded", "succeeded", "failed", "rejected", "succeeded"] as const

interface Shape {
  /** Hours between attempts (7: about three in any 24 h window, so the rate window binds). */
  readonly spacingHours?: number
  readonly lastTaskStatus?: "done" | "login_error" | "no_data"
  readonly authenticatedDaysAgo?: number
}

const makeInput = (connections: number, ledgerLength: number, seed = 0, shape: Shape = {}): DecisionInputRaw => {
  const ids = Array.from({ length: connections }, (_, i) => `link-${seed}-${i}`)
  const spacing = (shape.spacingHours ?? 7) * HOUR
  const ledger = Array.from({ length: ledgerLength }, (_, i): AttemptInput => {
    const at = NOW - (ledgerLength - i) * spacing
    const status = STATUSES[i % STATUSES.length]!
    return {
      id: `att-${seed}-${i}`, at: iso(at), product: "income", connectionIds: ids, status,
      outcomes: status === "succeeded" ? Object.fromEntries(ids.map((id) => [id, "done"])) : status === "failed" ? Object.fromEntries(ids.map((id) => [id, "unavailable"])) : {},
      resolvedAt: status === "rejected" ? null : iso(at + 60_000)
    }
  })
  return {
    lineage: {
      rootOrderId: `ord-${seed}`, orderType: "income", gse: seed % 4 === 0,
      orders: [{ id: `ord-${seed}`, parentId: null, createdAt: iso(NOW - 120 * DAY) }],
      connections: ids.map((id, i) => ({
        id, suborderId: `sub-${id}`, provider: "adp", authKind: i === 2 ? "session" : "oauth",
        authenticatedAt: iso(NOW - (shape.authenticatedDaysAgo ?? 20 + (seed % 170)) * DAY),
        lastTaskStatus: shape.lastTaskStatus ?? "done", lastStatusAt: iso(NOW - DAY)
      }))
    },
    ledger,
    request: { products: ["income"] }
  }
}

/**
 * Median ns per operation over `runs` timed runs of `n` operations each, after one warm-up run:
 * CPU time of this thread's process (user + system), which is what "on one core" means on a
 * shared machine, and wall time beside it.
 */
const measure = (n: number, runs: number, op: (i: number) => unknown): { cpu: number; wall: number } => {
  let sink = 0
  const once = () => {
    const cpu0 = process.cpuUsage()
    const start = process.hrtime.bigint()
    for (let i = 0; i < n; i++) if (op(i) !== undefined) sink++
    const wall = Number(process.hrtime.bigint() - start) / n
    const used = process.cpuUsage(cpu0)
    return { cpu: ((used.user + used.system) * 1000) / n, wall }
  }
  once()
  const all = Array.from({ length: runs }, once)
  if (sink < 0) console.log(sink)
  const median = (xs: Array<number>) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
  return { cpu: median(all.map((x) => x.cpu)), wall: median(all.map((x) => x.wall)) }
}

type Timing = { cpu: number; wall: number }
const per = (m: Timing, k: number): Timing => ({ cpu: m.cpu / k, wall: m.wall / k })
const rate = (ns: number) => Math.round(1e9 / ns)
const fmt = (m: Timing, unit = "decisions/s") =>
  `${rate(m.cpu).toLocaleString("en-US").padStart(9)} ${unit} ${m.cpu.toFixed(0).padStart(7)} ns  | wall ${rate(m.wall).toLocaleString("en-US").padStart(9)}/s ${m.wall.toFixed(0).padStart(7)} ns`
const bench = (name: string, value: number, unit: string, extra: Record<string, unknown>) =>
  console.log(`BENCH ${JSON.stringify({ name, value, unit, ...extra })}`)
const CEDAR = { alternative: "Cedar 5-10 µs", altValue: 100_000 }
const configs = [[1, 3], [1, 500], [3, 3], [3, 500]] as const
const RUNS = 5
const results = new Map<string, Timing>()
const os = await import("node:os")

console.log(`@recert/core on one thread, median of ${RUNS} runs after a warm-up (Node ${process.version}, load average ${os.loadavg()[0]!.toFixed(1)}, ${os.cpus().length} CPUs)`)
console.log("rates and ns per decision from process CPU time (user + system); wall time beside it (wall is inflated on a loaded machine)")
for (const [connections, length] of configs) {
  // 64 distinct inputs per configuration, cycled, so one cached object does not flatter the figures.
  const raws = Array.from({ length: 64 }, (_, s) => makeInput(connections, length, s))
  const parsed = raws.map((r) => parseDecisionInput(r))
  const short = length === 3
  const label = `${connections} conn, ledger ${String(length).padStart(3)}`
  const pre = measure(short ? 100_000 : 3_000, RUNS, (i) => decideAt(parsed[i & 63]!, NOW, DEFAULT_POLICY_CONFIG))
  const facade = measure(short ? 50_000 : 1_000, RUNS, (i) => decide(raws[i & 63]!, { now: NOW }))
  const batchSize = short ? 1000 : 100
  const batch = Array.from({ length: batchSize }, (_, i) => raws[i & 63]!)
  const batchRuns = short ? 50 : 10
  const plainBatch = per(measure(batchRuns, RUNS, () => decideBatch(batch, { now: NOW })), batchSize)
  const effect = per(measure(batchRuns, RUNS, () => Effect.runSync(decideManyEffect(batch))), batchSize)
  results.set(`${connections}:${length}`, pre)
  results.set(`${connections}:${length}:batch`, plainBatch)
  console.log(`${label}  decideAt (pre-validated)          ${fmt(pre)}`)
  console.log(`${label}  decide (facade, validates)        ${fmt(facade)}`)
  console.log(`${label}  decideBatch (facade, ${String(batchSize).padStart(4)}/batch)  ${fmt(plainBatch)}`)
  console.log(`${label}  decideManyEffect (${String(batchSize).padStart(4)}/batch)     ${fmt(effect)}`)
  const key = `decide-${connections}conn-ledger${length}`
  bench(`${key}-batch`, rate(plainBatch.cpu), "decisions/s", { ...CEDAR, api: "decideBatch (validated)", nsPerDecision: Math.round(plainBatch.cpu), wallPerSecond: rate(plainBatch.wall) })
  bench(`${key}-effect-batch`, rate(effect.cpu), "decisions/s", { ...CEDAR, api: "decideManyEffect (validated)", nsPerDecision: Math.round(effect.cpu), wallPerSecond: rate(effect.wall) })
  bench(`${key}-prevalidated`, rate(pre.cpu), "decisions/s", { ...CEDAR, api: "decideAt", nsPerDecision: Math.round(pre.cpu), wallPerSecond: rate(pre.wall) })
}

for (const c of [1, 3]) {
  for (const kind of ["", ":batch"]) {
    const long = results.get(`${c}:500${kind}`)!
    const short = results.get(`${c}:3${kind}`)!
    console.log(`ledger 500 / ledger 3 cost, ${c} conn, ${kind === "" ? "decideAt   " : "decideBatch"}: ${(long.cpu / short.cpu).toFixed(1)}x CPU (${(long.wall / short.wall).toFixed(1)}x wall) for ${(500 / 3).toFixed(0)}x the entries`)
  }
}

// Planner: 100,000 cases at one instant, a realistic mix: most due cases refresh, some wait
// (rate window full), some need the user (login error, expired OAuth), some a new order
// (no data), and some are not due yet. One to three connections, short ledgers.
const planShape = (i: number): { shape: Shape; dueInDays: number } => {
  const k = i % 20
  if (k < 13) return { shape: { spacingHours: 24 * 30 }, dueInDays: 10 }
  if (k < 15) return { shape: { spacingHours: 7 }, dueInDays: 5 }
  if (k === 15) return { shape: { spacingHours: 24 * 30, lastTaskStatus: "login_error" }, dueInDays: 0 }
  if (k === 16) return { shape: { spacingHours: 24 * 30, lastTaskStatus: "no_data" }, dueInDays: -3 }
  if (k === 17) return { shape: { spacingHours: 24 * 30, authenticatedDaysAgo: 200 }, dueInDays: 20 }
  return { shape: { spacingHours: 24 * 30 }, dueInDays: 45 + k }
}
const cases: Array<PlanCaseInput> = Array.from({ length: 100_000 }, (_, i) => {
  const { shape, dueInDays } = planShape(i)
  const raw = makeInput(1 + (i % 3), 3, i, shape)
  return { case: { id: `case-${i}`, dueAt: iso(NOW + dueInDays * DAY), cycle: "annual", rootOrderId: raw.lineage.rootOrderId }, lineage: raw.lineage, ledger: raw.ledger ?? [] }
})
const parsedCases = cases.map((c) => PlanCase.parse(c))
const planFull = per(measure(1, RUNS, () => planAt(parsedCases, NOW, DEFAULT_POLICY_CONFIG)), 100_000)
const planLean = per(measure(1, RUNS, () => planAt(parsedCases, NOW, DEFAULT_POLICY_CONFIG, { decisions: "none" })), 100_000)
const plan = planAt(parsedCases, NOW, DEFAULT_POLICY_CONFIG, { decisions: "none" })
console.log(`planner planAt, 100,000 cases, decisions kept         ${fmt(planFull, "cases/s")}`)
console.log(`planner planAt, 100,000 cases, { decisions: "none" }  ${fmt(planLean, "cases/s")}`)
console.log(`  plan totals: ${JSON.stringify(plan.totals)}`)
bench("planner-100k-cases", rate(planFull.cpu), "cases/s", { alternative: "bar 100,000 cases/s", altValue: 100_000, api: "planAt (decisions kept)", wallPerSecond: rate(planFull.wall) })
bench("planner-100k-cases-lean", rate(planLean.cpu), "cases/s", { alternative: "bar 100,000 cases/s", altValue: 100_000, api: "planAt { decisions: \"none\" }", wallPerSecond: rate(planLean.wall) })
