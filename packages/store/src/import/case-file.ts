/**
 * Reads an imported case file (CSV, a JSON array, or JSON Lines: one case object per line) into
 * core's `Case`s, validated with core's zod schema, strictly (an unknown CSV column or JSON key is
 * refused, with a hint when it is a known name in another case or misspelt). A UTF-8 byte-order
 * mark is ignored. Every problem is reported with its line and field, all at once and in line
 * order, so a caseworker fixes the file in one pass. Checks against the database (unknown
 * lineage, existing case, a product the order type cannot refresh) are made by `importCases`
 * inside its transaction.
 */
import { type Baseline, CalendarDate, Case, type CaseContact, didYouMean, issuesFromZod, type ReachMode } from "@recert/core"
import type { ImportIssue } from "../errors.js"
import { BASELINE_COLUMNS, baselineFromColumns } from "./baseline-columns.js"
import { caseIssues, inLineOrder, withoutBom } from "./case-rules.js"
import { CLOSING_COLUMNS, closingFromColumns, type ImportedClosing } from "./closing-columns.js"
import { CONTACT_COLUMNS, contactFromColumns, contactIssues } from "./contact-columns.js"
import { parseCsv } from "./csv.js"
import { arrayElementLines } from "./json-lines.js"

export interface ParsedCase {
  readonly line: number
  readonly value: Case
  /** The baseline the row supplied (baseline-columns.ts), or null. */
  readonly baseline: Baseline | null
  /** The client's identity and contact the row supplied (contact-columns.ts), or null. */
  readonly contact: CaseContact | null
  /** Imported already closed (closing-columns.ts), or null. */
  readonly closed: ImportedClosing | null
}

export type ParseResult = { readonly cases: ReadonlyArray<ParsedCase> } | { readonly issues: ReadonlyArray<ImportIssue> }

export const CSV_COLUMNS = ["id", "dueAt", "cycle", "rootOrderId", "product", "lastVerifiedAt", "closingDate", ...BASELINE_COLUMNS, ...CONTACT_COLUMNS, ...CLOSING_COLUMNS] as const
const REQUIRED_COLUMNS = ["id", "dueAt", "cycle", "rootOrderId"]
/** With a `closingDate` column, `dueAt` and `cycle` may be left out (`withClosingDefaults`). */
const OPTIONAL_WITH_CLOSING = new Set(["dueAt", "cycle"])
const NULLABLE_COLUMNS = new Set<string>(["product", "lastVerifiedAt", "closingDate", ...BASELINE_COLUMNS, ...CONTACT_COLUMNS, ...CLOSING_COLUMNS])

const StrictCase = Case.strict()
/** Columns read apart from core's `Case` (its schema is strict). */
const EXTRA = new Set<string>([...BASELINE_COLUMNS, ...CONTACT_COLUMNS, ...CLOSING_COLUMNS])

/** Validates one row: the case strictly (baseline and contact columns apart), then its optional baseline and contact. */
const validate = (raw: unknown, line: number, now: number, issues: Array<ImportIssue>, cases: Array<ParsedCase>, reach: ReachMode | null) => {
  const fields = typeof raw === "object" && raw !== null && !Array.isArray(raw) ? raw as Record<string, unknown> : null
  const caseFields = fields === null ? raw : withClosingDefaults(Object.fromEntries(Object.entries(fields).filter(([k]) => !EXTRA.has(k))))
  const parsed = StrictCase.safeParse(caseFields)
  const baseline = baselineFromColumns(fields ?? {}, parsed.success ? parsed.data.product : null, line, issues)
  const before = issues.length
  const contact = contactFromColumns(fields ?? {}, line, issues)
  // What the reach mode needs, unless a contact field was already refused (one problem per field).
  if (issues.length === before) issues.push(...contactIssues([{ line, contact }], reach))
  const closed = closingFromColumns(fields ?? {}, line, now, issues)
  if (!parsed.success) {
    for (const issue of issuesFromZod(parsed.error, "", StrictCase)) issues.push({ line, field: issue.path === "(root)" ? "(row)" : issue.path, message: issue.message })
    return
  }
  const problems = caseIssues(parsed.data, line, now)
  if (problems.length > 0) issues.push(...problems)
  else cases.push({ line, value: parsed.data, baseline, contact, closed })
}

const blank = (v: unknown): boolean => v === undefined || v === null || v === ""

/**
 * A lender pre-closing case (a `closingDate`) may leave `dueAt` and `cycle` out: its due date is
 * the start of the note date and it is not rescheduled (`ad-hoc`). Given, they are checked
 * against it (`caseIssues`).
 */
const withClosingDefaults = (fields: Record<string, unknown>): Record<string, unknown> => {
  const closing = CalendarDate.safeParse(fields["closingDate"])
  if (!closing.success) return fields
  return {
    ...fields,
    ...(blank(fields["dueAt"]) ? { dueAt: `${closing.data}T00:00:00.000Z` } : {}),
    ...(blank(fields["cycle"]) ? { cycle: "ad-hoc" } : {})
  }
}

const result = (issues: ReadonlyArray<ImportIssue>, cases: ReadonlyArray<ParsedCase>): ParseResult =>
  issues.length > 0 ? { issues: inLineOrder(issues) } : { cases }

const duplicates = (cases: ReadonlyArray<ParsedCase>, issues: Array<ImportIssue>) => {
  const seen = new Map<string, number>()
  for (const c of cases) {
    const first = seen.get(c.value.id)
    if (first !== undefined) issues.push({ line: c.line, field: "id", message: `duplicate case id "${c.value.id}" (first on line ${first})` })
    else seen.set(c.value.id, c.line)
  }
}

/**
 * Reads a CSV case file; `now` (epoch ms) is the import instant a `lastVerifiedAt` may not pass;
 * `reach`, when given, the deployment's reach mode whose needs each row's contact must meet.
 */
export const parseCsvCases = (text: string, now: number, reach: ReachMode | null = null): ParseResult => {
  const parsed = parseCsv(withoutBom(text))
  if ("error" in parsed) return { issues: [{ line: parsed.error.line, field: "(file)", message: parsed.error.message }] }
  const [header, ...rows] = parsed.records
  if (header === undefined) return { issues: [{ line: 1, field: "(file)", message: "empty file: expected a header line" }] }
  const issues: Array<ImportIssue> = []
  const columns = header.fields.map((f) => f.trim())
  for (const column of columns) {
    if (!(CSV_COLUMNS as ReadonlyArray<string>).includes(column)) {
      const hint = didYouMean(column, CSV_COLUMNS)
      issues.push({ line: header.line, field: column, message: hint !== undefined ? `unknown column (did you mean ${hint}?)` : `unknown column (expected ${CSV_COLUMNS.join(", ")})` })
    }
  }
  for (const column of REQUIRED_COLUMNS) {
    if (!columns.includes(column) && !(columns.includes("closingDate") && OPTIONAL_WITH_CLOSING.has(column))) issues.push({ line: header.line, field: column, message: "missing column" })
  }
  if (issues.length > 0) return { issues }
  const cases: Array<ParsedCase> = []
  for (const row of rows) {
    if (row.fields.length !== columns.length) {
      issues.push({ line: row.line, field: "(row)", message: `${row.fields.length} field(s), expected ${columns.length}` })
      continue
    }
    const raw: Record<string, string | null> = {}
    columns.forEach((column, i) => {
      const value = row.fields[i]!.trim()
      raw[column] = value === "" && NULLABLE_COLUMNS.has(column) ? null : value
    })
    validate(raw, row.line, now, issues, cases, reach)
  }
  duplicates(cases, issues)
  return result(issues, cases)
}

/**
 * Reads a JSON case file: a JSON array of cases, or JSON Lines (the text starts with `{`: one
 * case object per line, blank lines skipped).
 */
export const parseJsonCases = (contents: string, now: number, reach: ReachMode | null = null): ParseResult => {
  const text = withoutBom(contents)
  if (text.trimStart().startsWith("{")) return parseJsonLines(text, now, reach)
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    return { issues: [{ line: 1, field: "(file)", message: `not JSON: ${message}` }] }
  }
  if (!Array.isArray(data)) return { issues: [{ line: 1, field: "(file)", message: "expected a JSON array of cases, or JSON Lines (one case object per line)" }] }
  const lines = arrayElementLines(text)
  const issues: Array<ImportIssue> = []
  const cases: Array<ParsedCase> = []
  data.forEach((raw: unknown, i) => validate(raw, lines[i] ?? 1, now, issues, cases, reach))
  duplicates(cases, issues)
  return result(issues, cases)
}

const parseJsonLines = (text: string, now: number, reach: ReachMode | null): ParseResult => {
  const issues: Array<ImportIssue> = []
  const cases: Array<ParsedCase> = []
  text.split("\n").forEach((content, i) => {
    if (content.trim() === "") return
    let raw: unknown
    try {
      raw = JSON.parse(content)
    } catch (error) {
      return void issues.push({ line: i + 1, field: "(row)", message: `not JSON: ${error instanceof Error ? error.message : String(error)}` })
    }
    validate(raw, i + 1, now, issues, cases, reach)
  })
  if (issues.length === 0 && cases.length === 0) return { issues: [{ line: 1, field: "(file)", message: "no cases" }] }
  duplicates(cases, issues)
  return result(issues, cases)
}
