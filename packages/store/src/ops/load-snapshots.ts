/**
 * Loads the snapshots (case, lineage, ledger) of a set of case rows in exactly three queries,
 * whatever their number: the lineages' orders, their connections, and their ledgers (attempts
 * joined with their connections). `loadSnapshot` is one case query plus these three; each page of
 * `streamDueCases` is one keyset query plus these three.
 *
 * Locking: none. Callers that must decide on what they read (reserve) call this inside their
 * write transaction, after taking the lock.
 */
import type { Attempt, CaseSnapshot, LoanHistory } from "@recert/core"
import type { Kysely } from "kysely"
import type { AttemptRow, CaseRow, Database, OrderRow } from "../database.js"
import { attemptFromRow, caseFromRow, type ConnectionRowWithoutToken, lineageFromRows } from "../rows.js"
import { isUnloadableCase, type UnloadableCase, unloadableReason } from "./unloadable-case.js"

/** Connection columns snapshots need: everything but the encrypted token (never read, never decrypted here). */
export const CONNECTION_COLUMNS = [
  "id", "root_order_id", "position", "suborder_id", "suborder_number", "kind", "provider", "auth_kind",
  "authenticated_at", "last_task_status", "last_status_at", "mfa_on_every_login", "deleted_at"
] as const

const group = <R, K>(rows: ReadonlyArray<R>, key: (r: R) => K): Map<K, Array<R>> => {
  const map = new Map<K, Array<R>>()
  for (const row of rows) {
    const list = map.get(key(row))
    if (list === undefined) map.set(key(row), [row])
    else list.push(row)
  }
  return map
}

/** Ledgers by root order id: attempts oldest first, each with its connection ids (sorted). */
export const loadLedgers = async (db: Kysely<Database>, rootOrderIds: ReadonlyArray<string>): Promise<Map<string, Array<Attempt>>> => {
  if (rootOrderIds.length === 0) return new Map()
  return groupLedgers(await ledgerRows(db).where("attempts.root_order_id", "in", rootOrderIds).execute())
}

const ledgerRows = (db: Kysely<Database>) => db.selectFrom("attempts")
  .innerJoin("attempt_connections as ac", "ac.attempt_id", "attempts.id")
  .selectAll("attempts").select("ac.connection_id")
  .orderBy("attempts.at").orderBy("attempts.id").orderBy("ac.connection_id")

const groupLedgers = (rows: ReadonlyArray<AttemptRow & { connection_id: string }>): Map<string, Array<Attempt>> => {
  const ledgers = new Map<string, Array<Attempt>>()
  let current: { row: AttemptRow; ids: Array<string> } | undefined
  const flush = () => {
    if (current === undefined) return
    const list = ledgers.get(current.row.root_order_id) ?? []
    list.push(attemptFromRow(current.row, current.ids))
    ledgers.set(current.row.root_order_id, list)
  }
  for (const { connection_id, ...row } of rows) {
    if (current?.row.id !== row.id) {
      flush()
      current = { row, ids: [] }
    }
    current.ids.push(connection_id)
  }
  flush()
  return ledgers
}

/**
 * The GSE quota counts per loan (issue 18; a case is a loan): for each case on a GSE lineage, its
 * attempts on the lineages it has left (a new order moved it, `moveLineage`) and the creation of
 * the first of those lineages' roots. Cases with none are absent (their decision input is
 * unchanged). Two queries, whatever the number of cases; none when `cases` is empty.
 */
export const loanHistories = async (
  db: Kysely<Database>, cases: ReadonlyArray<{ readonly id: string; readonly rootOrderId: string; readonly rootCreatedAt: number }>
): Promise<Map<string, LoanHistory>> => {
  const out = new Map<string, LoanHistory>()
  if (cases.length === 0) return out
  const current = new Map(cases.map((c) => [c.id, c]))
  const rows = await ledgerRows(db).where("attempts.case_id", "in", [...current.keys()]).execute()
  const earlier = rows.filter((r) => r.root_order_id !== current.get(r.case_id)!.rootOrderId)
  if (earlier.length === 0) return out
  const roots = await db.selectFrom("orders").select(["id", "created_at"]).where("id", "in", [...new Set(earlier.map((r) => r.root_order_id))]).execute()
  const createdAt = new Map(roots.map((o) => [o.id, o.created_at]))
  const byCase = group(earlier, (r) => r.case_id)
  for (const [caseId, list] of byCase) {
    let first = current.get(caseId)!.rootCreatedAt
    for (const r of list) first = Math.min(first, createdAt.get(r.root_order_id) ?? first)
    out.set(caseId, { firstOrderAt: new Date(first).toISOString(), attempts: [...groupLedgers(list).values()].flat().sort((a, b) => a.at < b.at ? -1 : a.at > b.at ? 1 : 0) })
  }
  return out
}

/** The loan history of one case on a GSE lineage (`loanHistories`), or undefined. */
const loanOf = async (db: Kysely<Database>, caseId: string, orders: ReadonlyArray<OrderRow>): Promise<LoanHistory | undefined> => {
  const root = orders.find((o) => o.parent_id === null) ?? orders[0]
  if (root === undefined || root.gse === 0) return undefined
  return (await loanHistories(db, [{ id: caseId, rootOrderId: root.root_order_id, rootCreatedAt: root.created_at }])).get(caseId)
}

/** `snapshot` with its loan history when it has one. */
export const withLoan = async <S extends CaseSnapshot>(db: Kysely<Database>, snapshot: S, orders: ReadonlyArray<OrderRow>): Promise<S> => {
  const loan = await loanOf(db, snapshot.case.id, orders)
  return loan === undefined ? snapshot : { ...snapshot, loan }
}

/**
 * One case's snapshot in four queries sent at once (on Postgres, four pooled connections: one
 * round trip of latency instead of two). The lineage queries find the root order through a
 * subquery on the case instead of waiting for the case row. Without a transaction the four reads
 * are not one instant, exactly as before (reserve re-reads under its lock).
 */
export const loadSnapshotById = async (db: Kysely<Database>, caseId: string): Promise<CaseSnapshot | undefined> => {
  const root = db.selectFrom("cases").select("root_order_id").where("id", "=", caseId)
  const [kase, orders, connections, ledgerRowsOfCase] = await Promise.all([
    db.selectFrom("cases").selectAll().where("id", "=", caseId).executeTakeFirst(),
    db.selectFrom("orders").selectAll().where("root_order_id", "=", root).execute(),
    db.selectFrom("connections").select(CONNECTION_COLUMNS).where("root_order_id", "=", root).execute(),
    ledgerRows(db).where("attempts.root_order_id", "=", root).execute()
  ])
  if (kase === undefined) return undefined
  if (orders.length === 0) throw new Error(`case ${caseId}: ${await unloadableReason(db, kase.root_order_id, null)}`)
  return withLoan(db, {
    case: caseFromRow(kase),
    lineage: lineageFromRows(orders, connections),
    ledger: groupLedgers(ledgerRowsOfCase).get(kase.root_order_id) ?? []
  }, orders)
}

/**
 * Each case's snapshot, or an `UnloadableCase` for a case whose lineage cannot be built: one bad
 * row is isolated, the other cases of the page load.
 */
export const loadCaseLoads = async (db: Kysely<Database>, cases: ReadonlyArray<CaseRow>): Promise<Array<CaseSnapshot | UnloadableCase>> => {
  if (cases.length === 0) return []
  const roots = [...new Set(cases.map((c) => c.root_order_id))]
  const [orders, connections, ledgers] = await Promise.all([
    db.selectFrom("orders").selectAll().where("root_order_id", "in", roots).execute(),
    db.selectFrom("connections").select(CONNECTION_COLUMNS).where("root_order_id", "in", roots).execute(),
    loadLedgers(db, roots)
  ])
  const ordersByRoot = group<OrderRow, string>(orders, (o) => o.root_order_id)
  const connectionsByRoot = group<ConnectionRowWithoutToken, string>(connections, (c) => c.root_order_id)
  // GSE loans moved to a new lineage: their quota counts per loan (none for a page without GSE lineages).
  const gseRoot = (root: string) => ordersByRoot.get(root)?.find((o) => o.id === root && o.gse !== 0)
  const loans = await loanHistories(db, cases.flatMap((c) => {
    const root = gseRoot(c.root_order_id)
    return root === undefined ? [] : [{ id: c.id, rootOrderId: c.root_order_id, rootCreatedAt: root.created_at }]
  }))
  return Promise.all(cases.map(async (row): Promise<CaseSnapshot | UnloadableCase> => {
    try {
      const loan = loans.get(row.id)
      return {
        case: caseFromRow(row),
        lineage: lineageFromRows(ordersByRoot.get(row.root_order_id) ?? [], connectionsByRoot.get(row.root_order_id) ?? []),
        ledger: ledgers.get(row.root_order_id) ?? [],
        ...(loan === undefined ? {} : { loan })
      }
    } catch (error) {
      const reason = await unloadableReason(db, row.root_order_id, error)
      return { _tag: "UnloadableCase", caseId: row.id, rootOrderId: row.root_order_id, dueAt: new Date(row.due_at).toISOString(), reason }
    }
  }))
}

/** The snapshots of `cases`; a case that cannot be loaded fails the call, naming the case and why. */
export const loadSnapshots = async (db: Kysely<Database>, cases: ReadonlyArray<CaseRow>): Promise<Array<CaseSnapshot>> =>
  (await loadCaseLoads(db, cases)).map((load) => {
    if (isUnloadableCase(load)) throw new Error(`case ${load.caseId}: ${load.reason}`)
    return load
  })
