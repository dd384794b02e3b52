/**
 * Per calendar year (of the pay date): Truv's `annual_income_summary` entries for every year with
 * a statement (the current year so far included), and W-2s for each finished year once its
 * January 31st deadline has come (W-2 wages are the statements' taxable wages, so they add up).
 */
import { type Day, dateDay } from "./civil-date.js"
import { sum } from "./money.js"
import type { AnnualSummary, PayStatement, W2 } from "./pay-model.js"

const yearsOf = (statements: ReadonlyArray<PayStatement>): Array<number> =>
  [...new Set(statements.map((s) => Number(s.payDate.slice(0, 4))))].sort((a, b) => b - a)

const inYear = (statements: ReadonlyArray<PayStatement>, year: number) => statements.filter((s) => s.payDate.startsWith(`${year}-`))

const deductionTotal = (statements: ReadonlyArray<PayStatement>, category: string): number =>
  sum(statements.flatMap((s) => s.deductions.filter((d) => d.category === category).map((d) => d.amount)))

/** Newest year first, as in Truv's example. */
export function annualSummaries(statements: ReadonlyArray<PayStatement>): Array<AnnualSummary> {
  return yearsOf(statements).map((year) => {
    const ss = inYear(statements, year)
    const earned = (category: string) => sum(ss.flatMap((s) => s.earnings.filter((e) => e.category === category).map((e) => e.amount)))
    return { year, gross: sum(ss.map((s) => s.gross)), net: sum(ss.map((s) => s.net)), regular: earned("regular"), overtime: earned("overtime"), bonus: earned("bonus") }
  })
}

/** W-2s of the years before `asOf`'s year whose January 31st (of the next year) is on or before `asOf`, newest first. */
export function w2s(statements: ReadonlyArray<PayStatement>, asOf: Day): Array<W2> {
  return yearsOf(statements).filter((year) => dateDay(year + 1, 0, 31) <= asOf).map((year) => {
    const ss = inYear(statements, year)
    const ficaWages = sum(ss.map((s) => s.ficaWages))
    return {
      year, wages: sum(ss.map((s) => s.federalWages)), federalTax: deductionTotal(ss, "federal"),
      socialSecurityWages: ficaWages, socialSecurityTax: deductionTotal(ss, "socialsec"),
      medicareWages: ficaWages, medicareTax: deductionTotal(ss, "medicare")
    }
  })
}
