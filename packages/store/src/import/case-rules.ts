/**
 * The checks on an imported case beyond its schema, shared by every format: no control
 * characters or terminal escapes in ids (they would drive the terminal of whoever lists the
 * case), no `lastVerifiedAt` in the future (a verification that has not happened yet would mark
 * the case done), a lender case's `dueAt` at the start of its `closingDate` and its cycle `ad-hoc`. A due date in the past is fine: an overdue case is exactly what a first run
 * should pick up. Also the small helpers of the readers: a byte-order mark removed, problems in
 * line order.
 */
import type { Case } from "@recert/core"
import type { ImportIssue } from "../errors.js"

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/

/** `\x1b` for ESC: the character named without printing it. */
const escaped = (c: string): string => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`

/** The problems of one schema-valid case, with its line, at import instant `now` (epoch ms). */
export const caseIssues = (c: Case, line: number, now: number): Array<ImportIssue> => {
  const issues: Array<ImportIssue> = []
  for (const field of ["id", "rootOrderId"] as const) {
    const bad = CONTROL.exec(c[field])
    if (bad !== null) issues.push({ line, field, message: `control character ${escaped(bad[0])} in an id (terminal escapes and line breaks are refused)` })
  }
  if (c.lastVerifiedAt !== null && Date.parse(c.lastVerifiedAt) > now) {
    issues.push({ line, field: "lastVerifiedAt", message: `in the future (${c.lastVerifiedAt} is after the import at ${new Date(now).toISOString()})` })
  }
  if (c.closingDate != null) {
    const due = `${c.closingDate}T00:00:00.000Z`
    if (Date.parse(c.dueAt) !== Date.parse(due)) issues.push({ line, field: "dueAt", message: `a case with a closingDate is due at the start of its note date (${due}); leave dueAt empty or give that instant` })
    if (c.cycle !== "ad-hoc") issues.push({ line, field: "cycle", message: `a case with a closingDate is not rescheduled: its cycle is ad-hoc (or empty), not ${c.cycle}` })
  }
  return issues
}

/** The text without a leading UTF-8 byte-order mark (Excel writes one into CSV and JSON). */
export const withoutBom = (text: string): string => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text)

/** Problems sorted by line, stable (a line's problems keep the order they were found in). */
export const inLineOrder = (issues: ReadonlyArray<ImportIssue>): Array<ImportIssue> =>
  [...issues].sort((a, b) => a.line - b.line)
