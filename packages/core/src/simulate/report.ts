/**
 * The simulator's table, as `recert simulate` prints it and BENCHMARKS.md leads with it (one
 * function, so both show the same figures), and the bar of issue 18: Recert as configured at
 * least matches the guide's loop on every figure and beats it on billed refreshes that failed and
 * on links per case.
 */
import type { SimulationResult, StrategyResult } from "./engine.js"

const pct = (x: number) => `${(x * 100).toFixed(1)}%`

/** The table's rows: a header, then one per strategy (plain cells, for a Markdown or a text table). */
export const simulationRows = (r: SimulationResult): Array<Array<string>> => [
  [
    "strategy", "without client", "on time", "billed / completed", "billed refreshes failed", "links / case", "escalated", "Truv requests", `peak req/min (budget ${r.rateBudget})`,
    "minutes over budget", "longest run (min)", "limit violations"
  ],
  ...r.strategies.map((s) => [
    s.label, pct(s.withoutClientShare), pct(s.onTimeShare), s.billedPerCompleted.toFixed(3), String(s.billedRefreshesFailed),
    s.linksPerCase.toFixed(3), String(s.escalated), String(s.truvRequests.total), String(s.peakRequestsPerMinute), String(s.minutesOverBudget), String(s.longestRunMinutes), String(s.limitViolations)
  ])
]

/** A Markdown table of the result. */
export const simulationMarkdown = (r: SimulationResult): string => {
  const rows = simulationRows(r)
  return [`| ${rows[0]!.join(" | ")} |`, `|${rows[0]!.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`, ...rows.slice(1).map((row) => `| ${row.join(" | ")} |`)].join("\n")
}

/** A fixed-width text table of the result. */
export const simulationText = (r: SimulationResult): Array<string> => {
  const rows = simulationRows(r)
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)))
  return rows.map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  "))
}

export interface BarCheck {
  /** Whether Recert as configured at least matches the guide on every figure and beats it on failed refreshes and links. */
  readonly met: boolean
  /** One line per figure. */
  readonly lines: Array<string>
}

/**
 * Checks the bar of issue 18 on a result that has the `guide`, `recert` and `oracle` strategies.
 *
 * @example
 * checkBar(result).met // true
 */
export const checkBar = (r: SimulationResult): BarCheck | null => {
  const get = (name: StrategyResult["strategy"]) => r.strategies.find((s) => s.strategy === name)
  const guide = get("guide")
  const recert = get("recert")
  const oracle = get("oracle")
  if (guide === undefined || recert === undefined) return null
  const ratio = (x: number) => x.toFixed(3)
  const figures: Array<[string, number, number, "higher" | "lower", boolean, (x: number) => string]> = [
    ["renewals completed without the client", recert.withoutClientShare, guide.withoutClientShare, "higher", false, pct],
    ["renewals completed on time", recert.onTimeShare, guide.onTimeShare, "higher", false, pct],
    ["billed verifications per completed renewal", recert.billedPerCompleted, guide.billedPerCompleted, "lower", false, ratio],
    ["billed refreshes that failed", recert.billedRefreshesFailed, guide.billedRefreshesFailed, "lower", true, String],
    ["links sent per case", recert.linksPerCase, guide.linksPerCase, "lower", true, ratio],
    ["peak Truv requests per minute", recert.peakRequestsPerMinute, guide.peakRequestsPerMinute, "lower", false, String]
  ]
  let met = true
  const lines: Array<string> = []
  for (const [name, mine, theirs, better, strict, fmt] of figures) {
    const ok = better === "higher" ? (strict ? mine > theirs : mine >= theirs) : (strict ? mine < theirs : mine <= theirs)
    met &&= ok
    lines.push(`${ok ? "ok  " : "MISS"} ${name}: ${fmt(mine)} vs the guide's ${fmt(theirs)} (${strict ? "must beat" : "must match"})`)
  }
  // Truv's limits: Recert's strategies keep them (their scheduler waits for the budget); the guide's loop may not.
  for (const s of r.strategies.filter((x) => x.strategy !== "guide")) {
    const ok = s.minutesOverBudget === 0 && s.limitViolations === 0
    met &&= ok
    lines.push(`${ok ? "ok  " : "MISS"} Truv's limits, ${s.label}: ${s.minutesOverBudget} minutes over the budget of ${r.rateBudget}, ${s.limitViolations} limit violations (must be 0)`)
  }
  lines.push(`${guide.limitViolations === 0 ? "    " : "note"} Truv's limits, ${guide.label}: ${guide.minutesOverBudget} minutes over the budget, ${guide.throttledRequests} requests refused with 429 and sent again, ${guide.refreshesRefused} refreshes refused by the 24 h limit (no limiter of its own)`)
  if (oracle !== undefined) {
    lines.push(`distance to the oracle: ${recert.billedRefreshesFailed} billed failed refreshes (oracle 0), ${recert.billedPerCompleted.toFixed(3)} billed per completed renewal (oracle ${oracle.billedPerCompleted.toFixed(3)}), ${pct(recert.withoutClientShare)} without the client (oracle ${pct(oracle.withoutClientShare)}), ${recert.linksPerCase.toFixed(3)} links per case (oracle ${oracle.linksPerCase.toFixed(3)})`)
  }
  return { met, lines }
}
