/**
 * A case whose snapshot cannot be built from what the store holds (an imported row whose root
 * order is not a lineage's root, say). It is reported beside the snapshots instead of failing the
 * page it is on, so one bad row never stops the other cases of a pass or a listing. The reason
 * says what is wrong and how to get rid of it.
 */
import type { Kysely } from "kysely"
import type { Database } from "../database.js"

export interface UnloadableCase {
  readonly _tag: "UnloadableCase"
  readonly caseId: string
  readonly rootOrderId: string
  readonly dueAt: string
  readonly reason: string
}

export const isUnloadableCase = (x: unknown): x is UnloadableCase =>
  typeof x === "object" && x !== null && (x as { _tag?: unknown })._tag === "UnloadableCase"

/** Why the lineage of `rootOrderId` cannot be built: one query, run only for a case that failed. */
export const unloadableReason = async (db: Kysely<Database>, rootOrderId: string, error: unknown): Promise<string> => {
  const order = await db.selectFrom("orders").select(["root_order_id", "seq"]).where("id", "=", rootOrderId).executeTakeFirst()
  const fix = "fix the row, or remove the case (`recert cases remove`)"
  if (order !== undefined && order.root_order_id !== rootOrderId) {
    return `its root order ${rootOrderId} is a refresh order (position ${order.seq}) of the lineage rooted at ${order.root_order_id}, not a lineage's root: ${fix}`
  }
  if (order === undefined) return `no order ${rootOrderId} in the store: ${fix}`
  return `its lineage ${rootOrderId} cannot be read (${error instanceof Error ? error.message : String(error)}): ${fix}`
}
