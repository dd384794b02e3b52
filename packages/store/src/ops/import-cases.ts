/**
 * Imports a case file all or nothing: parse and validate every row first (line and field for
 * each problem), then, in one write transaction, check the database (the lineage exists, the
 * case does not) and insert. Any problem rolls everything back and lists every issue.
 *
 * Locking: the write transaction; the existence checks and the insert see the same state
 * (SQLite: the write lock; Postgres: a concurrent insert of the same id fails the primary key
 * and rolls the import back).
 */
import type { Kysely } from "kysely"
import type { Database } from "../database.js"
import type { DialectAdapter } from "../dialect/adapter.js"
import { ImportFailed, type ImportIssue } from "../errors.js"
import { type ParsedCase, parseCsvCases, parseJsonCases } from "../import/case-file.js"
import { Abort } from "../run.js"
import { caseToRow } from "../rows.js"
import { insertChunked } from "./insert-bulk.js"

const LOOKUP_CHUNK = 500

const existing = async (db: Kysely<Database>, table: "orders" | "cases", ids: ReadonlyArray<string>): Promise<Set<string>> => {
  const found = new Set<string>()
  for (let i = 0; i < ids.length; i += LOOKUP_CHUNK) {
    const rows = await db.selectFrom(table).select("id").where("id", "in", ids.slice(i, i + LOOKUP_CHUNK)).execute()
    for (const r of rows) found.add(r.id)
  }
  return found
}

const databaseIssues = async (db: Kysely<Database>, cases: ReadonlyArray<ParsedCase>): Promise<Array<ImportIssue>> => {
  const roots = await existing(db, "orders", [...new Set(cases.map((c) => c.value.rootOrderId))])
  const taken = await existing(db, "cases", cases.map((c) => c.value.id))
  const issues: Array<ImportIssue> = []
  for (const c of cases) {
    if (!roots.has(c.value.rootOrderId)) issues.push({ line: c.line, field: "rootOrderId", message: `no lineage with root order "${c.value.rootOrderId}"` })
    if (taken.has(c.value.id)) issues.push({ line: c.line, field: "id", message: `case "${c.value.id}" already exists` })
  }
  return issues
}

export const importCases = async (
  db: Kysely<Database>, d: DialectAdapter, contents: string, format: "csv" | "json", now: number
): Promise<{ imported: number }> => {
  const parsed = format === "csv" ? parseCsvCases(contents) : parseJsonCases(contents)
  if ("issues" in parsed) throw new Abort(new ImportFailed({ format, issues: [...parsed.issues] }))
  return d.writeTransaction(db, async (trx) => {
    const issues = await databaseIssues(trx, parsed.cases)
    if (issues.length > 0) throw new Abort(new ImportFailed({ format, issues }))
    await insertChunked(trx, d, "cases", parsed.cases.map((c) => ({
      ...caseToRow(c.value, now), baseline: c.baseline === null ? null : JSON.stringify(c.baseline)
    })))
    return { imported: parsed.cases.length }
  })
}
