/**
 * Imports a case file all or nothing: parse and validate every row first (line and field for
 * each problem), then, in one write transaction, check the database (the lineage exists, the
 * case does not, the case's product is one its lineage's order type can refresh, by core's
 * product table) and insert. Any problem rolls everything back and lists every issue, in line
 * order.
 *
 * Locking: the write transaction; the existence checks and the insert see the same state
 * (SQLite: the write lock; Postgres: a concurrent insert of the same id fails the primary key
 * and rolls the import back).
 */
import { DEFAULT_PRODUCTS_BY_ORDER_TYPE, type OrderType, type ReachMode } from "@recert/core"
import type { Kysely } from "kysely"
import type { Database } from "../database.js"
import type { DialectAdapter } from "../dialect/adapter.js"
import { ImportFailed, type ImportIssue } from "../errors.js"
import { type ParsedCase, parseCsvCases, parseJsonCases } from "../import/case-file.js"
import { inLineOrder } from "../import/case-rules.js"
import { Abort } from "../run.js"
import { caseToRow, uniformRows } from "../rows.js"
import type { TokenCipher } from "../token-cipher.js"
import { upsertContacts } from "./client-contacts.js"
import { insertChunked } from "./insert-bulk.js"

const LOOKUP_CHUNK = 500

const existing = async (db: Kysely<Database>, ids: ReadonlyArray<string>): Promise<Set<string>> => {
  const found = new Set<string>()
  for (let i = 0; i < ids.length; i += LOOKUP_CHUNK) {
    const rows = await db.selectFrom("cases").select("id").where("id", "in", ids.slice(i, i + LOOKUP_CHUNK)).execute()
    for (const r of rows) found.add(r.id)
  }
  return found
}

/** The order type of each root order that exists. */
const orderTypes = async (db: Kysely<Database>, ids: ReadonlyArray<string>): Promise<Map<string, OrderType>> => {
  const found = new Map<string, OrderType>()
  for (let i = 0; i < ids.length; i += LOOKUP_CHUNK) {
    const rows = await db.selectFrom("orders").select(["id", "order_type"]).where("id", "in", ids.slice(i, i + LOOKUP_CHUNK)).execute()
    for (const r of rows) found.set(r.id, r.order_type as OrderType)
  }
  return found
}

/** The database's problems with parsed cases (also used by import-from-truv.ts). */
export const databaseIssues = async (db: Kysely<Database>, cases: ReadonlyArray<ParsedCase>): Promise<Array<ImportIssue>> => {
  const roots = await orderTypes(db, [...new Set(cases.map((c) => c.value.rootOrderId))])
  const taken = await existing(db, cases.map((c) => c.value.id))
  const issues: Array<ImportIssue> = []
  for (const c of cases) {
    const orderType = roots.get(c.value.rootOrderId)
    if (orderType === undefined) issues.push({ line: c.line, field: "rootOrderId", message: `no lineage with root order "${c.value.rootOrderId}"` })
    else if (c.value.product !== null && !DEFAULT_PRODUCTS_BY_ORDER_TYPE[orderType].includes(c.value.product)) {
      issues.push({ line: c.line, field: "product", message: `the lineage's order type ${orderType} cannot refresh ${c.value.product} (it can refresh only ${DEFAULT_PRODUCTS_BY_ORDER_TYPE[orderType].join(", ")})` })
    }
    if (taken.has(c.value.id)) issues.push({ line: c.line, field: "id", message: `case "${c.value.id}" already exists` })
  }
  return inLineOrder(issues)
}

/** How an import checks its rows beyond their own validity. */
export interface ImportOptions {
  /** The deployment's reach mode: every row's client contact must meet its needs (`missingAtImport`). Absent: none checked. */
  readonly reach?: ReachMode
}

/** The contacts of imported cases, for `upsertContacts` (also used by import-from-truv.ts). */
export const contactsOf = (cases: ReadonlyArray<ParsedCase>) =>
  cases.flatMap((c) => c.contact === null ? [] : [{ caseId: c.value.id, contact: c.contact }])

/**
 * `reach`: the deployment's reach mode, whose needs every row's contact must meet (null: none
 * checked). The contacts are stored encrypted with `cipher`, in the same transaction.
 */
export const importCases = async (
  db: Kysely<Database>, d: DialectAdapter, cipher: TokenCipher, contents: string, format: "csv" | "json", reach: ReachMode | null, now: number
): Promise<{ imported: number }> => {
  const parsed = format === "csv" ? parseCsvCases(contents, now, reach) : parseJsonCases(contents, now, reach)
  if ("issues" in parsed) throw new Abort(new ImportFailed({ format, issues: [...parsed.issues] }))
  return d.writeTransaction(db, async (trx) => {
    const issues = await databaseIssues(trx, parsed.cases)
    if (issues.length > 0) throw new Abort(new ImportFailed({ format, issues }))
    await insertChunked(trx, d, "cases", uniformRows(parsed.cases.map((c) => ({
      ...caseToRow(c.value, now), baseline: c.baseline === null ? null : JSON.stringify(c.baseline),
      ...(c.closed === null ? {} : { closed_at: c.closed.at, closed_reason: c.closed.reason })
    }))))
    await upsertContacts(trx, d, cipher, contactsOf(parsed.cases), now)
    return { imported: parsed.cases.length }
  })
}
