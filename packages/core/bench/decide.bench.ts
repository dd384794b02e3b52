/**
 * `pnpm bench` for @recert/core: decisions per second through the public API, for one- and
 * three-connection lineages with short (3) and long (500) ledgers, and planner throughput for
 * 100,000 cases. Each figure is the median of several timed runs after a warm-up, on one core
 * (one JS thread). Run: node --import tsx --conditions=@recert/source bench/decide.bench.ts
 */
import { Effect } from "effect"
import {
  type AttemptInput, DEFAULT_POLICY_CONFIG, decide, decideAt, decideManyEffect, type DecisionInputRaw,
  parseDecisionInput, PlanCase, type PlanCaseInput, planAt
} from "@recert/core"

const HOUR = 3_600_000
const DAY = 24 * HOUR
const NOW = Date.parse("2026-11-22T10:00:00.000Z")
const iso = (ms: number) => new Date(ms).toISOString()
const STATUSES = ["succeeded", "succeeded", "failed", "rejected", "succeeded"] as const

const makeInput = (connections: number, ledgerLength: number, seed = 0): DecisionInputRaw => {
  const ids = Array.from({ length: connections }, (_, i) => `link-${seed}-${i}`)
  // Attempts every 7 h going back, so about three are in any 24 h window whatever the length.
  const ledger = Array.from({ length: ledgerLength }, (_, i): AttemptInput => {
    const at = NOW - (ledgerLength - i) * 7 * HOUR
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
      connections: ids.map((id, i) => ({ id, suborderId: `sub-${id}`, provider: "adp", authKind: i === 2 ? "session" : "oauth", authenticatedAt: iso(NOW - (20 + (seed % 170)) * DAY), lastTaskStatus: "done", lastStatusAt: iso(NOW - DAY) }))
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

const per = (m: { cpu: number; wall: number }, k: number) => ({ cpu: m.cpu / k, wall: m.wall / k })
const fmt = (m: { cpu: number; wall: number }, unit = "decisions/s") =>
  `${Math.round(1e9 / m.cpu).toLocaleString("en-US").padStart(10)} ${unit} ${m.cpu.toFixed(0).padStart(8)} ns CPU  (wall ${m.wall.toFixed(0)} ns)`
const configs = [[1, 3], [1, 500], [3, 3], [3, 500]] as const
const RUNS = 5
const rows: Array<string> = []
const results = new Map<string, { cpu: number; wall: number }>()

for (const [connections, length] of configs) {
  // 64 distinct inputs per configuration, cycled, so one cached object does not flatter the figures.
  const raws = Array.from({ length: 64 }, (_, s) => makeInput(connections, length, s))
  const parsed = raws.map((r) => parseDecisionInput(r))
  const n = length === 3 ? 100_000 : 4_000
  const label = `${connections} connection(s), ledger ${String(length).padStart(3)}`
  const pre = measure(n, RUNS, (i) => decideAt(parsed[i & 63]!, NOW, DEFAULT_POLICY_CONFIG))
  const facade = measure(length === 3 ? 10_000 : 300, RUNS, (i) => decide(raws[i & 63]!, { now: NOW }))
  const batchSize = length === 3 ? 1000 : 100
  const batch = Array.from({ length: batchSize }, (_, i) => raws[i & 63]!)
  const effect = per(measure(length === 3 ? 10 : 3, RUNS, () => Effect.runSync(decideManyEffect(batch))), batchSize)
  results.set(`${connections}:${length}`, pre)
  rows.push(`${label}  decideAt (pre-validated)   ${fmt(pre)}`)
  rows.push(`${label}  decide (facade, validates) ${fmt(facade)}`)
  rows.push(`${label}  decideManyEffect (batch)   ${fmt(effect)}`)
}

console.log(`@recert/core decisions per second on one thread (from CPU time), median of ${RUNS} runs (Node ${process.version}, load average ${(await import("node:os")).loadavg()[0]!.toFixed(1)})`)
for (const row of rows) console.log(row)
for (const c of [1, 3]) {
  const ratio = results.get(`${c}:500`)!.cpu / results.get(`${c}:3`)!.cpu
  console.log(`ledger 500 / ledger 3 cost ratio, ${c} connection(s): ${ratio.toFixed(1)}x for ${(500 / 3).toFixed(0)}x the entries (pre-validated)`)
}

// Planner: 100,000 cases, a mix of due and not due, short ledgers, at one instant.
const cases: Array<PlanCaseInput> = Array.from({ length: 100_000 }, (_, i) => {
  const raw = makeInput(1 + (i % 3), 3, i)
  return { case: { id: `case-${i}`, dueAt: iso(NOW + ((i % 60) - 10) * DAY), cycle: "annual", rootOrderId: raw.lineage.rootOrderId }, lineage: raw.lineage, ledger: raw.ledger ?? [] }
})
const parsedCases = cases.map((c) => PlanCase.parse(c))
const planNs = per(measure(1, 3, () => planAt(parsedCases, NOW, DEFAULT_POLICY_CONFIG)), 100_000)
const plan = planAt(parsedCases, NOW, DEFAULT_POLICY_CONFIG)
console.log(`planner planAt, 100,000 cases (pre-validated)  ${fmt(planNs, "cases/s")}`)
console.log(`  plan totals: ${JSON.stringify(plan.totals)}`)
