/**
 * `summarise(snapshot, window, now)`: the caseworker summary, a pure function of the snapshot,
 * the program window and an explicit `now`. Statements count by their PAY DATE (income is
 * budgeted when received, as the consent-based verification report does), inside the window's
 * UTC calendar days, both ends included; statements dated after now's date are ignored (a
 * what-if at an earlier instant does not see later pay). Records of one employer (a re-hire)
 * are merged; the status, frequency and rate are the latest period's.
 */
import { dayNumber, utcDayOf } from "./calendar-date.js"
import { annualiseRate, annualiseStatements } from "./annualise.js"
import { employerKey } from "./employer-key.js"
import type { EmployerRecord, IncomeSnapshot, Statement } from "./income-snapshot.js"
import type { EmployerSummary, IncomeSummary, SummaryTotal } from "./income-summary.js"
import { monthlyTotals, sumMonthly } from "./monthly-totals.js"
import type { ProgramWindow, ResolvedWindow } from "./program-window.js"
import { resolveWindow } from "./program-window.js"

/** A statement that can be counted: a pay date and a gross. */
export interface PaidStatement { readonly day: number; readonly statement: Statement & { grossCents: number } }

const round2 = (x: number): number => Math.round(x * 100) / 100
const paidOf = (s: Statement): PaidStatement | null =>
  s.payDate === null || s.grossCents === null ? null : { day: dayNumber(s.payDate), statement: s as PaidStatement["statement"] }

/** Records grouped per employer, in order of first appearance, the latest period last. */
const groupRecords = (records: ReadonlyArray<EmployerRecord>): Array<[string, Array<EmployerRecord>]> => {
  const groups = new Map<string, Array<EmployerRecord>>()
  for (const r of records) {
    const key = employerKey(r)
    const list = groups.get(key) ?? []
    list.push(r)
    groups.set(key, list)
  }
  const since = (r: EmployerRecord) => r.startDate ?? r.originalHireDate ?? ""
  return [...groups].map(([k, list]) => [k, [...list].sort((a, b) => since(a).localeCompare(since(b)))])
}

/** The figures shared by an employer and the total, from paid statements up to today. */
const figures = (paid: ReadonlyArray<PaidStatement>, w: ResolvedWindow, today: number) => {
  const inWindow = paid.filter((p) => p.day >= w.fromDay && p.day <= w.toDay)
  const hours = inWindow.flatMap((p) => (p.statement.hours === null ? [] : [p.statement.hours]))
  const hoursSum = hours.reduce((a, b) => a + b, 0)
  const last = paid.reduce((m, p) => Math.max(m, p.day), -Infinity)
  const lastPay = Number.isFinite(last) ? paid.find((p) => p.day === last)!.statement.payDate : null
  return {
    inWindow, hours,
    statementsInWindow: inWindow.length,
    grossCents: inWindow.reduce((a, p) => a + p.statement.grossCents, 0),
    netCents: inWindow.reduce((a, p) => a + (p.statement.netCents ?? 0), 0),
    monthly: monthlyTotals(inWindow, w),
    averageHoursPerStatement: hours.length === 0 ? null : round2(hoursSum / hours.length),
    weeklyHours: hours.length === 0 ? null : round2((hoursSum * 7) / w.days),
    lastPayDate: lastPay,
    daysSinceLastPay: lastPay === null ? null : today - last
  }
}

const employerSummary = (key: string, records: ReadonlyArray<EmployerRecord>, w: ResolvedWindow, today: number): EmployerSummary => {
  const latest = records[records.length - 1]!
  const paid = records.flatMap((r) => (r.statements ?? []).flatMap((s) => paidOf(s) ?? [])).filter((p) => p.day <= today)
  const { inWindow, hours, ...f } = figures(paid, w, today)
  const fromStatements = annualiseStatements(latest.payFrequency, inWindow.map((p) => p.statement.grossCents), w.days)
  const ended = latest.status.state === "ended"
  return {
    key, name: latest.name, status: latest.status, payFrequency: latest.payFrequency,
    startDate: latest.startDate, endDate: latest.endDate, periods: records.length, ...f,
    annualisedFromStatements: fromStatements,
    annualisedFromRate: annualiseRate(latest.payFrequency, latest.rate, hours),
    monthlyIncome: ended ? { cents: 0, method: "employment ended" }
      : fromStatements.cents === null ? { cents: null, method: fromStatements.method }
      : { cents: Math.round(fromStatements.cents / 12), method: "annualised from statements / 12" }
  }
}

const sumOrNull = (xs: ReadonlyArray<number | null>): number | null =>
  xs.some((x) => x !== null) ? xs.reduce<number>((a, x) => a + (x ?? 0), 0) : null
const summed = (cents: number | null) => ({ cents, basis: cents === null ? "none" as const : "sum" as const, multiplier: null, method: "sum over employers" })

const totalOf = (employers: ReadonlyArray<EmployerSummary>, w: ResolvedWindow): SummaryTotal => {
  const lastDays = employers.flatMap((e) => (e.daysSinceLastPay === null ? [] : [e.daysSinceLastPay]))
  const minDays = lastDays.length === 0 ? null : Math.min(...lastDays)
  const hoursStatements = employers.reduce((a, e) => a + (e.averageHoursPerStatement === null ? 0 : e.statementsInWindow), 0)
  const hoursSum = employers.reduce((a, e) => a + (e.averageHoursPerStatement ?? 0) * e.statementsInWindow, 0)
  const weekly = sumOrNull(employers.map((e) => e.weeklyHours))
  return {
    statementsInWindow: employers.reduce((a, e) => a + e.statementsInWindow, 0),
    grossCents: employers.reduce((a, e) => a + e.grossCents, 0),
    netCents: employers.reduce((a, e) => a + e.netCents, 0),
    monthly: sumMonthly(employers.map((e) => e.monthly), w),
    averageHoursPerStatement: hoursStatements === 0 ? null : round2(hoursSum / hoursStatements),
    weeklyHours: weekly === null ? null : round2(weekly),
    lastPayDate: employers.reduce<string | null>((m, e) => (e.lastPayDate !== null && (m === null || e.lastPayDate > m) ? e.lastPayDate : m), null),
    daysSinceLastPay: minDays,
    annualisedFromStatements: summed(sumOrNull(employers.map((e) => e.annualisedFromStatements.cents))),
    annualisedFromRate: summed(sumOrNull(employers.map((e) => e.annualisedFromRate.cents))),
    monthlyIncome: { cents: sumOrNull(employers.map((e) => e.monthlyIncome.cents)), method: "sum over employers" }
  }
}

/**
 * @example
 * const summary = summarise(snapshot, { kind: "last-days", days: 90 }, Date.parse("2026-11-22T10:00:00Z"))
 * summary.total.monthly        // [{ month: "2026-08", partial: true, grossCents: ... }, ...]
 */
export const summarise = (snapshot: IncomeSnapshot, window: ProgramWindow, nowMs: number): IncomeSummary => {
  const w = resolveWindow(window, nowMs)
  const today = utcDayOf(nowMs)
  const employers = groupRecords(snapshot.employers).map(([key, records]) => employerSummary(key, records, w, today))
  return {
    at: new Date(nowMs).toISOString(),
    window: { spec: w.spec, from: w.from, to: w.to, days: w.days, label: w.label },
    product: snapshot.product,
    employers,
    total: totalOf(employers, w)
  }
}
