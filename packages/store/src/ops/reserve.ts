/**
 * Reserve-then-send, the operation that makes the limits safe. In one write transaction: take
 * the lock, re-read the case's snapshot (lineage and ledger), decide with core at `now`, record
 * the decision in the audit log, and insert a `reserved` attempt for the connections whose
 * verdict is `refresh`. The caller sends to Truv only after this commits, so the slot is counted
 * before the request can leave, and a crash after commit leaves an attempt that counts.
 *
 * Locking: SQLite `BEGIN IMMEDIATE` (database-wide write lock, waiters queue on busy_timeout);
 * Postgres `SELECT ... FOR UPDATE` on the lineage's connection rows in id order, taken before the
 * ledger is read (READ COMMITTED then reads every attempt committed by the previous holder).
 * Cost: reservers of one lineage run one at a time; on SQLite so do all writers (a few ms each).
 */
import {
  type Attempt, CaseNotFound, type Decision, type DecisionInput, decideAt, digestInput, type PolicyConfig,
  type Product, type Reservation
} from "@recert/core"
import type { Kysely } from "kysely"
import { randomUUID } from "node:crypto"
import type { Database } from "../database.js"
import type { DialectAdapter } from "../dialect/adapter.js"
import { Abort } from "../run.js"
import type { StoreHooks } from "../store.js"
import { loadSnapshots } from "./load-snapshots.js"
import { insertDecision } from "./record-decision.js"

export interface ReserveArgs {
  readonly caseId: string
  readonly product: Product | null
  readonly now: number
  readonly config: PolicyConfig
  readonly hooks: StoreHooks | undefined
}

/** The attempt a `refresh` decision reserves, or null for any other verdict. */
export const attemptFor = (decision: Decision, product: Product, now: number): Attempt | null => {
  if (decision.verdict !== "refresh" || decision.request === null) return null
  const connectionIds = decision.connections.filter((c) => c.verdict === "refresh").map((c) => c.connectionId).sort()
  if (connectionIds.length === 0) return null
  return {
    id: randomUUID(), at: new Date(now).toISOString(), product, connectionIds, status: "reserved",
    orderId: null, rejection: null, outcomes: {}, resolvedAt: null, gseFree: decision.cost.freeVerifications > 0
  }
}

export const reserve = (db: Kysely<Database>, d: DialectAdapter, args: ReserveArgs): Promise<Reservation> =>
  d.writeTransaction(db, async (trx) => {
    await d.lockCaseConnections(trx, args.caseId)
    const row = await trx.selectFrom("cases").selectAll().where("id", "=", args.caseId).executeTakeFirst()
    if (row === undefined) throw new Abort(new CaseNotFound({ caseId: args.caseId }))
    const [snapshot] = await loadSnapshots(trx, [row])
    if (snapshot === undefined) throw new Error(`case ${args.caseId}: snapshot vanished inside its transaction`)
    const product = args.product ?? snapshot.case.product ?? snapshot.lineage.orderType
    const input: DecisionInput = { lineage: snapshot.lineage, ledger: [...snapshot.ledger], request: { products: [product] } }
    const decision = decideAt(input, args.now, args.config)
    await insertDecision(trx, args.caseId, decision, digestInput(input))
    const attempt = attemptFor(decision, product, args.now)
    if (attempt !== null) {
      await trx.insertInto("attempts").values({
        id: attempt.id, case_id: args.caseId, root_order_id: snapshot.lineage.rootOrderId, at: args.now,
        product, status: "reserved", order_id: null, rejection: null, outcomes: "{}", resolved_at: null,
        gse_free: attempt.gseFree ? 1 : 0, updated_at: args.now
      }).execute()
      await trx.insertInto("attempt_connections")
        .values(attempt.connectionIds.map((connection_id) => ({ attempt_id: attempt.id, connection_id, at: args.now })))
        .execute()
      if (args.hooks?.insideReserve !== undefined) await args.hooks.insideReserve()
    }
    return { decision, attempt }
  })
