/**
 * Monthly gross totals over a program window: one entry per calendar month the window touches,
 * in order, with the days of the month inside the window and `partial` when that is not the whole
 * month (a 90-day window starts and ends mid-month; its first and last totals are not a month's
 * pay). Months without pay are listed with zero, so a gap shows.
 */
import { dateOfDay, monthOf, monthStart } from "./calendar-date.js"
import type { MonthlyTotal } from "./income-summary.js"
import type { ResolvedWindow } from "./program-window.js"

/** The months of the window with zero totals. */
export const windowMonths = (w: ResolvedWindow): Array<MonthlyTotal> => {
  const months: Array<MonthlyTotal> = []
  for (let start = monthStart(w.fromDay); start <= w.toDay; start = monthStart(start, 1)) {
    const end = monthStart(start, 1) - 1
    const from = Math.max(start, w.fromDay)
    const to = Math.min(end, w.toDay)
    months.push({ month: monthOf(start), from: dateOfDay(from), to: dateOfDay(to), partial: from > start || to < end, grossCents: 0, statements: 0 })
  }
  return months
}

/** Totals of statements already known to lie inside the window, by pay date. */
export const monthlyTotals = (
  paid: ReadonlyArray<{ readonly statement: { readonly grossCents: number; readonly payDate: string | null } }>, w: ResolvedWindow
): Array<MonthlyTotal> => {
  const months = windowMonths(w)
  const index = new Map(months.map((m, i) => [m.month, i]))
  for (const p of paid) {
    // the pay date's own `YYYY-MM` (formatting a day number costs a Date per statement)
    const i = index.get(p.statement.payDate!.slice(0, 7))!
    const m = months[i]!
    months[i] = { ...m, grossCents: m.grossCents + p.statement.grossCents, statements: m.statements + 1 }
  }
  return months
}

/** The month-by-month sum of several employers' totals over the same window. */
export const sumMonthly = (lists: ReadonlyArray<ReadonlyArray<MonthlyTotal>>, w: ResolvedWindow): Array<MonthlyTotal> =>
  windowMonths(w).map((m, i) => lists.reduce((acc, list) => ({
    ...acc, grossCents: acc.grossCents + list[i]!.grossCents, statements: acc.statements + list[i]!.statements
  }), m))
