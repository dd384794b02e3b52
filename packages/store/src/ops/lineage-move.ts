/**
 * The lineage moves on (issue 16): after the client completed a new order, the case's next
 * refresh goes to that order's connections. A new order is a new root at Truv (`initial_order`
 * is only set on refreshes, truv-reports-notes §3.4), so the move stores it as a lineage of its
 * own (root order, connections with their access tokens encrypted, authenticated when the client
 * connected) and points the case at it. The old lineage is retired: no case points at it any
 * more (unless another case shares it), and its orders, connections and ledger stay for the audit
 * (`recert explain` of earlier decisions).
 *
 * A connection Truv reused (same credentials and provider: the same `link_id`) moves with its row
 * to the new root, its access token and authentication instant replaced; a new link is inserted.
 *
 * Locking: one write transaction (SQLite `BEGIN IMMEDIATE`; Postgres locks the case row first),
 * fenced on the case's current root: the move applies only while the case is still on
 * `fromRootOrderId`, so two workers completing the same request move it once, and a move run
 * again after a crash finds it done.
 */
import type { Lineage } from "@recert/core"
import type { Redacted } from "effect"
import type { Kysely } from "kysely"
import type { Database } from "../database.js"
import type { DialectAdapter } from "../dialect/adapter.js"
import type { TokenCipher } from "../token-cipher.js"
import { connectionRows, orderRows } from "./insert-bulk.js"

export interface LineageMove {
  readonly caseId: string
  /** The root the case is on now: the move applies only while it still is. */
  readonly fromRootOrderId: string
  /** The new order as a lineage (validated): its root, its connections. */
  readonly lineage: Lineage
  readonly accessTokens: Readonly<Record<string, Redacted.Redacted<string>>>
}

/** `moved`; `already` (the case is on the new root: a repeated move); `elsewhere` (the case is on a third root: nothing written). */
export type LineageMoveResult = "moved" | "already" | "elsewhere" | "no-case"

export const moveLineage = (db: Kysely<Database>, d: DialectAdapter, cipher: TokenCipher, m: LineageMove): Promise<LineageMoveResult> =>
  d.writeTransaction(db, async (trx) => {
    let q = trx.selectFrom("cases").select("root_order_id").where("id", "=", m.caseId)
    if (d.rowLocks) q = q.forUpdate()
    const row = await q.executeTakeFirst()
    if (row === undefined) return "no-case"
    if (row.root_order_id === m.lineage.rootOrderId) return "already"
    if (row.root_order_id !== m.fromRootOrderId) return "elsewhere"
    await trx.insertInto("orders").values(orderRows(m.lineage)).onConflict((oc) => oc.column("id").doNothing()).execute()
    const ids = m.lineage.connections.map((c) => c.id)
    const existing = new Set((await trx.selectFrom("connections").select("id").where("id", "in", ids).execute()).map((r) => r.id))
    for (const c of connectionRows(m.lineage, m.accessTokens, cipher)) {
      if (!existing.has(c.id)) {
        await trx.insertInto("connections").values(c).execute()
        continue
      }
      const { id, ...moved } = c
      await trx.updateTable("connections").set(moved).where("id", "=", id).execute()
    }
    await trx.updateTable("cases").set({ root_order_id: m.lineage.rootOrderId }).where("id", "=", m.caseId).execute()
    return "moved"
  })
