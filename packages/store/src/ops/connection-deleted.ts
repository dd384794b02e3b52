/**
 * A link Truv deleted (`RenewalStore.connectionDeleted`): in one write transaction the connection
 * gets its `deleted_at` (the first instant stays when it is recorded twice: our own DELETE, then
 * Truv's `link-deleted` webhook) and its access token is erased (the empty string: the column is
 * NOT NULL, and the empty string is no ciphertext, so `accessToken` refuses it by name). Snapshots
 * then carry `deletedAt`, and core's `connection.deleted` never lets a refresh or a Bridge
 * re-authentication be decided for it again. Null when no connection has this id.
 */
import type { DeletedConnection } from "@recert/core"
import type { Kysely } from "kysely"
import type { Database } from "../database.js"
import type { DialectAdapter } from "../dialect/adapter.js"
import { toIso } from "../rows.js"

/** The `access_token` of a connection whose link was deleted. */
export const ERASED_TOKEN = ""

export const connectionDeleted = (db: Kysely<Database>, d: DialectAdapter, connectionId: string, at: number): Promise<DeletedConnection | null> =>
  d.writeTransaction(db, async (trx) => {
    const row = await trx.selectFrom("connections").select(["root_order_id", "deleted_at"]).where("id", "=", connectionId).executeTakeFirst()
    if (row === undefined) return null
    const first = row.deleted_at == null ? null : Number(row.deleted_at)
    await trx.updateTable("connections").set({ deleted_at: first ?? at, access_token: ERASED_TOKEN }).where("id", "=", connectionId).execute()
    const open = await trx.selectFrom("cases").select("id").where("root_order_id", "=", row.root_order_id).where("closed_at", "is", null).orderBy("id").execute()
    return { connectionId, deletedAt: toIso(first ?? at), alreadyDeleted: first !== null, openCases: open.map((c) => c.id) }
  })
