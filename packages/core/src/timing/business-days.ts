/**
 * Business days for the lender pre-closing window: Monday to Friday, less the holidays of a
 * calendar. The default calendar is the US federal holidays of 5 U.S.C. 6103 with their observed
 * dates (a Saturday holiday is observed the Friday before, a Sunday one the Monday after, so New
 * Year's Day on a Saturday is observed on December 31 of the year before). Pure: dates are
 * `YYYY-MM-DD` strings and UTC day numbers, no clock.
 */
import { DAY_MS } from "../engine/time.js"
import { dayNumber } from "../results/calendar-date.js"
import type { TimingPolicy } from "./timing-policy.js"
/** 0 = Sunday ... 6 = Saturday. */
const weekday = (day: number): number => (((day + 4) % 7) + 7) % 7

/** The `n`-th (1-based) `wd` weekday of a month (n = -1: the last), as a day number. */
const nthWeekday = (year: number, month: number, wd: number, n: number): number => {
  if (n > 0) {
    const first = Date.UTC(year, month, 1) / DAY_MS
    return first + ((wd - weekday(first) + 7) % 7) + (n - 1) * 7
  }
  const last = Date.UTC(year, month + 1, 0) / DAY_MS
  return last - ((weekday(last) - wd + 7) % 7)
}

/** A fixed-date holiday's observed day: Saturday → Friday, Sunday → Monday. */
const observed = (day: number): number => (weekday(day) === 6 ? day - 1 : weekday(day) === 0 ? day + 1 : day)

/**
 * The observed US federal holidays whose holiday falls in `year` (day numbers; New Year's Day
 * observed on December 31 of the year before is listed under its own year).
 *
 * @example
 * usFederalHolidays(2027).map(dateOfDay)[0] // "2026-12-31" (January 1, 2027 is a Saturday)
 */
export const usFederalHolidays = (year: number): Array<number> => {
  const fixed = (m: number, d: number) => observed(Date.UTC(year, m, d) / DAY_MS)
  const out = [
    fixed(0, 1), // New Year's Day
    nthWeekday(year, 0, 1, 3), // Birthday of Martin Luther King, Jr.
    nthWeekday(year, 1, 1, 3), // Washington's Birthday
    nthWeekday(year, 4, 1, -1), // Memorial Day
    fixed(6, 4), // Independence Day
    nthWeekday(year, 8, 1, 1), // Labor Day
    nthWeekday(year, 9, 1, 2), // Columbus Day
    fixed(10, 11), // Veterans Day
    nthWeekday(year, 10, 4, 4), // Thanksgiving Day
    fixed(11, 25) // Christmas Day
  ]
  // Juneteenth National Independence Day, a federal holiday since 2021.
  if (year >= 2021) out.push(fixed(5, 19))
  return out.sort((a, b) => a - b)
}

/** A business-day calendar: `isBusinessDay(dayNumber)`. */
export interface BusinessCalendar {
  readonly isBusinessDay: (day: number) => boolean
}

/**
 * The calendar of a closing policy (base holidays, plus `extraHolidays`, less `workingHolidays`).
 *
 * @example
 * businessCalendar(DEFAULT_TIMING_POLICY.closing).isBusinessDay(dayNumber("2027-07-05")) // false (July 4 is a Sunday)
 */
export const businessCalendar = (closing: TimingPolicy["closing"]): BusinessCalendar => {
  const extra = new Set(closing.extraHolidays.map(dayNumber))
  const working = new Set(closing.workingHolidays.map(dayNumber))
  const byYear = new Map<number, Set<number>>()
  const federal = (day: number): boolean => {
    if (closing.holidays === "none") return false
    const year = new Date(day * DAY_MS).getUTCFullYear()
    // The next year's New Year's Day may be observed on December 31 of this one.
    for (const y of [year, year + 1]) {
      let set = byYear.get(y)
      if (set === undefined) byYear.set(y, set = new Set(usFederalHolidays(y)))
      if (set.has(day)) return true
    }
    return false
  }
  return {
    isBusinessDay: (day) => {
      const wd = weekday(day)
      if (wd === 0 || wd === 6 || extra.has(day)) return false
      return working.has(day) || !federal(day)
    }
  }
}

/**
 * The `n`-th business day before `day` (the note date itself is not counted), as a day number.
 *
 * @example
 * dateOfDay(businessDaysBefore(dayNumber("2027-07-09"), 10, businessCalendar(DEFAULT_TIMING_POLICY.closing))) // "2027-06-24"
 */
export const businessDaysBefore = (day: number, n: number, calendar: BusinessCalendar): number => {
  let d = day
  for (let counted = 0; counted < n;) {
    d--
    if (calendar.isBusinessDay(d)) counted++
  }
  return d
}
