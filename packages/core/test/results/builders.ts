/**
 * Builders for the results tests: a statement, an employer record and a snapshot with every
 * field defaulted, so each test states only what it is about. NOW is 2026-11-22 10:00 UTC.
 */
import type { EmployerRecord, IncomeSnapshot, Statement } from "@recert/core"

export const NOW = Date.parse("2026-11-22T10:00:00.000Z")

export const stmt = (payDate: string | null, grossCents: number | null, patch: Partial<Statement> = {}): Statement => ({
  id: `st-${payDate}`, payDate, periodStart: null, periodEnd: null, grossCents, netCents: grossCents === null ? null : Math.round(grossCents * 0.8),
  grossYtdCents: null, netYtdCents: null, hours: null, basisOfPay: null,
  buckets: { regularCents: null, overtimeCents: null, bonusCents: null, commissionCents: null, otherPayCents: null },
  earnings: [], deductions: [], ...patch
})

export const employer = (name: string | null, statements: Array<Statement> | null, patch: Partial<EmployerRecord> = {}): EmployerRecord => ({
  employmentId: `emp-${name}`, name, ein: null, jobTitle: null,
  status: { state: "active", confidence: "confirmed", why: "active (reported by the payroll provider)" },
  startDate: "2023-03-06", originalHireDate: "2021-08-16", endDate: null,
  payFrequency: "BW", payFrequencyCode: null,
  rate: { incomeCents: null, incomeUnit: null, payRateCents: null },
  statements, ...patch
})

export const ended = (endDate: string): Partial<EmployerRecord> => ({
  endDate, status: { state: "ended", confidence: "confirmed", why: `not active, ended ${endDate} (reported by the payroll provider)` }
})

export const snapshot = (employers: Array<EmployerRecord>, patch: Partial<IncomeSnapshot> = {}): IncomeSnapshot => ({
  source: { provider: "truv", orderId: "ord-2", fetchedAt: new Date(NOW).toISOString(), report: "order" },
  product: "income", employers, issues: [], ...patch
})

/** Pay dates every `step` days back from `last` (inclusive), `count` of them, oldest first. */
export const every = (last: string, step: number, count: number): Array<string> =>
  Array.from({ length: count }, (_, i) => new Date(Date.parse(`${last}T00:00:00Z`) - (count - 1 - i) * step * 86_400_000).toISOString().slice(0, 10))

/** Statements of `cents` on each date. */
export const paid = (dates: Array<string>, cents: number, patch: Partial<Statement> = {}): Array<Statement> => dates.map((d) => stmt(d, cents, patch))
