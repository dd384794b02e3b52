/**
 * What webhooks and polls teach us about a lineage: a new refresh order at the end of the chain,
 * a connection's latest task status, the lineage's status.
 *
 * Locking: appendOrder reads max(seq) and inserts in one statement (SQLite: the write lock;
 * Postgres: the unique (root_order_id, seq) index makes a racing append fail rather than fork
 * the chain). updateConnection is one UPDATE guarded by `last_status_at`, so an older event
 * delivered late never overwrites a newer status.
 */
import type { LineageOrder, TaskStatus } from "@recert/core"
import { type Kysely, sql, type Updateable } from "kysely"
import type { ConnectionsTable, Database } from "../database.js"
import { toMs } from "../rows.js"

export const appendOrder = async (db: Kysely<Database>, rootOrderId: string, order: LineageOrder): Promise<void> => {
  // One statement: the root's fields and the chain's last order are read by the INSERT itself
  // (SQLite: the statement holds the write lock; Postgres: a racing append fails on the unique
  // (root_order_id, seq) index rather than fork the chain). SQLite needs the SELECT's WHERE
  // before ON CONFLICT in an INSERT ... SELECT; the casts type the parameters for Postgres.
  const r = await sql`insert into "orders" ("id", "root_order_id", "parent_id", "seq", "created_at", "order_type", "gse", "order_number", "user_id", "status")
    select cast(${order.id} as text), cast(${rootOrderId} as text), coalesce(cast(${order.parentId} as text), "last"."id"),
      "last"."seq" + 1, cast(${toMs(order.createdAt)} as bigint),
      "root"."order_type", "root"."gse", "root"."order_number", "root"."user_id", "root"."status"
    from "orders" as "root"
    cross join (select "id", "seq" from "orders" where "root_order_id" = ${rootOrderId} order by "seq" desc limit 1) as "last"
    where "root"."id" = ${rootOrderId}
    on conflict ("id") do nothing`.execute(db)
  if ((r.numAffectedRows ?? 0n) > 0n) return
  // Nothing inserted: a duplicate (the order is already in the chain), or no such lineage.
  const existing = await db.selectFrom("orders").select("id").where("id", "=", order.id).executeTakeFirst()
  if (existing === undefined) throw new Error(`no lineage with root order ${rootOrderId}`)
}

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
