/**
 * One pay statement's earnings and deduction lines, in cents, from the terms in force, the
 * period and its seeded draws. Earnings: `Regular` (rate × hours, or the salary's share), then
 * `Overtime` (hourly, non-irregular pay: 1 period in 4, 1.00 to 9.75 hours at 1.5 × rate) and
 * `Bonus` (1 statement in 20, $50 to $400). Deductions: federal and state income tax at the
 * employment's seeded rates on gross − pre-tax deductions, Social Security 6.2 % and Medicare
 * 1.45 % on gross − medical (no wage cap), `Medical` $120 a month (30 hours a week or more,
 * non-irregular pay) and `401(k)` at a seeded 0 or 3-6 %. Gross = Σ earnings; net = gross − Σ deductions.
 */
import { basisPoints, divRound, sum } from "./money.js"
import type { PayTerms } from "./pay-spec.js"
import { PERIODS_PER_YEAR, type PeriodShape } from "./pay-schedule.js"

export interface EarningLine {
  readonly name: string
  readonly category: "regular" | "overtime" | "bonus"
  readonly amount: number
  /** Cents per hour (null for a salary's regular line and for a bonus). */
  readonly rate: number | null
  /** Hundredths of an hour (null for a bonus). */
  readonly units: number | null
}

export interface DeductionLine {
  readonly name: string
  readonly category: "federal" | "state" | "socialsec" | "medicare" | "medical" | "retirement"
  readonly amount: number
}

/** An employment's withholding rates in basis points, drawn once from its seed. */
export interface Withholding {
  readonly federal: number
  readonly state: number
  readonly retirement: number
}

export interface PeriodLines {
  readonly hours: number
  readonly earnings: ReadonlyArray<EarningLine>
  readonly deductions: ReadonlyArray<DeductionLine>
  readonly gross: number
  readonly net: number
  /** W-2 box 1 (gross − medical − 401(k)) and boxes 3/5 (gross − medical). */
  readonly federalWages: number
  readonly ficaWages: number
}

/** Six draws in [0, 1) per period, always made, so a knob never shifts an earlier period's draws. */
export type PeriodDraws = readonly [number, number, number, number, number, number]

export const MEDICAL_MONTHLY_CENTS = 12_000
const FULL_TIME_HOURS = 4000

export function periodLines(terms: PayTerms, period: PeriodShape, actualDays: number, draws: PeriodDraws, withholding: Withholding, stateCode: string): PeriodLines {
  const irregular = terms.payFrequency === "irregular"
  const fullHours = irregular
    ? divRound(terms.hoursPerWeek * period.naturalDays * (50 + Math.floor(draws[1] * 101)), 700)
    : hoursPerPeriod(terms)
  const hours = divRound(fullHours * actualDays, period.naturalDays)
  const earnings: Array<EarningLine> = [regularLine(terms, period, actualDays, hours)]
  if (terms.incomeUnit === "HOURLY" && !irregular && draws[2] < 0.25) {
    const units = 100 + Math.floor(draws[3] * 36) * 25
    const rate = divRound(terms.rateCents * 3, 2)
    earnings.push({ name: "Overtime", category: "overtime", amount: divRound(rate * units, 100), rate, units })
  }
  if (draws[4] < 0.05) earnings.push({ name: "Bonus", category: "bonus", amount: (50 + Math.floor(draws[5] * 351)) * 100, rate: null, units: null })
  const gross = sum(earnings.map((e) => e.amount))
  const retirement = basisPoints(gross, withholding.retirement)
  const medicalDue = !irregular && terms.hoursPerWeek >= 3000 ? divRound(MEDICAL_MONTHLY_CENTS * 12, PERIODS_PER_YEAR[terms.payFrequency]) : 0
  const medical = Math.min(medicalDue, gross - retirement)
  const federalWages = gross - medical - retirement
  const ficaWages = gross - medical
  const deductions: Array<DeductionLine> = [
    { name: "Federal Income Tax", category: "federal", amount: basisPoints(federalWages, withholding.federal) },
    { name: `${stateCode} State Income Tax`, category: "state", amount: basisPoints(federalWages, withholding.state) },
    { name: "Social Security", category: "socialsec", amount: basisPoints(ficaWages, 620) },
    { name: "Medicare", category: "medicare", amount: basisPoints(ficaWages, 145) }
  ]
  if (medicalDue > 0) deductions.push({ name: "Medical", category: "medical", amount: medical })
  if (withholding.retirement > 0) deductions.push({ name: "401(k)", category: "retirement", amount: retirement })
  const hoursTotal = hours + sum(earnings.map((e) => (e.category === "overtime" ? e.units ?? 0 : 0)))
  return { hours: hoursTotal, earnings, deductions, gross, net: gross - sum(deductions.map((d) => d.amount)), federalWages, ficaWages }
}

/** Hours of a whole period at the terms' weekly hours (SM: × 52 / 24, M: × 52 / 12). */
export function hoursPerPeriod(terms: PayTerms): number {
  switch (terms.payFrequency) {
    case "W": return terms.hoursPerWeek
    case "BW": return terms.hoursPerWeek * 2
    case "SM": return divRound(terms.hoursPerWeek * 52, 24)
    case "M": return divRound(terms.hoursPerWeek * 52, 12)
    case "irregular": return terms.hoursPerWeek
  }
}

/** A salary at `hoursPerWeek` (pro rata to 40 hours), in cents a year. */
export const effectiveAnnualSalary = (terms: PayTerms): number => divRound(terms.rateCents * terms.hoursPerWeek, FULL_TIME_HOURS)

function regularLine(terms: PayTerms, period: PeriodShape, actualDays: number, hours: number): EarningLine {
  if (terms.incomeUnit === "HOURLY") return { name: "Regular", category: "regular", amount: divRound(terms.rateCents * hours, 100), rate: terms.rateCents, units: hours }
  const annual = effectiveAnnualSalary(terms)
  const full = terms.payFrequency === "irregular" ? divRound(annual * period.naturalDays, 365) : divRound(annual, PERIODS_PER_YEAR[terms.payFrequency])
  return { name: "Regular", category: "regular", amount: divRound(full * actualDays, period.naturalDays), rate: null, units: hours }
}
