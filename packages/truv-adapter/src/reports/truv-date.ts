/**
 * Truv sends dates both as `YYYY-MM-DD` and as full ISO timestamps, even within one payload
 * (truv-reports-notes §2). A pay date is a calendar date: from a timestamp we keep the date as
 * written (`2026-11-20T00:00:00-05:00` is 2026-11-20), not shifted to UTC, because the payroll
 * provider's calendar day is the fact; the rest of the timestamp must still be valid.
 */
import { CalendarDate } from "@recert/core"

const TIMESTAMP = /^(\d{4}-\d{2}-\d{2})[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i

/**
 * @example
 * truvDate("2026-11-20")              // "2026-11-20"
 * truvDate("2026-11-20T16:04:11Z")    // "2026-11-20"
 * truvDate("20/11/2026")              // null (malformed)
 */
export const truvDate = (value: string): CalendarDate | null => {
  const text = value.trim()
  const date = CalendarDate.safeParse(text)
  if (date.success) return date.data
  const m = TIMESTAMP.exec(text)
  if (m === null || Number.isNaN(Date.parse(text.replace(" ", "T")))) return null
  const day = CalendarDate.safeParse(m[1])
  return day.success ? day.data : null
}
