/**
 * The two annualisations, kept apart because they answer different questions: what the pay
 * statements show (overtime and bonus included), and what the stated rate and frequency promise
 * (Truv's `income` leaves overtime, bonus and commission out). Each names its method, so a
 * caseworker can redo the arithmetic. Amounts stay integer cents, rounded once, half up.
 */
import type { Annualised } from "./income-summary.js"
import type { PayRate } from "./income-snapshot.js"
import { PAY_FREQUENCY_LABEL, type PayFrequency, PERIODS_PER_YEAR } from "./pay-frequency.js"

const none = (why: string): Annualised => ({ cents: null, basis: "none", multiplier: null, method: why })
const round4 = (x: number): number => Math.round(x * 10_000) / 10_000

/** What the window's statements show: mean per pay x periods, or the window's rate over a year. */
export const annualiseStatements = (
  frequency: PayFrequency, grossCents: ReadonlyArray<number>, windowDays: number
): Annualised => {
  const n = grossCents.length
  if (n === 0) return none("no statement paid in the window")
  const sum = grossCents.reduce((a, b) => a + b, 0)
  const periods = PERIODS_PER_YEAR[frequency]
  if (periods !== null) {
    return { cents: Math.round((sum * periods) / n), basis: "statements-per-pay", multiplier: periods, method: `mean of ${n} ${frequency} statement(s) x${periods}` }
  }
  return {
    cents: Math.round((sum * 365) / windowDays), basis: "statements-window", multiplier: round4(365 / windowDays),
    method: `${PAY_FREQUENCY_LABEL[frequency]} pay: the window's gross x365/${windowDays} days`
  }
}

const UNIT_FACTOR: Readonly<Record<string, number>> = { YEARLY: 1, MONTHLY: 12, WEEKLY: 52 }

/**
 * What the rate promises: the pay rate per cycle x periods per year when both are known; else the
 * base rate by its unit (an hourly rate needs hours, taken from the window's statements).
 */
export const annualiseRate = (
  frequency: PayFrequency, rate: PayRate, hours: ReadonlyArray<number>
): Annualised => {
  const periods = PERIODS_PER_YEAR[frequency]
  if (rate.payRateCents !== null && periods !== null) {
    return { cents: rate.payRateCents * periods, basis: "pay-rate", multiplier: periods, method: `pay rate per ${frequency} cycle x${periods}` }
  }
  const unit = rate.incomeUnit
  if (rate.incomeCents === null || unit === null) return none("the report states no rate")
  const factor = UNIT_FACTOR[unit]
  if (factor !== undefined) {
    return { cents: rate.incomeCents * factor, basis: "income-unit", multiplier: factor, method: `${unit.toLowerCase()} rate x${factor}` }
  }
  if (unit !== "HOURLY") return none(`a ${unit.toLowerCase()} rate cannot be annualised without the days worked`)
  if (periods === null) return none(`an hourly rate needs a fixed pay frequency (this one is ${PAY_FREQUENCY_LABEL[frequency]})`)
  if (hours.length === 0) return none("an hourly rate needs hours, and no statement in the window reports them")
  const meanHours = hours.reduce((a, b) => a + b, 0) / hours.length
  return {
    cents: Math.round(rate.incomeCents * meanHours * periods), basis: "income-hourly", multiplier: round4(meanHours * periods),
    method: `hourly rate x ${round4(meanHours)} mean hours per statement x${periods}`
  }
}
