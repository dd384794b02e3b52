/**
 * The change checks, one function per code, each reading only the current summary, the baseline
 * and the results policy. The classifier runs every one of them (no short-circuit), so a result
 * lists every reason that applies. Employment-only (VOE) verifications have no income figures:
 * the income, hours and pay checks skip them; the employment checks still run.
 */
import type { Baseline, BaselineEmployer } from "./baseline.js"
import type { ChangeReason } from "./change-result.js"
import { sameEmployer } from "./employer-key.js"
import type { EmployerSummary, IncomeSummary } from "./income-summary.js"
import { formatCents, formatDelta } from "./money.js"
import { PAY_FREQUENCY_LABEL } from "./pay-frequency.js"
import type { ResultsPolicy } from "./results-policy.js"

export interface CheckInput {
  readonly summary: IncomeSummary
  readonly baseline: Baseline | null
  readonly policy: ResultsPolicy
}

const asEmployer = (e: EmployerSummary) => ({ name: e.name, ein: e.key.startsWith("ein:") ? e.key.slice(4) : null })
const matchIn = (list: ReadonlyArray<BaselineEmployer>, e: EmployerSummary) => list.find((b) => sameEmployer(asEmployer(e), b)) ?? null
const nameOf = (name: string | null) => name ?? "an unnamed employer"
const pct = (delta: number, base: number): number | null => (base === 0 ? null : Math.round((delta * 1000) / base) / 10)

/** Material: beyond every threshold set (both null: any change at all). */
export const exceedsTolerance = (deltaCents: number, previousCents: number, tol: ResultsPolicy["income"]): boolean => {
  const abs = Math.abs(deltaCents)
  if (abs === 0) return false
  const overAbsolute = tol.monthlyCents === null || abs > tol.monthlyCents
  const overPercent = tol.percent === null || abs * 100 > tol.percent * previousCents
  return overAbsolute && overPercent
}

const toleranceWords = (tol: ResultsPolicy["income"]): string =>
  [tol.monthlyCents === null ? null : `${formatCents(tol.monthlyCents)} a month`, tol.percent === null ? null : `${tol.percent} %`]
    .filter((x) => x !== null).join(" and ") || "none"

/** `income.up` / `income.down`: monthly income moved beyond the tolerance. */
export const incomeChange = ({ summary, baseline, policy }: CheckInput): Array<ChangeReason> => {
  const previous = baseline?.monthlyIncomeCents ?? null
  const current = summary.total.monthlyIncome.cents
  if (summary.product !== "income" || previous === null || current === null) return []
  const delta = current - previous
  if (!exceedsTolerance(delta, previous, policy.income)) return []
  const percent = pct(delta, previous)
  return [{
    code: delta > 0 ? "income.up" : "income.down",
    message: `Monthly income went ${delta > 0 ? "up" : "down"} from ${formatCents(previous)} to ${formatCents(current)} (${formatDelta(delta)}${percent === null ? "" : `, ${percent > 0 ? "+" : ""}${percent} %`}); the tolerance is ${toleranceWords(policy.income)}`,
    data: { previousMonthlyCents: previous, currentMonthlyCents: current, deltaCents: delta, percent, toleranceMonthlyCents: policy.income.monthlyCents, tolerancePercent: policy.income.percent }
  }]
}

/** `hours.down`: weekly hours fell by more than `hoursDownPercent`. */
export const hoursDown = ({ summary, baseline, policy }: CheckInput): Array<ChangeReason> => {
  const previous = baseline?.weeklyHours ?? null
  const current = summary.total.weeklyHours
  if (previous === null || current === null || previous <= 0) return []
  if ((previous - current) * 100 <= policy.hoursDownPercent * previous) return []
  const percent = Math.round(((current - previous) * 1000) / previous) / 10
  return [{
    code: "hours.down",
    message: `Hours went down from ${previous} to ${current} a week (${percent} %; the tolerance is ${policy.hoursDownPercent} %)`,
    data: { previousWeeklyHours: previous, currentWeeklyHours: current, percent, tolerancePercent: policy.hoursDownPercent }
  }]
}

/** `employment.ended`: an employment ended that was not already ended in the baseline. */
export const employmentEnded = ({ summary, baseline }: CheckInput): Array<ChangeReason> =>
  summary.employers.filter((e) => e.status.state === "ended" && matchIn(baseline?.employers ?? [], e)?.state !== "ended")
    .map((e) => ({
      code: "employment.ended" as const,
      message: `Employment at ${nameOf(e.name)} ended${e.endDate === null ? "" : ` on ${e.endDate}`} (${e.status.confidence === "confirmed" ? "reported by the payroll provider" : "not confirmed by the payroll provider"})`,
      data: { employer: e.name, endDate: e.endDate, confidence: e.status.confidence, lastPayDate: e.lastPayDate }
    }))

/** `employer.new`: an employer the baseline did not have. */
export const employerNew = ({ summary, baseline }: CheckInput): Array<ChangeReason> =>
  baseline === null ? [] : summary.employers.filter((e) => matchIn(baseline.employers, e) === null).map((e) => ({
    code: "employer.new" as const,
    message: `New employer since ${baseline.verifiedAt.slice(0, 10)}: ${nameOf(e.name)}${e.startDate === null ? "" : `, started ${e.startDate}`}`,
    data: { employer: e.name, startDate: e.startDate, monthlyIncomeCents: e.monthlyIncome.cents }
  }))

/** `employer.missing`: an employer of the baseline, not ended there, absent from this report. */
export const employerMissing = ({ summary, baseline }: CheckInput): Array<ChangeReason> =>
  (baseline?.employers ?? []).filter((b) => b.state !== "ended" && !summary.employers.some((e) => sameEmployer(asEmployer(e), b)))
    .map((b) => ({
      code: "employer.missing" as const,
      message: `${nameOf(b.name)} was an employer on ${baseline!.verifiedAt.slice(0, 10)} and is not in this report; ask whether the job continues`,
      data: { employer: b.name, previousMonthlyIncomeCents: b.monthlyIncomeCents }
    }))

/** `pay.none`: an employment not ended with no pay in more than `noPayDays` days. */
export const payNone = ({ summary, policy }: CheckInput): Array<ChangeReason> =>
  summary.product !== "income" ? [] : summary.employers
    .filter((e) => e.status.state !== "ended" && (e.daysSinceLastPay === null || e.daysSinceLastPay > policy.noPayDays))
    .map((e) => ({
      code: "pay.none" as const,
      message: e.lastPayDate === null ? `No pay from ${nameOf(e.name)} in the report, though the employment has not ended`
        : `No pay from ${nameOf(e.name)} in ${e.daysSinceLastPay} days (last paid ${e.lastPayDate}; more than ${policy.noPayDays})`,
      data: { employer: e.name, lastPayDate: e.lastPayDate, daysSinceLastPay: e.daysSinceLastPay, noPayDays: policy.noPayDays }
    }))

/** `pay.frequency-changed`: the same employer pays on another cadence (unknown on either side: not judged). */
export const frequencyChanged = ({ summary, baseline }: CheckInput): Array<ChangeReason> =>
  summary.employers.flatMap((e) => {
    const b = matchIn(baseline?.employers ?? [], e)
    if (b === null || b.payFrequency === "unknown" || e.payFrequency === "unknown" || b.payFrequency === e.payFrequency) return []
    return [{
      code: "pay.frequency-changed" as const,
      message: `${nameOf(e.name)} now pays ${PAY_FREQUENCY_LABEL[e.payFrequency]} (was ${PAY_FREQUENCY_LABEL[b.payFrequency]})`,
      data: { employer: e.name, previous: b.payFrequency, current: e.payFrequency }
    }]
  })

/** Note `status.uncertain`: a status the payroll provider did not report itself. */
export const statusUncertain = ({ summary }: CheckInput): Array<ChangeReason> =>
  summary.employers.filter((e) => e.status.confidence !== "confirmed").map((e) => ({
    code: "status.uncertain" as const,
    message: `The status of ${nameOf(e.name)} is ${e.status.state}: ${e.status.why}`,
    data: { employer: e.name, state: e.status.state, confidence: e.status.confidence }
  }))

/** Every check whose reasons make the class `review`. */
export const CHANGE_CHECKS: ReadonlyArray<(input: CheckInput) => Array<ChangeReason>> = [
  incomeChange, hoursDown, employmentEnded, employerNew, employerMissing, payNone, frequencyChanged
]
