/**
 * Renders a generated pay history as Truv's `employments[]` (truv-reports-notes §2.2-2.3):
 * decimal strings for amounts and hours, `YYYY-MM-DD` dates, pay-frequency and income-unit codes,
 * the company and the profile (SSN masked: `XXXXX` + last four), statements newest first. For the
 * employment product (VOE) the income fields (`income`, `income_unit`, `pay_rate`,
 * `pay_frequency`, `statements`, `annual_income_summary`, `w2s`, `bank_accounts`) are null.
 */
import { isoDay } from "./civil-date.js"
import { decimal, divRound } from "./money.js"
import { effectiveAnnualSalary, hoursPerPeriod } from "./pay-lines.js"
import type { EmploymentHistory, PayHistory, PayStatement } from "./pay-model.js"
import { PERIODS_PER_YEAR } from "./pay-schedule.js"
import type { PayHistorySpec, PayTerms } from "./pay-spec.js"
import { derivedId } from "./pay-history.js"

export type ReportProduct = "income" | "employment"

const CDN = "https://cdn.truv.com/sandbox"

export function employmentsJson(history: PayHistory, spec: PayHistorySpec, seed: number, product: ReportProduct): Array<Record<string, unknown>> {
  return history.employments.map((e) => ({
    id: e.id,
    is_active: e.isActive,
    job_title: e.jobTitle,
    job_type: e.jobType,
    start_date: e.startDate,
    original_hire_date: e.startDate,
    end_date: e.endDate,
    external_last_updated: history.asOf.slice(0, 10),
    dates_from_statements: false,
    derived_fields: [],
    missing_data_fields: [],
    manager_name: null,
    company: companyJson(e),
    profile: profileJson(spec, seed),
    ...(product === "employment" ? VOE_NULLS : incomeFields(e, seed))
  }))
}

const VOE_NULLS = { income: null, income_unit: null, pay_rate: null, pay_frequency: null, statements: null, annual_income_summary: null, w2s: null, bank_accounts: null }

function incomeFields(e: EmploymentHistory, seed: number): Record<string, unknown> {
  return {
    ...rateFields(e.terms),
    statements: [...e.statements].reverse().map(statementJson),
    annual_income_summary: e.annualSummaries.map((a) => ({
      year: a.year, gross_pay: decimal(a.gross), net_pay: decimal(a.net), regular: decimal(a.regular),
      overtime: decimal(a.overtime), bonus: decimal(a.bonus), commission: "0.00", other_pay: "0.00"
    })),
    w2s: e.w2s.map((w) => ({
      year: w.year, file: `${CDN}/w2/${e.id}-${w.year}.pdf`, wages: decimal(w.wages), federal_tax: decimal(w.federalTax),
      social_security_wages: decimal(w.socialSecurityWages), social_security_tax: decimal(w.socialSecurityTax),
      medicare_wages: decimal(w.medicareWages), medicare_tax: decimal(w.medicareTax)
    })),
    bank_accounts: [{
      account_number: `****${String(parseInt(derivedId(seed, `account:${e.index}`).slice(0, 6), 16) % 10_000).padStart(4, "0")}`,
      routing_number: "123456780", account_name: null, account_type: "C", deposit_type: "P", deposit_value: "100.00", bank_name: "Sandbox Credit Union"
    }]
  }
}

/** `income` in `income_unit` (an hourly rate, or the salary pro rata to the hours) and `pay_rate` per cycle; irregular pay has no cycle. */
export function rateFields(terms: PayTerms): { income: string; income_unit: string; pay_rate: string | null; pay_frequency: string | null } {
  const irregular = terms.payFrequency === "irregular"
  const income = terms.incomeUnit === "HOURLY" ? terms.rateCents : effectiveAnnualSalary(terms)
  const perCycle = irregular ? null
    : terms.incomeUnit === "HOURLY" ? divRound(terms.rateCents * hoursPerPeriod(terms), 100)
    : divRound(effectiveAnnualSalary(terms), PERIODS_PER_YEAR[terms.payFrequency])
  return { income: decimal(income), income_unit: terms.incomeUnit, pay_rate: perCycle === null ? null : decimal(perCycle), pay_frequency: irregular ? null : terms.payFrequency }
}

export function statementJson(s: PayStatement): Record<string, unknown> {
  const bucket = (category: string) => s.earnings.filter((e) => e.category === category).reduce((a, e) => a + e.amount, 0)
  return {
    id: s.id, check_number: s.checkNumber, pay_date: s.payDate, period_start: s.periodStart, period_end: s.periodEnd,
    gross_pay: decimal(s.gross), net_pay: decimal(s.net), gross_pay_ytd: decimal(s.ytd.gross), net_pay_ytd: decimal(s.ytd.net),
    regular: decimal(bucket("regular")), regular_ytd: decimal(s.ytd.regular),
    overtime: decimal(bucket("overtime")), overtime_ytd: decimal(s.ytd.overtime),
    bonus: decimal(bucket("bonus")), bonus_ytd: decimal(s.ytd.bonus),
    commission: "0.00", commission_ytd: "0.00", other_pay: "0.00", other_pay_ytd: "0.00",
    hours: decimal(s.hours), basis_of_pay: s.terms.incomeUnit === "YEARLY" ? "S" : "H",
    earnings: s.earnings.map((l) => ({ name: l.name, amount: decimal(l.amount), category: l.category, rate: l.rate === null ? null : decimal(l.rate), units: l.units === null ? null : decimal(l.units) })),
    earnings_ytd: s.ytd.earnings.map((l) => ({ name: l.name, amount: decimal(l.amount), category: l.category })),
    deductions: s.deductions.map((l) => ({ name: l.name, amount: decimal(l.amount), category: l.category })),
    deductions_ytd: s.ytd.deductions.map((l) => ({ name: l.name, amount: decimal(l.amount), category: l.category })),
    file: `${CDN}/paystubs/${s.id}.pdf`, md5sum: s.id, derived_fields: [], missing_data_fields: []
  }
}

function companyJson(e: EmploymentHistory): Record<string, unknown> {
  const c = e.employer
  return { name: c.name, phone: c.phone, ein: c.ein, address: { street: c.street, city: c.city, state: c.state, zip: c.zip, country: "US" } }
}

function profileJson(spec: PayHistorySpec, seed: number): Record<string, unknown> {
  const p = spec.person
  // The profile dates from the connection's first employment (stable across refreshes).
  const since = `${isoDay(spec.employments[0]?.startDate ?? 0)}T00:00:00.000Z`
  return {
    id: derivedId(seed, "profile"), first_name: p.firstName, last_name: p.lastName, full_name: `${p.firstName} ${p.lastName}`,
    middle_initials: "Q", email: p.email ?? `${p.firstName}.${p.lastName}@example.org`.toLowerCase(), ssn: `XXXXX${p.ssn.slice(5)}`, date_of_birth: p.dateOfBirth,
    home_address: { street: "1 Sandbox Way", city: "Portland", state: "OR", zip: "97202", country: "US" },
    created_at: since, updated_at: since
  }
}
