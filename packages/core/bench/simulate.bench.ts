/**
 * The simulated year that leads BENCHMARKS.md: the default caseload (100,000 cases by default,
 * `RECERT_BENCH_SIM_CASES`; 12 months; seed 1; the mix of `DEFAULT_SIMULATION`: annual,
 * semiannual and quarterly reviews and a lender share) through every strategy. Prints the
 * table as Markdown between `SIMTABLE-BEGIN` and `SIMTABLE-END` (scripts/bench.mjs puts it
 * first), the bar's lines, and one BENCH line with the run's time.
 */
import { checkBar, DEFAULT_POLICY_CONFIG, DEFAULT_SIMULATION, PolicyConfig, simulate, simulationMarkdown } from "../src/index.js"

const cases = Number(process.env.RECERT_BENCH_SIM_CASES ?? 100_000)
const params = { ...DEFAULT_SIMULATION, cases, months: 12, seed: 1 }
const started = performance.now()
// Recert as configured: learning and timing (their defaults); the basic strategy has neither.
const result = simulate(params, { configured: PolicyConfig.parse({ learning: {}, timing: {} }), basic: DEFAULT_POLICY_CONFIG })
const seconds = (performance.now() - started) / 1000
const bar = checkBar(result)!
console.log(`simulate: ${cases} cases, 12 months, seed 1, 4 strategies in ${seconds.toFixed(1)} s`)
console.log("SIMTABLE-BEGIN")
console.log(simulationMarkdown(result))
console.log("")
for (const line of bar.lines) console.log(`- ${line}`)
console.log(`- bar ${bar.met ? "met" : "NOT met"}; ${result.strategies[0]!.renewals} renewals due in the year; ${seconds.toFixed(1)} s for the four strategies`)
console.log("SIMTABLE-END")
console.log(`BENCH ${JSON.stringify({ name: `simulate-${cases}-cases-12-months`, value: seconds, unit: "s", alternative: "bar: minutes", altValue: 300, higherIsBetter: false, method: "recert simulate's engine, 4 strategies, one process" })}`)
