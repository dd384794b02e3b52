/**
 * The baseline a verification is compared with: the figures of the case's previous verified
 * snapshot (`baselineOf`), or figures an import supplied for a case whose earlier verification
 * happened outside Recert. It holds only what the change classification compares, so an import
 * needs no pay statements.
 */
import { z } from "zod"
import { Instant } from "../model/primitives.js"
import { EmploymentState } from "./employment-status.js"
import { Cents, type IncomeSnapshot, SnapshotProduct } from "./income-snapshot.js"
import type { IncomeSummary } from "./income-summary.js"
import { PayFrequency } from "./pay-frequency.js"
import type { ProgramWindow } from "./program-window.js"
import { summarise } from "./summarise.js"

export const BaselineEmployer = z.object({
  name: z.string().nullable(),
  ein: z.string().nullable().default(null),
  state: EmploymentState.default("active"),
  payFrequency: PayFrequency.default("unknown"),
  monthlyIncomeCents: Cents.nullable().default(null)
})
export type BaselineEmployer = z.infer<typeof BaselineEmployer>

/**
 * @example
 * Baseline.parse({ source: "import", verifiedAt: "2025-11-20T00:00:00Z", product: "income",
 *   monthlyIncomeCents: 320000, employers: [{ name: "Riverside Health Services", payFrequency: "BW" }] })
 */
export const Baseline = z.object({
  source: z.enum(["snapshot", "import"]),
  /** When the baseline's data was verified. */
  verifiedAt: Instant,
  product: SnapshotProduct.default("income"),
  /** Current monthly income (statements annualised / 12, ended employments 0); null if unknown. */
  monthlyIncomeCents: Cents.nullable().default(null),
  weeklyHours: z.number().nonnegative().nullable().default(null),
  employers: z.array(BaselineEmployer).default([])
})
export type Baseline = z.infer<typeof Baseline>
export type BaselineInput = z.input<typeof Baseline>

/** The baseline of a summary (the summary's own instant is its `verifiedAt`). */
export const baselineOfSummary = (summary: IncomeSummary, ein: (key: string) => string | null = () => null): Baseline => ({
  source: "snapshot",
  verifiedAt: summary.at,
  product: summary.product,
  monthlyIncomeCents: summary.total.monthlyIncome.cents,
  weeklyHours: summary.total.weeklyHours,
  employers: summary.employers.map((e) => ({
    name: e.name, ein: ein(e.key), state: e.status.state, payFrequency: e.payFrequency, monthlyIncomeCents: e.monthlyIncome.cents
  }))
})

/**
 * The baseline of a previous snapshot: its summary over the same program window, computed at the
 * instant it was fetched (what the caseworker saw then).
 *
 * @example
 * const baseline = baselineOf(previousSnapshot, { kind: "last-days", days: 90 })
 */
export const baselineOf = (snapshot: IncomeSnapshot, window: ProgramWindow): Baseline => {
  const summary = summarise(snapshot, window, Date.parse(snapshot.source.fetchedAt))
  const eins = new Map(summary.employers.map((e) => [e.key, e.key.startsWith("ein:") ? e.key.slice(4) : null]))
  return baselineOfSummary(summary, (key) => eins.get(key) ?? null)
}
