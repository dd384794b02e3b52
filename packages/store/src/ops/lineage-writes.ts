/**
 * What webhooks and polls teach us about a lineage: a new refresh order at the end of the chain,
 * a connection's latest task status, the lineage's status.
 *
 * Locking: appendOrder reads max(seq) and inserts inside the write transaction (SQLite: the write
 * lock; Postgres: the unique (root_order_id, seq) index makes a racing append fail rather than
 * fork the chain). updateConnection is one UPDATE guarded by `last_status_at`, so an older event
 * delivered late never overwrites a newer status.
 */
import type { LineageOrder, TaskStatus } from "@recert/core"
import type { Kysely, Updateable } from "kysely"
import type { ConnectionsTable, Database } from "../database.js"
import type { DialectAdapter } from "../dialect/adapter.js"
import { toMs } from "../rows.js"

export const appendOrder = (db: Kysely<Database>, d: DialectAdapter, rootOrderId: string, order: LineageOrder): Promise<void> =>
  d.writeTransaction(db, async (trx) => {
    const existing = await trx.selectFrom("orders").select("id").where("id", "=", order.id).executeTakeFirst()
    if (existing !== undefined) return // a duplicate webhook: the order is already in the chain
    const root = await trx.selectFrom("orders").selectAll().where("id", "=", rootOrderId).executeTakeFirst()
    if (root === undefined) throw new Error(`no lineage with root order ${rootOrderId}`)
    const last = await trx.selectFrom("orders").select(["id", "seq"]).where("root_order_id", "=", rootOrderId)
      .orderBy("seq", "desc").limit(1).executeTakeFirstOrThrow()
    await trx.insertInto("orders").values({
      id: order.id, root_order_id: rootOrderId, parent_id: order.parentId ?? last.id, seq: last.seq + 1,
      created_at: toMs(order.createdAt), order_type: root.order_type, gse: root.gse, order_number: root.order_number,
      user_id: root.user_id, status: root.status
    }).execute()
  })

export interface ConnectionPatch {
  readonly lastTaskStatus?: TaskStatus
  readonly lastStatusAt?: string
  readonly authenticatedAt?: string
}

export const updateConnection = async (db: Kysely<Database>, connectionId: string, patch: ConnectionPatch): Promise<void> => {
  if (patch.authenticatedAt !== undefined) {
    await db.updateTable("connections").set({ authenticated_at: toMs(patch.authenticatedAt) })
      .where("id", "=", connectionId).execute()
  }
  if (patch.lastTaskStatus === undefined && patch.lastStatusAt === undefined) return
  const at = patch.lastStatusAt === undefined ? null : toMs(patch.lastStatusAt)
  const set: Updateable<ConnectionsTable> = {
    ...(patch.lastTaskStatus !== undefined ? { last_task_status: patch.lastTaskStatus } : {}),
    ...(at !== null ? { last_status_at: at } : {})
  }
  let query = db.updateTable("connections").set(set).where("id", "=", connectionId)
  if (at !== null) query = query.where((eb) => eb.or([eb("last_status_at", "is", null), eb("last_status_at", "<=", at)]))
  await query.execute()
}

export const setLineageStatus = async (db: Kysely<Database>, rootOrderId: string, status: string): Promise<void> => {
  await db.updateTable("orders").set({ status }).where("root_order_id", "=", rootOrderId).execute()
}
