/**
 * Pay periods and pay dates per frequency (the sandbox's rules; Truv documents none):
 * - `W` / `BW`: 7 / 14 days from the period's first day (the employment's start date, then each
 *   day after the previous period); paid 5 days after the period ends (a Monday start ends on a
 *   Sunday and is paid on the Friday).
 * - `SM`: the 1st-15th, paid on the 15th, and the 16th-last day of the month, paid on the last day.
 * - `M`: the calendar month, paid on its last day.
 * - `irregular`: 3 to 14 days (a seeded draw), paid 2 days after, any day of the week.
 * A `W`, `BW`, `SM` or `M` pay date on a Saturday or Sunday moves back to the Friday before.
 * A period entered mid-way (an `SM`/`M` employment starting on the 20th, a frequency change) runs
 * from that day to the natural period end and is paid pro rata by calendar days (pay-lines.ts).
 */
import { type Day, dateDay, dayOfMonth, monthEnd, monthOf, previousBusinessDay, yearOf } from "./civil-date.js"
import type { PayFrequency } from "./pay-spec.js"

export interface PeriodShape {
  readonly start: Day
  readonly naturalEnd: Day
  /** Calendar days of the whole period of this frequency the start falls in (the proration base). */
  readonly naturalDays: number
}

/** Pay periods a year, for salaries and standard annualising (`W` × 52, `BW` × 26, `SM` × 24, `M` × 12). */
export const PERIODS_PER_YEAR: Readonly<Record<Exclude<PayFrequency, "irregular">, number>> = { W: 52, BW: 26, SM: 24, M: 12 }

/** The period starting on `start`; `draw` (in [0, 1)) sets an irregular period's length. */
export function periodFrom(frequency: PayFrequency, start: Day, draw: number): PeriodShape {
  switch (frequency) {
    case "W":
      return { start, naturalEnd: start + 6, naturalDays: 7 }
    case "BW":
      return { start, naturalEnd: start + 13, naturalDays: 14 }
    case "SM": {
      const first = dayOfMonth(start) <= 15
      const naturalStart = dateDay(yearOf(start), monthOf(start), first ? 1 : 16)
      const naturalEnd = first ? dateDay(yearOf(start), monthOf(start), 15) : monthEnd(start)
      return { start, naturalEnd, naturalDays: naturalEnd - naturalStart + 1 }
    }
    case "M": {
      const naturalEnd = monthEnd(start)
      return { start, naturalEnd, naturalDays: dayOfMonth(naturalEnd) }
    }
    case "irregular": {
      const days = 3 + Math.floor(draw * 12)
      return { start, naturalEnd: start + days - 1, naturalDays: days }
    }
  }
}

/** The pay date of a period ending (naturally) on `naturalEnd`. */
export function payDateOf(frequency: PayFrequency, naturalEnd: Day): Day {
  switch (frequency) {
    case "W":
    case "BW":
      return previousBusinessDay(naturalEnd + 5)
    case "SM":
    case "M":
      return previousBusinessDay(naturalEnd)
    case "irregular":
      return naturalEnd + 2
  }
}
