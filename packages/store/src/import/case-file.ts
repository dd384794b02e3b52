/**
 * Reads an imported case file (CSV or a JSON array) into core's `Case`s, validated with core's
 * zod schema. Every problem is reported with its line and field, all at once, so a caseworker
 * fixes the file in one pass. Checks against the database (unknown lineage, existing case) are
 * made by `importCases` inside its transaction.
 */
import { type Baseline, Case, formatPath } from "@recert/core"
import type { ImportIssue } from "../errors.js"
import { BASELINE_COLUMNS, baselineFromColumns } from "./baseline-columns.js"
import { parseCsv } from "./csv.js"
import { arrayElementLines } from "./json-lines.js"

export interface ParsedCase {
  readonly line: number
  readonly value: Case
  /** The baseline the row supplied (baseline-columns.ts), or null. */
  readonly baseline: Baseline | null
}

export type ParseResult = { readonly cases: ReadonlyArray<ParsedCase> } | { readonly issues: ReadonlyArray<ImportIssue> }

export const CSV_COLUMNS = ["id", "dueAt", "cycle", "rootOrderId", "product", "lastVerifiedAt", ...BASELINE_COLUMNS] as const
const REQUIRED_COLUMNS = ["id", "dueAt", "cycle", "rootOrderId"]
const NULLABLE_COLUMNS = new Set<string>(["product", "lastVerifiedAt", ...BASELINE_COLUMNS])

const validate = (raw: unknown, line: number, issues: Array<ImportIssue>, cases: Array<ParsedCase>) => {
  const parsed = Case.safeParse(raw)
  const fields = typeof raw === "object" && raw !== null ? raw as Record<string, unknown> : {}
  const baseline = baselineFromColumns(fields, parsed.success ? parsed.data.product : null, line, issues)
  if (parsed.success) cases.push({ line, value: parsed.data, baseline })
  else for (const issue of parsed.error.issues) issues.push({ line, field: formatPath(issue.path) || "(row)", message: issue.message })
}

const duplicates = (cases: ReadonlyArray<ParsedCase>, issues: Array<ImportIssue>) => {
  const seen = new Map<string, number>()
  for (const c of cases) {
    const first = seen.get(c.value.id)
    if (first !== undefined) issues.push({ line: c.line, field: "id", message: `duplicate case id "${c.value.id}" (first on line ${first})` })
    else seen.set(c.value.id, c.line)
  }
}

export const parseCsvCases = (text: string): ParseResult => {
  const parsed = parseCsv(text)
  if ("error" in parsed) return { issues: [{ line: parsed.error.line, field: "(file)", message: parsed.error.message }] }
  const [header, ...rows] = parsed.records
  if (header === undefined) return { issues: [{ line: 1, field: "(file)", message: "empty file: expected a header line" }] }
  const issues: Array<ImportIssue> = []
  const columns = header.fields.map((f) => f.trim())
  for (const column of columns) {
    if (!(CSV_COLUMNS as ReadonlyArray<string>).includes(column)) {
      issues.push({ line: header.line, field: column, message: `unknown column (expected ${CSV_COLUMNS.join(", ")})` })
    }
  }
  for (const column of REQUIRED_COLUMNS) {
    if (!columns.includes(column)) issues.push({ line: header.line, field: column, message: "missing column" })
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
    validate(raw, row.line, issues, cases)
  }
  duplicates(cases, issues)
  return issues.length > 0 ? { issues } : { cases }
}

export const parseJsonCases = (text: string): ParseResult => {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    return { issues: [{ line: 1, field: "(file)", message: `not JSON: ${message}` }] }
  }
  if (!Array.isArray(data)) return { issues: [{ line: 1, field: "(file)", message: "expected a JSON array of cases" }] }
  const lines = arrayElementLines(text)
  const issues: Array<ImportIssue> = []
  const cases: Array<ParsedCase> = []
  data.forEach((raw: unknown, i) => validate(raw, lines[i] ?? 1, issues, cases))
  duplicates(cases, issues)
  return issues.length > 0 ? { issues } : { cases }
}
