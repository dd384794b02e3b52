/**
 * Reserve-then-send, the operation that makes the limits safe. In one write transaction: take
 * the lock, re-read the case's snapshot (lineage and ledger), decide with core at `now`, record
 * the decision in the audit log, and insert a `reserved` attempt for the connections whose
 * verdict is `refresh`. What to decide and insert is core's `planReservation` (the in-memory
 * store applies the same function); this file only locks, reads and writes. The caller sends to Truv only after this commits, so the slot is counted
 * before the request can leave, and a crash after commit leaves an attempt that counts.
 *
 * Locking: SQLite `BEGIN IMMEDIATE` (database-wide write lock, waiters queue on busy_timeout);
 * Postgres `SELECT ... FOR UPDATE` on the lineage's connection rows in id order, taken before the
 * ledger is read (READ COMMITTED then reads every attempt committed by the previous holder).
 * The lock is taken by the statement that reads the case and its connections (no separate lock
 * query), and the audit row, attempt and attempt connections go in one statement on Postgres.
 * Cost: reservers of one lineage run one at a time; on SQLite so do all writers (about 1 ms each).
 */
import { type Attempt, CaseNotFound, type Decision, digestInput, planReservation, type PolicyConfig, type Product, type Reservation, type ValidityEstimate } from "@recert/core"
import { type Kysely, sql } from "kysely"
import { randomUUID } from "node:crypto"
import type { CaseRow, Database } from "../database.js"
import type { DialectAdapter } from "../dialect/adapter.js"
import { FOLLOW_UP_OWED } from "../migrations.js"
import { Abort } from "../run.js"
import { caseFromRow, type ConnectionRowWithoutToken, lineageFromRows } from "../rows.js"
import { CONNECTION_COLUMNS, loadLedgers, withLoan } from "./load-snapshots.js"
import { decisionValues } from "./record-decision.js"

export interface StoreHooks {
  /** Runs inside reserve's transaction, after the attempt's insert and before commit. */
  readonly insideReserve?: () => Promise<void>
}

export interface ReserveArgs {
  readonly caseId: string
  readonly product: Product | null
  readonly oncePerCycle?: boolean
  readonly now: number
  readonly config: PolicyConfig
  readonly hooks: StoreHooks | undefined
  /** Validity learned from the ledger (the store's last refresh), if any. */
  readonly validity?: ReadonlyArray<ValidityEstimate> | undefined
}

/**
 * The case and its lineage's connections in one query, in connection id order. Postgres locks the
 * connection rows (`FOR UPDATE OF c`, id order: two reservers never deadlock) in this same
 * statement, so the lock costs no round trip of its own; the rows returned are the latest
 * committed versions of the locked rows. A lineage without connections returns no row: the case
 * is then read alone (there is nothing to lock).
 */
const caseAndConnections = async (trx: Kysely<Database>, d: DialectAdapter, caseId: string) => {
  // Every case column as stored (`selectAll`: a database not yet migrated to the newest columns,
  // such as `closing_date`, still reads), the connection's under a `c_` prefix (no name clash).
  let query = trx.selectFrom("cases as k").innerJoin("connections as c", "c.root_order_id", "k.root_order_id")
    .selectAll("k")
    .select(CONNECTION_COLUMNS.map((c) => sql.ref(`c.${c}`).as(`${PREFIX}${c}`)))
    .where("k.id", "=", caseId).orderBy("c.id")
  if (d.rowLocks) query = query.forUpdate("c")
  const rows = await query.execute() as unknown as Array<Record<string, unknown>>
  const first = rows[0]
  const kase: CaseRow | undefined = first === undefined
    ? await trx.selectFrom("cases").selectAll().where("id", "=", caseId).executeTakeFirst()
    : Object.fromEntries(Object.entries(first).filter(([k]) => !k.startsWith(PREFIX))) as unknown as CaseRow
  const connections = rows.map((r) => Object.fromEntries(CONNECTION_COLUMNS.map((c) => [c, r[`${PREFIX}${c}`]])) as unknown as ConnectionRowWithoutToken)
  return { kase, connections }
}

const PREFIX = "c_"

/** The audit row, the attempt and its connections: one statement with data-modifying CTEs where the dialect has them. */
const insertReservation = async (trx: Kysely<Database>, d: DialectAdapter, caseId: string, rootOrderId: string, decision: Decision, digest: string, attempt: Attempt | null, now: number) => {
  const decisionRow = decisionValues(caseId, decision, digest)
  if (attempt === null) return trx.insertInto("decisions").values(decisionRow).execute()
  const attemptRow = {
    id: attempt.id, case_id: caseId, root_order_id: rootOrderId, at: now, product: attempt.product, status: "reserved", order_id: null,
    rejection: null, outcomes: "{}", resolved_at: null, gse_free: attempt.gseFree ? 1 : 0, updated_at: now
  }
  const links = attempt.connectionIds.map((connection_id) => ({ attempt_id: attempt.id, connection_id, at: now }))
  if (d.writableCte) {
    // Postgres checks the attempt_connections -> attempts key at the end of the statement, when the attempt exists.
    return trx.with("d", (db) => db.insertInto("decisions").values(decisionRow).returning("id"))
      .with("a", (db) => db.insertInto("attempts").values(attemptRow).returning("id"))
      .insertInto("attempt_connections").values(links).execute()
  }
  await trx.insertInto("decisions").values(decisionRow).execute()
  await trx.insertInto("attempts").values(attemptRow).execute()
  return trx.insertInto("attempt_connections").values(links).execute()
}

/**
 * A final attempt of the case whose follow-up is still owed (`attempts.followed_up_at` null), if
 * any: read under reserve's lock, through `attempts_case_at` (a case's attempts: a handful).
 * Exported for the query-plan test.
 */
export const owedFollowUpOf = (db: Kysely<Database>, caseId: string) =>
  db.selectFrom("attempts").select("id").where("case_id", "=", caseId).where(sql.raw<boolean>(FOLLOW_UP_OWED)).limit(1)

/**
 * With `oncePerCycle` (renewal semantics), a case whose last refresh's outcome is recorded but
 * whose follow-up has not finished is not renewed: the follow-up runs first (issue 15/16). It
 * stores the report and reschedules the case (after which the case is not due), or queues the
 * link or the retry the outcome asks for; a renewal beside it refreshed and billed the case a
 * second time when the follow-up was a late recovery's (more than `inFlightRecheckMinutes` after
 * the success, the only other guard). No time window: the mark is the follow-up's last step.
 */
const followUpOwed = (attemptId: string): string =>
  `follow-up owed: attempt ${attemptId} is final and its follow-up has not finished (it runs before any new renewal of the case)`

/**
 * Round trips (Postgres): BEGIN, case + connections (locking), orders, ledger, owed follow-up
 * (renewals only), one INSERT, COMMIT. SQLite: the same statements, prepared once per connection
 * and cached.
 */
export const reserve = (db: Kysely<Database>, d: DialectAdapter, args: ReserveArgs): Promise<Reservation> =>
  d.writeTransaction(db, async (trx) => {
    const { kase, connections } = await caseAndConnections(trx, d, args.caseId)
    if (kase === undefined) throw new Abort(new CaseNotFound({ caseId: args.caseId }))
    const root = kase.root_order_id
    const orders = await trx.selectFrom("orders").selectAll().where("root_order_id", "=", root).execute()
    const ledger = (await loadLedgers(trx, [root])).get(root) ?? []
    const snapshot = await withLoan(trx, { case: caseFromRow(kase), lineage: lineageFromRows(orders, connections), ledger }, orders)
    // Decided under the lock, by core's rules (ledger/reservation.ts): a worker holding a stale
    // snapshot must not refresh a case that another worker re-verified since.
    const planned = planReservation(snapshot, args, args.now, args.config, randomUUID, args.validity)
    const owed = args.oncePerCycle === true && planned.reservation.notNeeded === undefined
      ? await owedFollowUpOf(trx, args.caseId).executeTakeFirst()
      : undefined
    const { input } = planned
    const reservation: Reservation = owed === undefined
      ? planned.reservation
      : { decision: planned.reservation.decision, attempt: null, notNeeded: followUpOwed(owed.id) }
    const { decision, attempt } = reservation
    // The attempt is stamped with the instant it was decided at (core's `reservationInstant`: this
    // worker's clock, or the ledger's newest instant when another worker's clock is ahead).
    await insertReservation(trx, d, args.caseId, root, decision, digestInput(input), attempt, planned.at)
    if (attempt !== null && args.hooks?.insideReserve !== undefined) await args.hooks.insideReserve()
    return reservation
  })
