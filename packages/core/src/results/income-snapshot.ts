/**
 * The income snapshot: one verification's report, provider-neutral and immutable. Per employment
 * period (a re-hire is a second record at the same employer): the employer, the status with its
 * confidence, the dates, the pay frequency, the rate, and the pay statements with every amount in
 * INTEGER CENTS (never floats, so totals are exact). `statements` is null for an employment-only
 * (VOE) lineage, whose income fields Truv leaves null. `issues` lists what the mapping found odd
 * in the payload, each naming the field; a `blocking` one makes the report not usable.
 */
import { z } from "zod"
import { Instant } from "../model/primitives.js"
import { CalendarDate } from "./calendar-date.js"
import { EmploymentStatus } from "./employment-status.js"
import { PayFrequency } from "./pay-frequency.js"

/** An amount of money in integer cents (USD). */
export const Cents = z.int()
export type Cents = z.infer<typeof Cents>

/** Units Truv states a base rate in (`income_unit`); `unknown` for a missing or new code. */
export const IncomeUnit = z.enum(["YEARLY", "MONTHLY", "WEEKLY", "DAILY", "HOURLY", "unknown"])
export type IncomeUnit = z.infer<typeof IncomeUnit>

/** The verification's product: `employment` (VOE) lineages carry no income fields. */
export const SnapshotProduct = z.enum(["income", "employment"])
export type SnapshotProduct = z.infer<typeof SnapshotProduct>

export const EarningLine = z.object({
  name: z.string().nullable(),
  /** An open string (`regular`, `overtime`, ...): the full list is not published. */
  category: z.string().nullable(),
  amountCents: Cents.nullable(),
  rateCents: Cents.nullable(),
  units: z.number().nullable()
})
export type EarningLine = z.infer<typeof EarningLine>

export const DeductionLine = z.object({
  name: z.string().nullable(),
  category: z.string().nullable(),
  amountCents: Cents.nullable()
})
export type DeductionLine = z.infer<typeof DeductionLine>

/** Gross pay split into Truv's buckets; each null when the report leaves it out. */
export const PayBuckets = z.object({
  regularCents: Cents.nullable(),
  overtimeCents: Cents.nullable(),
  bonusCents: Cents.nullable(),
  commissionCents: Cents.nullable(),
  otherPayCents: Cents.nullable()
})
export type PayBuckets = z.infer<typeof PayBuckets>

export const Statement = z.object({
  id: z.string().nullable(),
  payDate: CalendarDate.nullable(),
  periodStart: CalendarDate.nullable(),
  periodEnd: CalendarDate.nullable(),
  grossCents: Cents.nullable(),
  netCents: Cents.nullable(),
  grossYtdCents: Cents.nullable(),
  netYtdCents: Cents.nullable(),
  /** Hours worked in the period (decimal hours); null for salaried stubs without hours. */
  hours: z.number().nonnegative().nullable(),
  /** Truv's `basis_of_pay` as given (`S`, `H`, ...). */
  basisOfPay: z.string().nullable(),
  buckets: PayBuckets,
  earnings: z.array(EarningLine),
  deductions: z.array(DeductionLine)
})
export type Statement = z.infer<typeof Statement>

/**
 * The base rate: `income` in `incomeUnit` (base pay without overtime, bonus or commission) and
 * `payRate`, the amount per pay cycle. Null when the report leaves them out (always for VOE).
 */
export const PayRate = z.object({
  incomeCents: Cents.nullable(),
  incomeUnit: IncomeUnit.nullable(),
  payRateCents: Cents.nullable()
})
export type PayRate = z.infer<typeof PayRate>

/** One employment period at one employer. */
export const EmployerRecord = z.object({
  employmentId: z.string().nullable(),
  name: z.string().nullable(),
  /** Employer identification number as given (used to match employers across verifications). */
  ein: z.string().nullable(),
  jobTitle: z.string().nullable(),
  status: EmploymentStatus,
  /** Start of this period (the re-hire date after a re-hire). */
  startDate: CalendarDate.nullable(),
  originalHireDate: CalendarDate.nullable(),
  endDate: CalendarDate.nullable(),
  payFrequency: PayFrequency,
  /** The provider's own code when it is not one we know (kept, never fatal), else null. */
  payFrequencyCode: z.string().nullable(),
  rate: PayRate,
  /** Null for an employment-only lineage (VOE) or when the report has no statements field. */
  statements: z.array(Statement).nullable()
})
export type EmployerRecord = z.infer<typeof EmployerRecord>

/**
 * Something odd in the payload, naming the field (`employers[0].employments[1].statements[3].gross_pay`).
 * `blocking` issues touch an amount or a date the income is computed from: such a report is
 * not usable rather than silently wrong. `note` issues (an unknown code, a rounded rate) are kept
 * for the reader. Messages never quote the value (income is personal data).
 */
export const DataIssue = z.object({
  path: z.string(),
  /** `wrong-order`: the payload is another order's (its figures must not be counted for this one). */
  problem: z.enum(["malformed-amount", "malformed-date", "unknown-code", "rounded-amount", "wrong-type", "wrong-order"]),
  severity: z.enum(["blocking", "note"]),
  message: z.string()
})
export type DataIssue = z.infer<typeof DataIssue>

/** Where the snapshot came from. */
export const SnapshotSource = z.object({
  /** `truv`, or whatever wrote it (an import, a test). */
  provider: z.string(),
  /** The order the report belongs to (the new order id after a refresh). */
  orderId: z.string(),
  /** When the report was read; the summary of a previous snapshot is computed at this instant. */
  fetchedAt: Instant,
  /** Which read produced it: the order, a link report, or the user report (truv-reports-notes §1). */
  report: z.enum(["order", "link-income-report", "link-employment-report", "user-report"])
})
export type SnapshotSource = z.infer<typeof SnapshotSource>

/**
 * @example
 * IncomeSnapshot.parse({ source: { provider: "truv", orderId: "ord-2", fetchedAt: "2026-11-23T16:04:11Z", report: "order" },
 *   product: "income", employers: [...], issues: [] })
 */
export const IncomeSnapshot = z.object({
  source: SnapshotSource,
  product: SnapshotProduct,
  employers: z.array(EmployerRecord),
  issues: z.array(DataIssue)
})
export type IncomeSnapshot = z.infer<typeof IncomeSnapshot>
export type IncomeSnapshotInput = z.input<typeof IncomeSnapshot>
