/**
 * Calendar dates for pay schedules, as day numbers (days since 1970-01-01, UTC). Pay dates,
 * periods and employment dates are calendar dates with no time of day; an instant belongs to
 * the UTC date it falls on. Truv shows them as `YYYY-MM-DD`.
 */
import { DAY_MS } from "../truv-time.js"

export type Day = number

export const dayOfInstant = (ms: number): Day => Math.floor(ms / DAY_MS)

export const dayOf = (isoDate: string): Day => dayOfInstant(Date.parse(`${isoDate.slice(0, 10)}T00:00:00Z`))

export const isoDay = (day: Day): string => new Date(day * DAY_MS).toISOString().slice(0, 10)

/** 0 = Sunday ... 6 = Saturday (1970-01-01 was a Thursday). */
export const weekday = (day: Day): number => (((day + 4) % 7) + 7) % 7

export const yearOf = (day: Day): number => new Date(day * DAY_MS).getUTCFullYear()

export const monthOf = (day: Day): number => new Date(day * DAY_MS).getUTCMonth()

export const dayOfMonth = (day: Day): number => new Date(day * DAY_MS).getUTCDate()

export const dateDay = (year: number, month: number, date: number): Day => dayOfInstant(Date.UTC(year, month, date))

/** The last day of the month `day` falls in. */
export const monthEnd = (day: Day): Day => dateDay(yearOf(day), monthOf(day) + 1, 0)

/** A Saturday or Sunday moves back to the Friday before (the sandbox's weekend rule for pay dates). */
export const previousBusinessDay = (day: Day): Day => {
  const wd = weekday(day)
  return wd === 6 ? day - 1 : wd === 0 ? day - 2 : day
}

/** The Monday on or before `day`. */
export const mondayOnOrBefore = (day: Day): Day => day - ((weekday(day) + 6) % 7)
