/**
 * How a chaos run reports itself: one block per run (figures, every check, and for each failed
 * check its evidence), and a table with one row per run at the end of the suite.
 */
import type { Check } from "./checks.js"

export interface RunResult {
  readonly scenario: string
  readonly seed: number
  readonly figures: Readonly<Record<string, number | string>>
  readonly checks: ReadonlyArray<Check>
  readonly notes: ReadonlyArray<string>
}

export const failed = (r: RunResult): Array<Check> => r.checks.filter((c) => !c.ok)

/** The run's block: figures, checks (value / required), then the evidence of each failed check. */
export const renderRun = (r: RunResult): string => {
  const rows: Array<[string, string]> = [
    ...Object.entries(r.figures).map(([k, v]): [string, string] => [k, String(v)]),
    ...r.checks.map((c): [string, string] => [c.name, c.ok ? String(c.value) : `${c.value}   FAILED (required ${c.expected})`])
  ]
  const width = Math.max(...rows.map(([k]) => k.length))
  const lines = [`chaos ${r.scenario} seed ${r.seed}`, ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`)]
  if (r.notes.length > 0) lines.push("  notes:", ...r.notes.map((n) => `    ${n}`))
  for (const c of failed(r)) lines.push(`  CHECK FAILED: ${c.name} = ${c.value} (required ${c.expected}), seed ${r.seed}, ${r.scenario}:`, ...c.evidence.map((e) => `    ${e}`))
  return lines.join("\n")
}

/** Short column names for the per-seed table, and where each comes from. */
const COLUMNS: ReadonlyArray<readonly [string, (r: RunResult) => string]> = [
  ["scenario", (r) => r.scenario],
  ["seed", (r) => String(r.seed)],
  ["s", (r) => String(r.figures["run time (s)"] ?? "")],
  ["settled", (r) => String(r.figures["settled"] ?? "")],
  ["kills", (r) => String(r.figures["kills (random+aimed)"] ?? "-")],
  ["fault", (r) => String(r.figures["fault"] ?? "-")],
  ["refr", (r) => String(r.figures["refreshes accepted"] ?? "")],
  ["lost", (r) => String(r.figures["responses lost"] ?? "")],
  ["whNoDlv", (r) => String(r.figures["webhooks never delivered"] ?? "")],
  ["billed", (r) => String(r.figures["billed ledger/Truv"] ?? "")]
]

const CHECK_COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ["limit", "limit violations"], ["twice", "refreshes sent twice"], ["outc≠", "outcomes ≠ Truv"], ["owed", "follow-ups owed"],
  ["orph", "orphans"], ["bill≠", "billing ≠ Truv (links)"], ["rep≠", "report ≠ Truv"], ["notFin", "cases not final"],
  ["whUnacc", "webhooks unaccounted"], ["died", "workers that ended by themselves"], ["other", ""]
]

/** One row per run; check columns hold the value found (0 = held), `other` the scenario's own failed checks. */
export const renderTable = (results: ReadonlyArray<RunResult>): string => {
  const header = [...COLUMNS.map(([h]) => h), ...CHECK_COLUMNS.map(([h]) => h)]
  const known = CHECK_COLUMNS.map(([, n]) => n).filter((n) => n !== "")
  const rows = results.map((r) => [
    ...COLUMNS.map(([, f]) => f(r)),
    ...CHECK_COLUMNS.map(([, name]) => {
      if (name === "") return failed(r).filter((c) => !known.some((k) => c.name.startsWith(k))).map((c) => `${c.name}=${c.value}`).join("; ") || "-"
      const cs = r.checks.filter((c) => c.name.startsWith(name))
      if (cs.length === 0) return "-"
      return cs.map((c) => String(c.value)).join("+")
    })
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)))
  const line = (cells: ReadonlyArray<string>) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd()
  const legend = [
    "s: run time; settled: everything final before the deadline (if not, the checks show what was left); kills: SIGKILLs at random instants + at fault points; fault: the Postgres or disk fault; refr: refreshes Truv accepted;",
    "lost: Truv responses lost after processing; whNoDlv: webhooks never delivered; billed: verifications billed, ledger/Truv;",
    "then each check's value (0 = held): limit violations, refreshes sent twice, outcomes ≠ Truv, follow-ups owed, orphans,",
    "links billed ≠ Truv, report figures ≠ Truv (a+b+c: one per report compared), cases not final, webhooks unaccounted,",
    "workers that ended by themselves; other: the scenario's own failed checks."
  ]
  return [line(header), ...rows.map(line), "", ...legend].join("\n")
}
