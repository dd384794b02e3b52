/**
 * What the pay history generator returns (`payHistoryAt`): per employment, its dates, status,
 * current terms and pay statements with year-to-date figures, annual summaries and W-2s. Amounts
 * are integer cents, hours integer hundredths, dates `YYYY-MM-DD`; employment-json.ts renders it
 * as Truv's JSON. End-to-end tests assert against this model.
 */
import type { DeductionLine, EarningLine } from "./pay-lines.js"
import type { Employer, PayTerms } from "./pay-spec.js"
import type { StatementYtd } from "./statement-ytd.js"

export interface AnnualSummary {
  readonly year: number
  readonly gross: number
  readonly net: number
  readonly regular: number
  readonly overtime: number
  readonly bonus: number
}

export interface W2 {
  readonly year: number
  readonly wages: number
  readonly federalTax: number
  readonly socialSecurityWages: number
  readonly socialSecurityTax: number
  readonly medicareWages: number
  readonly medicareTax: number
}

export interface PayStatement {
  readonly id: string
  readonly checkNumber: string
  readonly payDate: string
  readonly periodStart: string
  readonly periodEnd: string
  /** Hundredths of an hour, overtime included. */
  readonly hours: number
  readonly gross: number
  readonly net: number
  /** The terms in force for this period (its basis of pay: `S` for YEARLY, `H` for HOURLY). */
  readonly terms: PayTerms
  readonly earnings: ReadonlyArray<EarningLine>
  readonly deductions: ReadonlyArray<DeductionLine>
  readonly ytd: StatementYtd
  readonly federalWages: number
  readonly ficaWages: number
}

export interface EmploymentHistory {
  readonly id: string
  /** Position in the spec's employments (0 = the connection's first; a new employer adds one). */
  readonly index: number
  readonly employer: Employer
  readonly jobTitle: string
  /** `F` at 35 hours a week or more, else `P`. */
  readonly jobType: "F" | "P"
  readonly startDate: string
  /** Set once the end date has come (as of the history's instant); null before. */
  readonly endDate: string | null
  readonly isActive: boolean
  /** The terms in force on the history's date. */
  readonly terms: PayTerms
  /** Oldest first, by pay date. */
  readonly statements: ReadonlyArray<PayStatement>
  readonly annualSummaries: ReadonlyArray<AnnualSummary>
  readonly w2s: ReadonlyArray<W2>
}

export interface PayHistory {
  /** The instant the history is computed for (ISO); statements paid on its UTC date or earlier are in. */
  readonly asOf: string
  readonly employments: ReadonlyArray<EmploymentHistory>
}
