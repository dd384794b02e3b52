/**
 * Calendar dates (`YYYY-MM-DD`, no time, no zone) and the day arithmetic the summary needs. Pay
 * dates and pay periods are calendar dates in payroll data; the program window is resolved to
 * calendar dates of the UTC calendar (the caller's `now` is an instant), so a summary is the same
 * wherever it is computed. Days are counted as whole days since 1970-01-01 (a "day number").
 */
import { z } from "zod"

const DAY_MS = 86_400_000

/**
 * A calendar date, `YYYY-MM-DD` (a real date: `2026-02-30` is refused).
 *
 * @example
 * CalendarDate.parse("2026-11-20")
 */
export const CalendarDate = z.iso.date()
export type CalendarDate = z.infer<typeof CalendarDate>

/** Whole days since 1970-01-01 of a valid `YYYY-MM-DD`. */
export const dayNumber = (date: CalendarDate): number =>
  Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / DAY_MS

/** The `YYYY-MM-DD` of a day number. */
export const dateOfDay = (day: number): CalendarDate => new Date(day * DAY_MS).toISOString().slice(0, 10)

/** The UTC calendar date of an instant (epoch ms). */
export const utcDayOf = (instantMs: number): number => Math.floor(instantMs / DAY_MS)

/** The first day (day number) of the month `offset` months from the month of `day`. */
export const monthStart = (day: number, offset = 0): number => {
  const d = new Date(day * DAY_MS)
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + offset, 1) / DAY_MS
}

/** `YYYY-MM` of a day number. */
export const monthOf = (day: number): string => dateOfDay(day).slice(0, 7)
