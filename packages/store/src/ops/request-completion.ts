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
 * handled by a caseworker) changes nothing and the caller learns it (false). When the request
 * state machine lands (a transitions table), this op is where the `completed` transition and its
 * reason (`how`) are recorded; until then the caller logs `how` and the inbox row's result names it.
 *
 * Locking: one fenced UPDATE (`resolved_at is null`) inside the write transaction; two workers
 * completing one request at once write it, and its event, once.
 */
import { type QueuedVerification, requestResolvedEvent } from "@recert/core"
import type { Kysely } from "kysely"
import type { Database } from "../database.js"
import type { DialectAdapter } from "../dialect/adapter.js"
import { toIso, verificationFromRow } from "../rows.js"
import { appendOutboxEvent } from "./outbox.js"

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
 * Marks request `requestId` completed at `at` (ms), with its `case.client-action-completed`
 * event, in one transaction. True when this call completed it; false (nothing written) when it
 * was already resolved or does not exist.
 */
export const completeRequest = (db: Kysely<Database>, d: DialectAdapter, requestId: number, at: number, _how: CompletionHow): Promise<boolean> =>
  d.writeTransaction(db, async (trx) => {
    const r = await trx.updateTable("verification_queue").set({ resolved_at: at, resolution: "handled", state: "completed", lease_until: null })
      .where("id", "=", requestId).where("resolved_at", "is", null)
      .returning(["id", "case_id", "kind"]).executeTakeFirst()
    if (r === undefined) return false
    const request = { id: Number(r.id), caseId: r.case_id, kind: r.kind as QueuedVerification["kind"] }
    await appendOutboxEvent(trx, requestResolvedEvent(request, "handled", toIso(at)), at)
    return true
  })
