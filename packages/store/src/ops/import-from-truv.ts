/**
 * Onboarding from Truv (`recert cases import --from-truv`): a case file whose `rootOrderId`s are
 * any Truv order ids, the lineages the caller built from Truv's answers for them, and a map from
 * each order id of the file to its lineage's root. In one write transaction: the lineages whose
 * root is not stored yet are inserted (orders, connections, access tokens encrypted), each case's
 * order id is replaced by its root, the cases already stored on the same root are kept as they
 * are (the scheduler may have moved their due date since), and the others are checked as
 * `importCases` checks them and inserted. Any problem rolls everything back: nothing is
 * half-written. Running it again with the same file and answers writes nothing. Each case's client
 * contact (the file's columns, filled from its root order's names, email, phone and external user
 * id) is stored or updated, for kept cases too: a re-import brings a changed contact up to date.
 *
 * Locking: the write transaction (SQLite's write lock; on Postgres a concurrent insert of the
 * same root or case fails its primary key and rolls this import back).
 */
import { type CaseContact, CONTACT_FIELDS, type ReachMode } from "@recert/core"
import type { Kysely } from "kysely"
import type { Database } from "../database.js"
import type { DialectAdapter } from "../dialect/adapter.js"
import { ImportFailed, type ImportIssue } from "../errors.js"
import { type ParsedCase, parseCsvCases, parseJsonCases } from "../import/case-file.js"
import { contactIssues } from "../import/contact-columns.js"
import { inLineOrder } from "../import/case-rules.js"
import { caseToRow, uniformRows } from "../rows.js"
import { Abort } from "../run.js"
import type { TokenCipher } from "../token-cipher.js"
import { upsertContacts } from "./client-contacts.js"
import { contactsOf, databaseIssues } from "./import-cases.js"
import { connectionRows, insertChunked, orderRows, type ValidBulkItem } from "./insert-bulk.js"

/** What an onboarding import wrote, and what it found already stored. */
export interface TruvImportCounts {
  readonly lineagesAdded: number
  readonly lineagesKept: number
  readonly casesAdded: number
  readonly casesKept: number
}

export interface TruvOnboarding {
  /** The lineages built from Truv (validated), with their access tokens. */
  readonly lineages: ReadonlyArray<Pick<ValidBulkItem, "lineage" | "accessTokens">>
  /** Each order id the file names, to its lineage's root order id. */
  readonly rootOf: Readonly<Record<string, string>>
  /**
   * The client's identity and contact as each root order carries them (`first_name`, `last_name`,
   * `email`, `phone`, `external_user_id`, normalised by core's field rules; a value that fails
   * them is null), by root order id. The file's own contact columns win field by field.
   */
  readonly contacts?: Readonly<Record<string, CaseContact>>
}

/** The file's contact, its empty fields filled from the order's. */
const mergedContact = (file: CaseContact | null, truv: CaseContact | undefined): CaseContact | null => {
  if (truv === undefined) return file
  if (file === null) return CONTACT_FIELDS.some((f) => truv[f] !== null) ? truv : null
  return Object.fromEntries(CONTACT_FIELDS.map((f) => [f, file[f] ?? truv[f]])) as unknown as CaseContact
}

const CHUNK = 500

const storedRoots = async (db: Kysely<Database>, ids: ReadonlyArray<string>): Promise<Set<string>> => {
  const found = new Set<string>()
  for (let i = 0; i < ids.length; i += CHUNK) {
    const rows = await db.selectFrom("orders").select("id").where("id", "in", ids.slice(i, i + CHUNK)).where("parent_id", "is", null).execute()
    for (const r of rows) found.add(r.id)
  }
  return found
}

const storedCases = async (db: Kysely<Database>, ids: ReadonlyArray<string>): Promise<Map<string, string>> => {
  const found = new Map<string, string>()
  for (let i = 0; i < ids.length; i += CHUNK) {
    const rows = await db.selectFrom("cases").select(["id", "root_order_id"]).where("id", "in", ids.slice(i, i + CHUNK)).execute()
    for (const r of rows) found.set(r.id, r.root_order_id)
  }
  return found
}

/** The file's cases with their roots; a case whose order id has no root given is a problem. */
const rooted = (cases: ReadonlyArray<ParsedCase>, onboarding: TruvOnboarding, issues: Array<ImportIssue>): Array<ParsedCase> =>
  cases.flatMap((c) => {
    const rootOf = onboarding.rootOf
    const root = Object.hasOwn(rootOf, c.value.rootOrderId) ? rootOf[c.value.rootOrderId] : undefined
    if (root === undefined) {
      issues.push({ line: c.line, field: "rootOrderId", message: `order "${c.value.rootOrderId}" was not resolved at Truv` })
      return []
    }
    return [{ ...c, value: { ...c.value, rootOrderId: root }, contact: mergedContact(c.contact, onboarding.contacts?.[root]) }]
  })

/**
 * `reach`: the deployment's reach mode, whose needs each case's contact (the file's, filled from
 * its order's) must meet; null: none checked.
 */
export const importFromTruv = async (
  db: Kysely<Database>, d: DialectAdapter, cipher: TokenCipher, contents: string, format: "csv" | "json", onboarding: TruvOnboarding, reach: ReachMode | null, now: number
): Promise<TruvImportCounts> => {
  const parsed = format === "csv" ? parseCsvCases(contents, now) : parseJsonCases(contents, now)
  if ("issues" in parsed) throw new Abort(new ImportFailed({ format, issues: [...parsed.issues] }))
  const unresolved: Array<ImportIssue> = []
  const cases = rooted(parsed.cases, onboarding, unresolved)
  unresolved.push(...contactIssues(cases, reach))
  if (unresolved.length > 0) throw new Abort(new ImportFailed({ format, issues: inLineOrder(unresolved) }))
  return d.writeTransaction(db, async (trx) => {
    const kept = await storedRoots(trx, onboarding.lineages.map((l) => l.lineage.rootOrderId))
    const added = onboarding.lineages.filter((l) => !kept.has(l.lineage.rootOrderId))
    await insertChunked(trx, d, "orders", added.flatMap((l) => orderRows(l.lineage)))
    await insertChunked(trx, d, "connections", added.flatMap((l) => connectionRows(l.lineage, l.accessTokens, cipher)))
    const existing = await storedCases(trx, cases.map((c) => c.value.id))
    const issues: Array<ImportIssue> = []
    const fresh = cases.filter((c) => {
      const root = existing.get(c.value.id)
      if (root !== undefined && root !== c.value.rootOrderId) {
        issues.push({ line: c.line, field: "id", message: `case "${c.value.id}" already exists on another lineage (root ${root}, this file's order resolves to ${c.value.rootOrderId})` })
      }
      return root === undefined
    })
    issues.push(...await databaseIssues(trx, fresh))
    if (issues.length > 0) throw new Abort(new ImportFailed({ format, issues: inLineOrder(issues) }))
    await insertChunked(trx, d, "cases", uniformRows(fresh.map((c) => ({
      ...caseToRow(c.value, now), baseline: c.baseline === null ? null : JSON.stringify(c.baseline),
      ...(c.closed === null ? {} : { closed_at: c.closed.at, closed_reason: c.closed.reason })
    }))))
    // New cases' contacts, and kept cases' updated (an unchanged one is not rewritten).
    await upsertContacts(trx, d, cipher, contactsOf(cases), now)
    return { lineagesAdded: added.length, lineagesKept: kept.size, casesAdded: fresh.length, casesKept: cases.length - fresh.length }
  })
}
