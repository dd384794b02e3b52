/**
 * The caseworker summary of one snapshot over a program window, as zod schemas (the CLI prints
 * it as JSON; `resultsJsonSchemas()` gives its JSON Schema): per employer and in total, monthly
 * gross totals with partial months labelled, income annualised from the statements and,
 * separately, from the rate and frequency (each with its method named), hours, and days since
 * the last pay date. `summarise` computes it.
 */
import { z } from "zod"
import { Instant } from "../model/primitives.js"
import { CalendarDate } from "./calendar-date.js"
import { EmploymentStatus } from "./employment-status.js"
import { Cents, SnapshotProduct } from "./income-snapshot.js"
import { PayFrequency } from "./pay-frequency.js"
import { ProgramWindow } from "./program-window.js"

/** The gross paid in one calendar month of the window (by pay date). */
export const MonthlyTotal = z.object({
  month: z.string(),
  /** The days of this month inside the window. */
  from: CalendarDate,
  to: CalendarDate,
  /** True when the window covers only part of the month: its total is not a whole month's. */
  partial: z.boolean(),
  grossCents: Cents,
  statements: z.int()
})
export type MonthlyTotal = z.infer<typeof MonthlyTotal>

/**
 * How an annual figure was obtained:
 * - `statements-per-pay`: mean gross of the window's statements x pay periods per year;
 * - `statements-window`: the window's gross x 365 / window days (irregular or unknown cadence);
 * - `pay-rate`: the pay rate per cycle x pay periods per year;
 * - `income-unit`: the base rate x 1 (yearly), 12 (monthly) or 52 (weekly);
 * - `income-hourly`: the hourly rate x mean hours per statement x pay periods per year;
 * - `sum`: the sum over employers; `none`: not computable (the method says why).
 */
export const AnnualisationBasis = z.enum(["statements-per-pay", "statements-window", "pay-rate", "income-unit", "income-hourly", "sum", "none"])
export type AnnualisationBasis = z.infer<typeof AnnualisationBasis>

export const Annualised = z.object({
  cents: Cents.nullable(),
  basis: AnnualisationBasis,
  /** The factor applied (26 for bi-weekly, 365/90 as 4.0556 for a window), null when none. */
  multiplier: z.number().nullable(),
  /** The method in words: "mean of 6 BW statements x26". */
  method: z.string()
})
export type Annualised = z.infer<typeof Annualised>

/** Current monthly income: statements' annual figure / 12, or 0 for an ended employment. */
export const MonthlyIncome = z.object({ cents: Cents.nullable(), method: z.string() })
export type MonthlyIncome = z.infer<typeof MonthlyIncome>

const Figures = {
  /** Statements paid in the window (pay date inside it, a gross given). */
  statementsInWindow: z.int(),
  grossCents: Cents,
  netCents: Cents,
  monthly: z.array(MonthlyTotal),
  /** Mean hours per statement in the window; null when no statement reports hours. */
  averageHoursPerStatement: z.number().nullable(),
  /** Hours per week over the window: hours x 7 / window days (2 decimals). */
  weeklyHours: z.number().nullable(),
  lastPayDate: CalendarDate.nullable(),
  /** Whole days from the last pay date to now's UTC date; null without any pay. */
  daysSinceLastPay: z.int().nullable(),
  annualisedFromStatements: Annualised,
  annualisedFromRate: Annualised,
  monthlyIncome: MonthlyIncome
}

export const EmployerSummary = z.object({
  /** `employerKey`: EIN or normalised name; records of one employer (re-hires) share it. */
  key: z.string(),
  name: z.string().nullable(),
  /** The status of the latest employment period at this employer. */
  status: EmploymentStatus,
  payFrequency: PayFrequency,
  /** Start and end of the latest employment period. */
  startDate: CalendarDate.nullable(),
  endDate: CalendarDate.nullable(),
  /** Employment periods merged into this employer (2 after a re-hire). */
  periods: z.int(),
  ...Figures
})
export type EmployerSummary = z.infer<typeof EmployerSummary>

export const SummaryTotal = z.object(Figures)
export type SummaryTotal = z.infer<typeof SummaryTotal>

export const SummaryWindow = z.object({
  spec: ProgramWindow, from: CalendarDate, to: CalendarDate, days: z.int(), label: z.string()
})

export const IncomeSummary = z.object({
  /** The instant the summary was computed for (`now`). */
  at: Instant,
  window: SummaryWindow,
  product: SnapshotProduct,
  employers: z.array(EmployerSummary),
  total: SummaryTotal
})
export type IncomeSummary = z.infer<typeof IncomeSummary>
