/**
 * Finishing a claimed inbox event: record its result (`completeWebhookEvent`) or hand the lease
 * back unprocessed (`releaseWebhookEvent`, graceful shutdown).
 *
 * Locking: one UPDATE fenced by `WHERE locked_by = $worker AND locked_until > now AND processed_at
 * IS NULL`, atomic on both dialects. No row updated means the worker lost the lease (it expired,
 * and another worker may have claimed the event): the caller gets `LeaseLost` and must not act
 * on the event's outcome as if it were the only one. The check against `now` closes the window
 * where an expired lease could still complete work another worker is redoing.
 */
import type { Kysely } from "kysely"
import type { Database } from "../database.js"

export const completeWebhookEvent = async (
  db: Kysely<Database>, webhookId: string, workerId: string, result: string, now: number
): Promise<boolean> => {
  const r = await db.updateTable("webhook_events")
    .set({ processed_at: now, result, locked_by: null, locked_until: null })
    .where("webhook_id", "=", webhookId).where("locked_by", "=", workerId).where("locked_until", ">", now)
    .where("processed_at", "is", null).executeTakeFirst()
  return r.numUpdatedRows > 0n
}

export const releaseWebhookEvent = async (db: Kysely<Database>, webhookId: string, workerId: string, now: number): Promise<boolean> => {
  const r = await db.updateTable("webhook_events").set({ locked_by: null, locked_until: null })
    .where("webhook_id", "=", webhookId).where("locked_by", "=", workerId).where("locked_until", ">", now)
    .where("processed_at", "is", null).executeTakeFirst()
  return r.numUpdatedRows > 0n
}
