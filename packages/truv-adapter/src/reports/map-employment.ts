/**
 * One Truv employment (truv-reports-notes §2.2, §2.3) onto core's `EmployerRecord`: amounts to
 * integer cents, both date formats to calendar dates, codes kept open (an unknown pay frequency
 * is `unknown` with its raw code), the status from `is_active` + `end_date` through core's
 * `employmentStatusOf`. `C` (commission) pay has no fixed cadence: `irregular`.
 */
import { type EmployerRecord, employmentStatusOf, type IncomeUnit, type PayFrequency, type Statement } from "@recert/core"
import type { FieldReader } from "./field-reader.js"
import type { EmploymentJson, StatementJson } from "./report-schemas.js"

const FREQUENCIES = ["W", "BW", "SM", "M", "SA", "A", "C"] as const
const UNITS = ["YEARLY", "MONTHLY", "WEEKLY", "DAILY", "HOURLY"] as const

const lines = <T>(value: ReadonlyArray<Record<string, unknown>> | null | undefined, map: (line: Record<string, unknown>, i: number) => T): Array<T> =>
  (value ?? []).map(map)

export const mapStatement = (r: FieldReader, s: StatementJson, path: string): Statement => ({
  id: r.text(s.id),
  payDate: r.date(s.pay_date, `${path}.pay_date`, true),
  periodStart: r.date(s.period_start, `${path}.period_start`),
  periodEnd: r.date(s.period_end, `${path}.period_end`),
  grossCents: r.cents(s.gross_pay, `${path}.gross_pay`, true),
  netCents: r.cents(s.net_pay, `${path}.net_pay`),
  grossYtdCents: r.cents(s.gross_pay_ytd, `${path}.gross_pay_ytd`),
  netYtdCents: r.cents(s.net_pay_ytd, `${path}.net_pay_ytd`),
  hours: r.quantity(s.hours, `${path}.hours`),
  basisOfPay: r.text(s.basis_of_pay),
  buckets: {
    regularCents: r.cents(s.regular, `${path}.regular`),
    overtimeCents: r.cents(s.overtime, `${path}.overtime`),
    bonusCents: r.cents(s.bonus, `${path}.bonus`),
    commissionCents: r.cents(s.commission, `${path}.commission`),
    otherPayCents: r.cents(s.other_pay, `${path}.other_pay`)
  },
  earnings: lines(s.earnings, (e, i) => ({
    name: r.text(e.name), category: r.text(e.category),
    amountCents: r.cents(e.amount, `${path}.earnings[${i}].amount`),
    rateCents: r.cents(e.rate, `${path}.earnings[${i}].rate`),
    units: r.quantity(e.units, `${path}.earnings[${i}].units`)
  })),
  deductions: lines(s.deductions, (d, i) => ({
    name: r.text(d.name), category: r.text(d.category), amountCents: r.cents(d.amount, `${path}.deductions[${i}].amount`)
  }))
})

const frequencyOf = (r: FieldReader, value: unknown, path: string): { payFrequency: PayFrequency; payFrequencyCode: string | null } => {
  const { code, raw } = r.code(value, FREQUENCIES, path)
  if (code === null) return { payFrequency: "unknown", payFrequencyCode: raw }
  return { payFrequency: code === "C" ? "irregular" : code, payFrequencyCode: code === "C" ? "C" : null }
}

export const mapEmployment = (r: FieldReader, e: EmploymentJson, path: string): EmployerRecord => {
  const endDate = r.date(e.end_date, `${path}.end_date`)
  const unit = r.code(e.income_unit, UNITS, `${path}.income_unit`)
  return {
    employmentId: r.text(e.id),
    name: r.text(e.company?.name),
    ein: r.text(e.company?.ein),
    jobTitle: r.text(e.job_title),
    status: employmentStatusOf({
      isActive: r.flag(e.is_active, `${path}.is_active`), endDate,
      activeDerived: r.strings(e.derived_fields).includes("is_active")
    }),
    startDate: r.date(e.start_date, `${path}.start_date`),
    originalHireDate: r.date(e.original_hire_date, `${path}.original_hire_date`),
    endDate,
    ...frequencyOf(r, e.pay_frequency, `${path}.pay_frequency`),
    rate: {
      incomeCents: r.cents(e.income, `${path}.income`),
      incomeUnit: unit.code ?? (unit.raw === null ? null : "unknown" satisfies IncomeUnit),
      payRateCents: r.cents(e.pay_rate, `${path}.pay_rate`)
    },
    statements: e.statements === null || e.statements === undefined ? null
      : e.statements.map((s, i) => mapStatement(r, s, `${path}.statements[${i}]`))
  }
}
