/**
 * Inbox events that cannot be applied yet (issue 15: "an event is kept until something can apply
 * it"). An outcome event for a refresh order no attempt of ours has recorded yet (the worker that
 * sent it died before writing the order id; reconciliation writes it later) is not completed:
 * it waits, unprocessed, and comes back to a worker later.
 *
 * - `deferWebhookEvent`: the holder hands its claimed event back, not claimable before `until`
 *   (`locked_by` null, `locked_until` = until; the claim query already skips a future
 *   `locked_until`), with a note for people in `result` (`processed_at` stays null). Fenced like a
 *   release: nothing written (false) when the worker no longer holds a live lease.
 * - `wakeWaitingWebhookEvents`: every waiting event claimable at once (a pass's recovery, which is
 *   what makes their attempts appear). Events leased to a worker are not touched.
 * - A waiting event is pending (`pendingWebhookEvents` lists it) but not ready: a pass does not
 *   stay open for it (`pendingWebhookEvents(limit, { includeWaiting: false })`).
 *
 * Locking: each is one UPDATE, atomic on both dialects; no index beyond `webhook_events_pending`
 * (unprocessed rows), which every predicate here starts from.
 */
import type { Kysely } from "kysely"
import type { Database } from "../database.js"

export const deferWebhookEvent = async (
  db: Kysely<Database>, webhookId: string, workerId: string, until: number, note: string, now: number
): Promise<boolean> => {
  const r = await db.updateTable("webhook_events").set({ locked_by: null, locked_until: until, result: note })
    .where("webhook_id", "=", webhookId).where("locked_by", "=", workerId).where("locked_until", ">", now)
    .where("processed_at", "is", null).executeTakeFirst()
  return r.numUpdatedRows > 0n
}

export const wakeWaitingWebhookEvents = async (db: Kysely<Database>, now: number): Promise<number> => {
  // Read first: most passes have nothing waiting, and a pass must not write before it has counted
  // its due cases (a read-only or failing store is reported with every due case accounted for).
  const waiting = await db.selectFrom("webhook_events").select("webhook_id")
    .where("processed_at", "is", null).where("locked_by", "is", null).where("locked_until", ">", now).limit(1).executeTakeFirst()
  if (waiting === undefined) return 0
  const r = await db.updateTable("webhook_events").set({ locked_until: null })
    .where("processed_at", "is", null).where("locked_by", "is", null).where("locked_until", ">", now).executeTakeFirst()
  return Number(r.numUpdatedRows)
}
