/**
 * The optional baseline of an imported case: the figures of its last verification made outside
 * Recert, so the case's first verification in Recert is compared with something (core's
 * `Baseline`, source `import`). Five columns (CSV) or keys (JSON), named like the case's own:
 * `baselineVerifiedAt` (an instant; required when any other is set), `baselineMonthlyIncome`
 * (dollars with at most two decimals, `3200.00`, read into integer cents on the digits, never
 * through a float), `baselineWeeklyHours`, `baselineEmployer` (one employer's name) and
 * `baselinePayFrequency` (core's codes: W, BW, SM, M, SA, A, irregular, unknown; needs the
 * employer). Messages name the column and never quote the value (income is personal data).
 */
import { Baseline, Instant, PayFrequency, type Product } from "@recert/core"
import type { ImportIssue } from "../errors.js"

export const BASELINE_COLUMNS = ["baselineMonthlyIncome", "baselineWeeklyHours", "baselineEmployer", "baselinePayFrequency", "baselineVerifiedAt"] as const

const AMOUNT = /^(\d{1,9})(?:\.(\d{1,2}))?$/
const HOURS = /^\d{1,3}(?:\.\d{1,2})?$/

const given = (v: unknown): boolean => v !== undefined && v !== null && !(typeof v === "string" && v.trim() === "")
const text = (v: unknown): string | null => typeof v === "string" ? v.trim() : typeof v === "number" && Number.isFinite(v) ? String(v) : null

/** Dollars as written (`3200`, `3200.5`, `3200.05`) to integer cents, or null when not an amount. */
export const dollarsToCents = (v: unknown): number | null => {
  const m = AMOUNT.exec(text(v) ?? "")
  return m === null ? null : Number(m[1]) * 100 + Number((m[2] ?? "").padEnd(2, "0"))
}

type Issue = (field: string, message: string) => void

const parseFields = (raw: Readonly<Record<string, unknown>>, issue: Issue) => {
  const verifiedAt = text(raw["baselineVerifiedAt"])
  if (!given(raw["baselineVerifiedAt"])) issue("baselineVerifiedAt", "required when a baseline is given (when its figures were verified)")
  else if (verifiedAt === null || !Instant.safeParse(verifiedAt).success) issue("baselineVerifiedAt", "expected an ISO-8601 instant with a zone (2025-11-20T00:00:00Z)")
  const income = given(raw["baselineMonthlyIncome"]) ? dollarsToCents(raw["baselineMonthlyIncome"]) : null
  if (given(raw["baselineMonthlyIncome"]) && income === null) issue("baselineMonthlyIncome", "expected dollars with at most two decimals and no sign or separators (3200.00)")
  const hoursText = text(raw["baselineWeeklyHours"])
  const hours = given(raw["baselineWeeklyHours"]) && hoursText !== null && HOURS.test(hoursText) && Number(hoursText) <= 168 ? Number(hoursText) : null
  if (given(raw["baselineWeeklyHours"]) && hours === null) issue("baselineWeeklyHours", "expected hours a week between 0 and 168, at most two decimals (37.5)")
  const employer = given(raw["baselineEmployer"]) ? text(raw["baselineEmployer"]) : null
  if (given(raw["baselineEmployer"]) && employer === null) issue("baselineEmployer", "expected the employer's name as text")
  const frequency = given(raw["baselinePayFrequency"]) ? PayFrequency.safeParse(text(raw["baselinePayFrequency"])) : null
  if (frequency !== null && !frequency.success) issue("baselinePayFrequency", `expected one of ${PayFrequency.options.join(", ")}`)
  if (frequency !== null && employer === null) issue("baselinePayFrequency", "a pay frequency needs baselineEmployer (whose frequency it is)")
  return { verifiedAt, income, hours, employer, frequency: frequency?.success === true ? frequency.data : "unknown" as const }
}

/**
 * The baseline of one imported row, or null when the row has none. Problems are pushed to
 * `issues` with the row's line.
 *
 * @example
 * baselineFromColumns({ baselineVerifiedAt: "2025-11-20T00:00:00Z", baselineMonthlyIncome: "3200.00" }, null, 4, issues)
 * // { source: "import", verifiedAt: "2025-11-20T00:00:00Z", product: "income", monthlyIncomeCents: 320000, weeklyHours: null, employers: [] }
 */
export const baselineFromColumns = (
  raw: Readonly<Record<string, unknown>>, product: Product | null, line: number, issues: Array<ImportIssue>
): Baseline | null => {
  if (!BASELINE_COLUMNS.some((c) => given(raw[c]))) return null
  const before = issues.length
  const f = parseFields(raw, (field, message) => issues.push({ line, field, message }))
  if (issues.length > before) return null
  return Baseline.parse({
    source: "import", verifiedAt: f.verifiedAt, product: product ?? "income", monthlyIncomeCents: f.income, weeklyHours: f.hours,
    employers: f.employer === null ? [] : [{ name: f.employer, payFrequency: f.frequency, monthlyIncomeCents: f.income }]
  })
}
