/**
 * The report the in-memory Truv gives for a finished order: simple, deterministic data, so a
 * workflow test can assert its verification exactly. Each connection whose refresh ended `done`
 * is one active employer paying bi-weekly $2,000.00 gross for 80 hours, pay dates every 14 days
 * back from the read's date (7 statements, about the default 90-day window); an employment
 * (VOE) read carries no income fields. A test replaces a connection's employers with
 * `setEmployers` to script a change (a pay cut, a job that ended).
 */
import { toIso } from "../engine/time.js"
import { employmentStatusOf } from "../results/employment-status.js"
import type { EmployerRecord, IncomeSnapshot, SnapshotProduct, Statement } from "../results/income-snapshot.js"
import type { TruvOrder } from "./truv-gateway.js"

const DAY_MS = 86_400_000

/** The default gross of one in-memory pay statement, in cents. */
export const IN_MEMORY_GROSS_CENTS = 200_000

const statement = (linkId: string, payDay: number, n: number): Statement => ({
  id: `${linkId}-stmt-${n}`,
  payDate: toIso(payDay).slice(0, 10),
  periodStart: toIso(payDay - 18 * DAY_MS).slice(0, 10),
  periodEnd: toIso(payDay - 5 * DAY_MS).slice(0, 10),
  grossCents: IN_MEMORY_GROSS_CENTS, netCents: 160_000, grossYtdCents: null, netYtdCents: null,
  hours: 80, basisOfPay: "H",
  buckets: { regularCents: IN_MEMORY_GROSS_CENTS, overtimeCents: 0, bonusCents: 0, commissionCents: 0, otherPayCents: 0 },
  earnings: [], deductions: []
})

/** The default employer of a connection at `fetchedAt` (ms). */
export const inMemoryEmployer = (linkId: string, product: SnapshotProduct, fetchedAt: number): EmployerRecord => {
  const today = Math.floor(fetchedAt / DAY_MS) * DAY_MS
  const income = product === "income"
  return {
    employmentId: `${linkId}-employment`, name: `Employer of ${linkId}`, ein: null, jobTitle: "Associate",
    status: employmentStatusOf({ isActive: true, endDate: null, activeDerived: false }), startDate: "2020-01-06", originalHireDate: "2020-01-06", endDate: null,
    payFrequency: income ? "BW" : "unknown", payFrequencyCode: null,
    rate: income ? { incomeCents: 2500, incomeUnit: "HOURLY", payRateCents: IN_MEMORY_GROSS_CENTS } : { incomeCents: null, incomeUnit: null, payRateCents: null },
    statements: income ? Array.from({ length: 7 }, (_, n) => statement(linkId, today - (1 + 14 * n) * DAY_MS, n)) : null
  }
}

/**
 * The snapshot of an order's `done`/`completed` employer suborders at `fetchedAt` (ms).
 * `scripted` gives a connection's employers instead of the default.
 */
export const inMemorySnapshot = (
  order: TruvOrder, product: SnapshotProduct, fetchedAt: number,
  scripted: (linkId: string) => ReadonlyArray<EmployerRecord> | undefined
): IncomeSnapshot => ({
  source: { provider: "in-memory-truv", orderId: order.id, fetchedAt: toIso(fetchedAt), report: product === "income" ? "link-income-report" : "link-employment-report" },
  product,
  employers: order.suborders
    .filter((s) => s.kind === "employer" && s.linkId !== null && (s.status === "done" || s.status === "completed"))
    .flatMap((s) => [...(scripted(s.linkId!) ?? [inMemoryEmployer(s.linkId!, product, fetchedAt)])]),
  issues: []
})
