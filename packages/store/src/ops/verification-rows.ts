/**
 * A `VerificationRecord` to its normalised rows and back: the verification row (class, reason
 * codes, source as columns; the classification's parts and the raw JSON as JSON text), one row
 * per employment record and one per pay statement, each with its position so the record is
 * reassembled in the order it was saved. Instants come back in the canonical ISO form
 * (`toISOString()`), like every other instant the store reads back.
 */
import type {
  ChangeResult, DeductionLine, EarningLine, EmployerRecord, IncomeSnapshot, Statement, VerificationRecord, VerificationVia
} from "@recert/core"
import type { Insertable } from "kysely"
import type {
  VerificationEmployerRow, VerificationEmployersTable, VerificationRow, VerificationStatementRow, VerificationStatementsTable, VerificationsTable
} from "../database.js"
import { toIso, toMs } from "../rows.js"

export interface VerificationRows {
  readonly verification: Insertable<VerificationsTable>
  readonly employers: ReadonlyArray<Insertable<VerificationEmployersTable>>
  readonly statements: ReadonlyArray<Insertable<VerificationStatementsTable>>
}

const json = (value: unknown): string => JSON.stringify(value ?? null)
const parse = <A>(text: string): A => JSON.parse(text) as A

const statementRow = (key: { case_id: string; order_id: string }, employer: number, position: number, s: Statement): Insertable<VerificationStatementsTable> => ({
  ...key, employer_position: employer, position, statement_id: s.id, pay_date: s.payDate, period_start: s.periodStart, period_end: s.periodEnd,
  gross_cents: s.grossCents, net_cents: s.netCents, gross_ytd_cents: s.grossYtdCents, net_ytd_cents: s.netYtdCents, hours: s.hours,
  basis_of_pay: s.basisOfPay, regular_cents: s.buckets.regularCents, overtime_cents: s.buckets.overtimeCents, bonus_cents: s.buckets.bonusCents,
  commission_cents: s.buckets.commissionCents, other_pay_cents: s.buckets.otherPayCents, earnings: json(s.earnings), deductions: json(s.deductions)
})

const employerRow = (key: { case_id: string; order_id: string }, position: number, e: EmployerRecord): Insertable<VerificationEmployersTable> => ({
  ...key, position, employment_id: e.employmentId, name: e.name, ein: e.ein, job_title: e.jobTitle,
  status_state: e.status.state, status_confidence: e.status.confidence, status_why: e.status.why,
  start_date: e.startDate, original_hire_date: e.originalHireDate, end_date: e.endDate,
  pay_frequency: e.payFrequency, pay_frequency_code: e.payFrequencyCode,
  income_cents: e.rate.incomeCents, income_unit: e.rate.incomeUnit, pay_rate_cents: e.rate.payRateCents,
  has_statements: e.statements === null ? 0 : 1
})

export const verificationToRows = (v: VerificationRecord): VerificationRows => {
  const key = { case_id: v.caseId, order_id: v.orderId }
  const { snapshot: s, result: r } = v
  return {
    verification: {
      ...key, attempt_id: v.attemptId, via: v.via, verified_at: toMs(v.verifiedAt), class: r.class, product: s.product,
      policy_version: r.policyVersion, classified_at: toMs(r.at), reason_codes: json(r.reasons.map((x) => x.code)),
      source_provider: s.source.provider, source_order_id: s.source.orderId, source_fetched_at: toMs(s.source.fetchedAt), source_report: s.source.report,
      issues: json(s.issues), reasons: json(r.reasons), notes: json(r.notes), summary: r.summary === null ? null : json(r.summary),
      baseline: r.baseline === null ? null : json(r.baseline), problems: json(r.problems), raw: json(v.raw)
    },
    employers: s.employers.map((e, i) => employerRow(key, i, e)),
    statements: s.employers.flatMap((e, i) => (e.statements ?? []).map((st, j) => statementRow(key, i, j, st)))
  }
}

const statementFromRow = (r: VerificationStatementRow): Statement => ({
  id: r.statement_id, payDate: r.pay_date, periodStart: r.period_start, periodEnd: r.period_end, grossCents: r.gross_cents, netCents: r.net_cents,
  grossYtdCents: r.gross_ytd_cents, netYtdCents: r.net_ytd_cents, hours: r.hours, basisOfPay: r.basis_of_pay,
  buckets: { regularCents: r.regular_cents, overtimeCents: r.overtime_cents, bonusCents: r.bonus_cents, commissionCents: r.commission_cents, otherPayCents: r.other_pay_cents },
  earnings: parse<Array<EarningLine>>(r.earnings), deductions: parse<Array<DeductionLine>>(r.deductions)
})

const employerFromRow = (r: VerificationEmployerRow, statements: ReadonlyArray<VerificationStatementRow>): EmployerRecord => ({
  employmentId: r.employment_id, name: r.name, ein: r.ein, jobTitle: r.job_title,
  status: { state: r.status_state as EmployerRecord["status"]["state"], confidence: r.status_confidence as EmployerRecord["status"]["confidence"], why: r.status_why },
  startDate: r.start_date, originalHireDate: r.original_hire_date, endDate: r.end_date,
  payFrequency: r.pay_frequency as EmployerRecord["payFrequency"], payFrequencyCode: r.pay_frequency_code,
  rate: { incomeCents: r.income_cents, incomeUnit: r.income_unit as EmployerRecord["rate"]["incomeUnit"], payRateCents: r.pay_rate_cents },
  statements: r.has_statements === 0 ? null : statements.filter((s) => s.employer_position === r.position).map(statementFromRow)
})

/** Reassembles a record from its rows; `employers` and `statements` are this verification's, in position order. */
export const verificationFromRows = (
  v: VerificationRow, employers: ReadonlyArray<VerificationEmployerRow>, statements: ReadonlyArray<VerificationStatementRow>
): VerificationRecord => {
  const snapshot: IncomeSnapshot = {
    source: { provider: v.source_provider, orderId: v.source_order_id, fetchedAt: toIso(v.source_fetched_at), report: v.source_report as IncomeSnapshot["source"]["report"] },
    product: v.product as IncomeSnapshot["product"],
    employers: employers.map((e) => employerFromRow(e, statements)),
    issues: parse<IncomeSnapshot["issues"]>(v.issues)
  }
  const result: ChangeResult = {
    class: v.class as ChangeResult["class"], at: toIso(v.classified_at), policyVersion: v.policy_version,
    reasons: parse<ChangeResult["reasons"]>(v.reasons), notes: parse<ChangeResult["notes"]>(v.notes),
    summary: v.summary === null ? null : parse<ChangeResult["summary"]>(v.summary),
    baseline: v.baseline === null ? null : parse<ChangeResult["baseline"]>(v.baseline),
    problems: parse<ChangeResult["problems"]>(v.problems)
  }
  return {
    caseId: v.case_id, orderId: v.order_id, attemptId: v.attempt_id, via: v.via as VerificationVia, verifiedAt: toIso(v.verified_at),
    snapshot, result, raw: parse<unknown>(v.raw)
  }
}
