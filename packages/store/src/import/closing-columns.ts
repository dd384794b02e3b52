/**
 * A case imported already closed (issue 19: "`recert cases close` … and an import column"):
 * optional `closedAt` (an ISO-8601 instant, not in the future) and `closedReason` (free text, at
 * most 500 characters, no control characters). A closed case is never due, and its retention clock
 * starts at `closedAt`; a reason without an instant is refused. Both empty: an open case.
 */
import type { ImportIssue } from "../errors.js"

export const CLOSING_COLUMNS = ["closedAt", "closedReason"] as const

export interface ImportedClosing {
  /** ms since the epoch. */
  readonly at: number
  readonly reason: string | null
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/

const blank = (v: unknown): boolean => v === undefined || v === null || v === ""

/** The row's closing, or null when both columns are empty; problems (line and field, never the value) go to `issues`. */
export const closingFromColumns = (raw: Readonly<Record<string, unknown>>, line: number, now: number, issues: Array<ImportIssue>): ImportedClosing | null => {
  const at = raw["closedAt"]
  const reason = raw["closedReason"]
  if (blank(at)) {
    if (!blank(reason)) issues.push({ line, field: "closedReason", message: "a reason needs closedAt (the instant the case was closed)" })
    return null
  }
  const ms = typeof at === "string" && ISO_INSTANT.test(at) ? Date.parse(at) : Number.NaN
  let ok = true
  if (Number.isNaN(ms)) {
    issues.push({ line, field: "closedAt", message: "expected an ISO-8601 instant, e.g. 2026-11-30T17:00:00Z" })
    ok = false
  } else if (ms > now) {
    issues.push({ line, field: "closedAt", message: "is in the future: a case is closed when it was closed, not ahead of time" })
    ok = false
  }
  if (!blank(reason) && (typeof reason !== "string" || reason.length > 500 || CONTROL.test(reason))) {
    issues.push({ line, field: "closedReason", message: "expected text of at most 500 characters without control characters" })
    ok = false
  }
  return ok ? { at: ms, reason: blank(reason) ? null : (reason as string).trim() } : null
}
