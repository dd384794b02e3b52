/**
 * `pnpm bench` for the renewal results: summary + change classification per case
 * (`assessVerification`: useful-report check, the previous snapshot's baseline, the current
 * summary, every change check) for a year of pay history, 26 bi-weekly and 52 weekly statements
 * per snapshot, printed beside the decision figure (`decideAt`, one connection, ledger of 3)
 * measured in the same process. Median of RUNS timed runs after a warm-up, process CPU time.
 * Run: node --import tsx --conditions=@recert/source bench/results.bench.ts
 */
import {
  assessVerification, decideAt, DEFAULT_POLICY_CONFIG, DEFAULT_RESULTS_POLICY, type EmployerRecord, type IncomeSnapshot,
  parseDecisionInput, type PayFrequency
} from "@recert/core"

const DAY = 86_400_000
const NOW = Date.parse("2026-11-22T10:00:00.000Z")
const RUNS = 5

const history = (freq: PayFrequency, count: number, step: number, seed: number, endMs: number): EmployerRecord => ({
  employmentId: `emp-${seed}`, name: `Employer ${seed % 7}`, ein: null, jobTitle: null,
  status: { state: "active", confidence: "confirmed", why: "active" }, startDate: "2020-01-06", originalHireDate: null, endDate: null,
  payFrequency: freq, payFrequencyCode: null, rate: { incomeCents: 1950 + seed, incomeUnit: "HOURLY", payRateCents: null },
  statements: Array.from({ length: count }, (_, i) => {
    const gross = 100_000 + ((seed * 31 + i * 17) % 5000)
    return {
      id: `st-${seed}-${i}`, payDate: new Date(endMs - i * step * DAY).toISOString().slice(0, 10), periodStart: null, periodEnd: null,
      grossCents: gross, netCents: Math.round(gross * 0.8), grossYtdCents: null, netYtdCents: null, hours: 70 + (i % 10), basisOfPay: "H",
      buckets: { regularCents: gross, overtimeCents: 0, bonusCents: 0, commissionCents: 0, otherPayCents: 0 },
      earnings: [{ name: "Regular", category: "regular", amountCents: gross, rateCents: 1950, units: 70 }],
      deductions: [{ name: "Medicare", category: "medicare", amountCents: 1450 }]
    }
  })
})
const snap = (freq: PayFrequency, count: number, step: number, seed: number, atMs: number): IncomeSnapshot => ({
  source: { provider: "truv", orderId: `ord-${seed}`, fetchedAt: new Date(atMs).toISOString(), report: "order" },
  product: "income", employers: [history(freq, count, step, seed, atMs - 2 * DAY)], issues: []
})

const cpuNsPer = (n: number, op: (i: number) => unknown): number => {
  let sink = 0
  const once = () => {
    const t0 = process.cpuUsage()
    for (let i = 0; i < n; i++) if (op(i) !== undefined) sink++
    const used = process.cpuUsage(t0)
    return ((used.user + used.system) * 1000) / n
  }
  once()
  const all = Array.from({ length: RUNS }, once).sort((a, b) => a - b)
  if (sink < 0) console.log(sink)
  return all[Math.floor(RUNS / 2)]!
}

const decisionInput = parseDecisionInput({
  lineage: {
    rootOrderId: "ord-1", orderType: "income", orders: [{ id: "ord-1", parentId: null, createdAt: "2026-08-01T00:00:00Z" }],
    connections: [{ id: "link-1", suborderId: "sub-1", provider: "adp", authKind: "oauth", authenticatedAt: "2026-10-01T00:00:00Z" }]
  },
  ledger: [], request: { products: ["income"] }
})
const decision = cpuNsPer(100_000, () => decideAt(decisionInput, NOW, DEFAULT_POLICY_CONFIG))
const rate = (ns: number) => Math.round(1e9 / ns)
console.log(`renewal results on one thread, median of ${RUNS} runs after a warm-up (Node ${process.version}); CPU time`)
console.log(`decision (decideAt, 1 conn, ledger 3)                  ${rate(decision).toLocaleString("en-US").padStart(9)}/s ${decision.toFixed(0).padStart(7)} ns`)
for (const [freq, count, step] of [["BW", 26, 14], ["W", 52, 7]] as const) {
  // 64 distinct cases, cycled: a previous snapshot 90 days before, the current one now.
  const cases = Array.from({ length: 64 }, (_, s) => ({ previous: snap(freq, count, step, s, NOW - 90 * DAY), current: snap(freq, count, step, s + 1, NOW) }))
  const ns = cpuNsPer(5_000, (i) => assessVerification(cases[i & 63]!.current, { now: NOW, previous: cases[i & 63]!.previous, policy: DEFAULT_RESULTS_POLICY }))
  console.log(`summary + classification, ${count} ${freq} statements (x2 snapshots) ${rate(ns).toLocaleString("en-US").padStart(9)}/s ${ns.toFixed(0).padStart(7)} ns  (${(ns / decision).toFixed(1)}x a decision)`)
  console.log(`BENCH ${JSON.stringify({ name: `results-${count}${freq.toLowerCase()}-statements`, value: rate(ns), unit: "cases/s", alternative: "decideAt (1 conn, ledger 3)", altValue: rate(decision), higherIsBetter: true, method: "assessVerification: baseline of the previous snapshot + summary + every change check, 64 cases cycled, median of 5 (CPU time)" })}`)
}
