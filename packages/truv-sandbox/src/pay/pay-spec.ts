/**
 * A connection's pay history spec: the person, each employment at the connection's payroll
 * provider (employer, job, start date, pay terms) and the scenario knobs that change it from a
 * given date (a raise or cut, fewer hours, the job ending, no pay for N days, a new pay
 * frequency, irregular pay, a new employer). `PayHistoryInput` is what a seed, a scenario file or
 * the admin route gives (zod, errors name the path); `PayHistorySpec` is the resolved form the
 * pure generator (pay-history.ts) works from: integer cents and hundredths, day numbers.
 */
import { z } from "zod"
import { type Day, dayOf, dayOfInstant } from "./civil-date.js"
import { parseDecimal } from "./money.js"

export const PayFrequency = z.enum(["W", "BW", "SM", "M", "irregular"])
export type PayFrequency = z.infer<typeof PayFrequency>

/** HOURLY: `rate` is per hour; YEARLY: `rate` is the annual salary at 40 hours a week. */
export const IncomeUnit = z.enum(["HOURLY", "YEARLY"])
export type IncomeUnit = z.infer<typeof IncomeUnit>

const Money = z.string().refine((s) => parseDecimal(s) !== null, { message: "expected a decimal string with at most 2 decimals, like \"22.50\"" })
const Hours = z.number().positive().max(168).refine((n) => Math.abs(n * 100 - Math.round(n * 100)) < 1e-6, { message: "at most 2 decimals" })
/** A knob's date: `YYYY-MM-DD`, an ISO instant, or epoch milliseconds (its UTC date counts). */
const DateInput = z.union([z.iso.date(), z.iso.datetime({ offset: true }), z.number().int()])

export const EmployerInput = z.strictObject({
  name: z.string().min(1).optional(),
  ein: z.string().min(1).optional(),
  phone: z.string().min(1).optional(),
  street: z.string().min(1).optional(),
  city: z.string().min(1).optional(),
  state: z.string().length(2).optional(),
  zip: z.string().min(1).optional()
})

const JobFields = {
  employer: EmployerInput.optional(),
  jobTitle: z.string().min(1).optional(),
  payFrequency: PayFrequency.optional(),
  incomeUnit: IncomeUnit.optional(),
  rate: Money.optional(),
  hoursPerWeek: Hours.optional()
}

export const PayChangeInput = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("rate"), at: DateInput, rate: Money, incomeUnit: IncomeUnit.optional() }),
  z.strictObject({ kind: z.literal("hours"), at: DateInput, hoursPerWeek: Hours }),
  z.strictObject({ kind: z.literal("frequency"), at: DateInput, payFrequency: PayFrequency }),
  z.strictObject({ kind: z.literal("irregular"), at: DateInput }),
  z.strictObject({ kind: z.literal("end"), at: DateInput }),
  z.strictObject({ kind: z.literal("no-pay"), at: DateInput, days: z.number().int().min(1) }),
  z.strictObject({ kind: z.literal("new-employer"), at: DateInput, ...JobFields })
])
export type PayChangeInput = z.input<typeof PayChangeInput>

export const PayHistoryInput = z.strictObject({
  /** Overrides the connection's seed (default: derived from the sandbox seed and the link id). */
  seed: z.number().int().optional(),
  /** Nine digits; Truv's reports show it masked (`XXXXX` + the last four). */
  ssn: z.string().regex(/^\d{9}$/).optional(),
  dateOfBirth: z.iso.date().optional(),
  /** `YYYY-MM-DD`; default: the Monday on or before the root order's creation date minus 730 days. */
  startDate: z.iso.date().optional(),
  ...JobFields,
  changes: z.array(PayChangeInput).default([])
})
export type PayHistoryInput = z.input<typeof PayHistoryInput>

export interface Employer {
  readonly name: string
  readonly ein: string
  readonly phone: string
  readonly street: string
  readonly city: string
  readonly state: string
  readonly zip: string
}

export interface PayTerms {
  readonly payFrequency: PayFrequency
  readonly incomeUnit: IncomeUnit
  /** Cents per hour (HOURLY) or per year at 40 h a week (YEARLY). */
  readonly rateCents: number
  /** Hundredths of an hour. */
  readonly hoursPerWeek: number
}

/** A change of terms from `from` (the first pay period starting on or after that date). */
export type TermsChange =
  | { readonly kind: "rate"; readonly from: Day; readonly rateCents: number; readonly incomeUnit?: IncomeUnit | undefined }
  | { readonly kind: "hours"; readonly from: Day; readonly hoursPerWeek: number }
  | { readonly kind: "frequency"; readonly from: Day; readonly payFrequency: PayFrequency }

export interface EmploymentSpec {
  readonly employer: Employer
  readonly jobTitle: string
  readonly startDate: Day
  readonly terms: PayTerms
  readonly changes: ReadonlyArray<TermsChange>
  /** The last day worked, or null while employed. */
  readonly endDate: Day | null
  /** Unpaid stretches: no statement has a pay date in [from, from + days). */
  readonly gaps: ReadonlyArray<{ readonly from: Day; readonly days: number }>
}

export interface PayHistorySpec {
  readonly person: { readonly firstName: string; readonly lastName: string; readonly email: string | null; readonly ssn: string; readonly dateOfBirth: string }
  readonly employments: ReadonlyArray<EmploymentSpec>
}

export const knobDay = (at: string | number): Day => (typeof at === "number" ? dayOfInstant(at) : at.length === 10 ? dayOf(at) : dayOfInstant(Date.parse(at)))
