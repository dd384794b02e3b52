/**
 * Following a client request to its end (issue 16): finding the request a Truv event or a poll is
 * about (a new order by its order id, a Bridge re-authentication by its connection), listing the
 * open new-order requests the scheduler polls when no webhook came, and marking one completed.
 *
 * `completeRequest` is the one place a request becomes completed: the `verification_queue` row
 * is resolved (`resolved_at`; `state` `completed`, so a client's completion is told from a
 * caseworker's `handled`; `resolution` `handled`, the event's published value) and its
 * `case.client-action-completed` event appended in the same transaction (issue 17: no change
 * without its event). Idempotent: a request already resolved (completed before, superseded,
 * handled by a caseworker) changes nothing and the caller learns it (false). The `completed`
 * transition and its reason (`how`) are recorded in the request's lifecycle
 * (`verification_request_transitions`, `ops/request-lifecycle.ts`).
 *
 * Locking: one fenced UPDATE (`resolved_at is null`) inside the write transaction; two workers
 * completing one request at once write it, and its event, once.
 */
import { IllegalRequestTransition, type QueuedVerification, type RequestPolicy } from "@recert/core"
import type { Kysely } from "kysely"
import type { Database } from "../database.js"
import type { DialectAdapter } from "../dialect/adapter.js"
import { verificationFromRow } from "../rows.js"
import { stepRequest } from "./request-lifecycle.js"

/**
 * How the client came back: a new order completed (its data fetched, the lineage moved to it), a
 * Bridge re-authentication of the same link, or "already connected" (the client's old link still
 * works: the original order is refreshed and the new one canceled, as Truv advises).
 */
export type CompletionHow = "new-order" | "reauthentication" | "already-connected"

/**
 * The request whose new order is `orderId` (open first; else the newest resolved one, so a late
 * event for a completed request is recognised as ours), or null when no request created it.
 */
export const requestForOrder = async (db: Kysely<Database>, orderId: string): Promise<QueuedVerification | null> => {
  const rows = await db.selectFrom("verification_queue").selectAll()
    .where("order_id", "=", orderId).where("kind", "=", "new-order")
    .orderBy("id", "desc").execute()
  const row = rows.find((r) => r.resolved_at === null) ?? rows[0]
  return row === undefined ? null : verificationFromRow(row)
}

/**
 * The open Bridge update-mode requests that cover `connectionId`, oldest first. Reads the open
 * rows only (the partial index `verification_queue_case_open` keeps them few); the connection ids
 * are a JSON array, matched exactly after the read.
 */
export const openRequestsForConnection = async (db: Kysely<Database>, connectionId: string): Promise<Array<QueuedVerification>> => {
  const rows = await db.selectFrom("verification_queue").selectAll()
    .where("resolved_at", "is", null).where("kind", "=", "bridge-update")
    .where("connection_ids", "like", `%${JSON.stringify(connectionId)}%`)
    .orderBy("created_at").orderBy("id").execute()
  return rows.map(verificationFromRow).filter((q) => q.connectionIds.includes(connectionId))
}

/**
 * Open new-order requests whose order Truv created (an order id is recorded) and that were
 * created before `createdBefore` (ms), oldest first, at most `limit`: what the scheduler polls
 * when a webhook did not say the order finished.
 */
export const openOrderRequests = async (db: Kysely<Database>, createdBefore: number, limit: number): Promise<Array<QueuedVerification>> =>
  (await db.selectFrom("verification_queue").selectAll()
    .where("resolved_at", "is", null).where("kind", "=", "new-order").where("order_id", "is not", null)
    .where("created_at", "<", createdBefore)
    .orderBy("created_at").orderBy("id").limit(limit).execute()).map(verificationFromRow)

/**
 * Marks request `requestId` completed at `at` (ms), through the request's lifecycle (core's
 * transition table, `stepRequest`): the `completed` transition recorded with `how` as its reason,
 * the row resolved, and its `case.client-action-completed` event appended, in one transaction.
 * True when this call completed it; false (nothing written) when it was already resolved, does not
 * exist, or its lifecycle cannot complete (a final state: expired, escalated, superseded).
 */
export const completeRequest = (
  db: Kysely<Database>, d: DialectAdapter, requestId: number, at: number, how: CompletionHow, policy: RequestPolicy
): Promise<boolean> =>
  d.writeTransaction(db, async (trx) => {
    let q = trx.selectFrom("verification_queue").selectAll().where("id", "=", requestId).where("resolved_at", "is", null)
    if (d.rowLocks) q = q.forUpdate()
    const row = await q.executeTakeFirst()
    if (row === undefined) return false
    const step = await stepRequest(trx, row, "completed", `the client came back: ${how}`, at, policy, { emit: true, notify: false })
    if (step instanceof IllegalRequestTransition || step._tag !== "applied") return false
    await trx.updateTable("verification_queue").set({ state: "completed", lease_until: null }).where("id", "=", requestId).execute()
    return true
  })
