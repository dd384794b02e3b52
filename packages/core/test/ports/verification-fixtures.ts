/**
 * Realistic verification records for the store contract and the admin CLI's tests, built with
 * core's own results functions (a snapshot, then `assessVerification`), so what a store keeps is
 * what the scheduler would save: two employers (a bi-weekly one with full pay statements, and a
 * semi-monthly one with an EIN, a rate and an unknown frequency code kept raw), a data note, and a
 * classification against an imported baseline or the previous snapshot.
 */
import {
  assessVerification, type Baseline, Baseline as BaselineSchema, type BaselineInput, type EmployerRecord, type IncomeSnapshot,
  type Statement, type VerificationRecord, type VerificationVia
} from "@recert/core"

const DAY_MS = 86_400_000

/** A pay statement with every field set: hours, buckets, earnings and deduction lines. */
export const fullStatement = (payDate: string, grossCents: number, hours: number | null): Statement => {
  const day = Date.parse(`${payDate}T00:00:00Z`)
  const overtime = hours !== null && hours > 80 ? Math.round(grossCents * 0.1) : 0
  return {
    id: `st-${payDate}`, payDate, periodStart: new Date(day - 18 * DAY_MS).toISOString().slice(0, 10),
    periodEnd: new Date(day - 5 * DAY_MS).toISOString().slice(0, 10), grossCents, netCents: Math.round(grossCents * 0.78),
    grossYtdCents: null, netYtdCents: null, hours, basisOfPay: hours === null ? "S" : "H",
    buckets: { regularCents: grossCents - overtime, overtimeCents: overtime, bonusCents: null, commissionCents: null, otherPayCents: null },
    earnings: [
      { name: "Regular", category: "regular", amountCents: grossCents - overtime, rateCents: 2_250, units: hours },
      ...(overtime > 0 ? [{ name: "Overtime 1.5x", category: "overtime", amountCents: overtime, rateCents: 3_375, units: 4.5 }] : [])
    ],
    deductions: [{ name: "Federal income tax", category: "federal_tax", amountCents: Math.round(grossCents * 0.12) }, { name: "401k", category: null, amountCents: null }]
  }
}

/** Bi-weekly pay dates ending on `last`, `count` of them, oldest first. */
const biweekly = (last: string, count: number): Array<string> =>
  Array.from({ length: count }, (_, i) => new Date(Date.parse(`${last}T00:00:00Z`) - (count - 1 - i) * 14 * DAY_MS).toISOString().slice(0, 10))

export interface SnapshotFigures {
  /** The order the report belongs to. */
  readonly orderId: string
  /** When it was fetched (ISO, canonical). */
  readonly fetchedAt: string
  /** The hospital's bi-weekly gross. */
  readonly grossCents?: number
  readonly hours?: number
  /** The hospital's last pay date. */
  readonly lastPayDate?: string
  /** Whether the second employer (semi-monthly, with an EIN) is in the report. */
  readonly secondEmployer?: boolean
}

const hospital = (f: SnapshotFigures): EmployerRecord => ({
  employmentId: "emp-riverside", name: "Riverside Health Services", ein: null, jobTitle: "Patient care technician",
  status: { state: "active", confidence: "confirmed", why: "active (reported by the payroll provider)" },
  startDate: "2023-03-06", originalHireDate: "2021-08-16", endDate: null, payFrequency: "BW", payFrequencyCode: null,
  rate: { incomeCents: 2_250, incomeUnit: "HOURLY", payRateCents: null },
  statements: biweekly(f.lastPayDate ?? "2026-11-20", 7).map((d, i) => fullStatement(d, (f.grossCents ?? 180_000) + (i === 3 ? 18_000 : 0), f.hours ?? 80))
})

const pantry = (f: SnapshotFigures): EmployerRecord => ({
  employmentId: "emp-pantry", name: "Northside Pantry Co-op", ein: "12-3456789", jobTitle: null,
  status: { state: "active", confidence: "derived", why: "active (derived by the data vendor, not reported by the payroll provider)" },
  startDate: "2026-06-01", originalHireDate: null, endDate: null, payFrequency: "SM", payFrequencyCode: "SMX",
  rate: { incomeCents: 1_200_000, incomeUnit: "YEARLY", payRateCents: 50_000 },
  // Only what was paid by the fetch: a report never holds a later statement.
  statements: ["2026-09-15", "2026-09-30", "2026-10-15", "2026-10-31", "2026-11-15"].filter((d) => d <= f.fetchedAt.slice(0, 10))
    .map((d) => fullStatement(d, 50_000, null))
})

/** A two-employer income snapshot (the second employer unless `secondEmployer: false`). */
export const incomeSnapshot = (f: SnapshotFigures): IncomeSnapshot => ({
  source: { provider: "truv", orderId: f.orderId, fetchedAt: f.fetchedAt, report: "order" },
  product: "income",
  employers: [hospital(f), ...(f.secondEmployer === false ? [] : [pantry(f)])],
  issues: [{ path: "employers[1].employments[0].pay_frequency", problem: "unknown-code", severity: "note", message: "unknown pay frequency code, kept as given" }]
})

/** The baseline an import would supply for the contract's case. */
export const IMPORTED_BASELINE: BaselineInput = {
  source: "import", verifiedAt: "2025-11-20T00:00:00.000Z", product: "income", monthlyIncomeCents: 390_000, weeklyHours: 40,
  employers: [{ name: "Riverside Health Services", payFrequency: "BW", monthlyIncomeCents: 390_000 }]
}

export interface RecordOptions extends SnapshotFigures {
  readonly caseId?: string
  readonly via?: VerificationVia
  readonly attemptId?: string | null
  /** The previous verification's snapshot (else the imported baseline, if given). */
  readonly previous?: IncomeSnapshot | null
  readonly importedBaseline?: Baseline | null
}

/**
 * A verification as the scheduler would save it: the snapshot, assessed at its fetch instant.
 *
 * @example
 * const first = verificationRecord({ orderId: "ord-2", fetchedAt: "2026-11-22T10:00:00.000Z", importedBaseline: BaselineSchema.parse(IMPORTED_BASELINE) })
 */
export const verificationRecord = (o: RecordOptions): VerificationRecord => {
  const snapshot = incomeSnapshot(o)
  const now = Date.parse(o.fetchedAt)
  return {
    caseId: o.caseId ?? "case-17", orderId: o.orderId, attemptId: o.attemptId === undefined ? `att-${o.orderId}` : o.attemptId,
    via: o.via ?? "refresh", verifiedAt: o.fetchedAt, snapshot,
    result: assessVerification(snapshot, { now, previous: o.previous ?? null, importedBaseline: o.importedBaseline ?? null }),
    raw: { order: { id: o.orderId, status: "completed", employers: [{ id: "emp-1", employments: [] }] }, links: [{ pay_frequency: "SMX", gross: "1800.00" }] }
  }
}

export const importedBaseline = (): Baseline => BaselineSchema.parse(IMPORTED_BASELINE)
