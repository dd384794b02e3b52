/**
 * The program window a caseworker summary covers: the last N days (30 and 90 are the usual
 * programs' choices) or the last N full calendar months. Resolved from an explicit `now` on the
 * UTC calendar: `last-days` N ends on now's UTC date and starts N-1 days before (both included);
 * `full-months` N ends on the last day of the month before now's and starts on the first day N
 * months earlier, so the month in progress is never counted as if it were whole.
 */
import { z } from "zod"
import { type CalendarDate, dateOfDay, monthStart, utcDayOf } from "./calendar-date.js"

export const ProgramWindow = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("last-days"), days: z.int().min(1).max(731) }),
  z.strictObject({ kind: z.literal("full-months"), months: z.int().min(1).max(24) })
])
export type ProgramWindow = z.infer<typeof ProgramWindow>

export interface ResolvedWindow {
  readonly spec: ProgramWindow
  /** First and last day, both included. */
  readonly from: CalendarDate
  readonly to: CalendarDate
  readonly fromDay: number
  readonly toDay: number
  /** Days in the window (to - from + 1). */
  readonly days: number
  /** `last 90 days (2026-08-25 to 2026-11-22)`. */
  readonly label: string
}

/**
 * @example
 * resolveWindow({ kind: "full-months", months: 3 }, Date.parse("2026-11-22T10:00:00Z"))
 * // from 2026-08-01 to 2026-10-31, 92 days
 */
export const resolveWindow = (spec: ProgramWindow, nowMs: number): ResolvedWindow => {
  const today = utcDayOf(nowMs)
  const [fromDay, toDay] = spec.kind === "last-days"
    ? [today - spec.days + 1, today]
    : [monthStart(today, -spec.months), monthStart(today) - 1]
  const from = dateOfDay(fromDay)
  const to = dateOfDay(toDay)
  const what = spec.kind === "last-days" ? `last ${spec.days} days` : `last ${spec.months} full month(s)`
  return { spec, from, to, fromDay, toDay, days: toDay - fromDay + 1, label: `${what} (${from} to ${to})` }
}
