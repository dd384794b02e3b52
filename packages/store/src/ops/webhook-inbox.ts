/**
 * The webhook inbox. The receiver stores the raw event before answering 2xx; `webhook_id` is
 * the primary key, so a redelivered event is a no-op insert (`ON CONFLICT DO NOTHING`, atomic on
 * both dialects, no lock needed). Processing reads pending events in Truv's `updated_at` order
 * and marks each one processed with its result.
 *
 * `pendingWebhookEvents` reads without claiming (every caller sees every unprocessed event, leased
 * or not): for one worker, monitoring and "is the inbox empty?". Several workers share the inbox
 * through `claimWebhookEvents` (claim-webhook-events.ts) and `completeWebhookEvent`.
 */
import type { Kysely, Selectable } from "kysely"
import type { Database, WebhookEventsTable } from "../database.js"
import { toIso, toIsoOrNull, toMs } from "../rows.js"

export interface WebhookEventInput {
  readonly webhookId: string
  readonly eventType: string
  /** The raw body exactly as received (its signature was computed over these bytes). */
  readonly body: string
  readonly receivedAt: string
  /** Truv's `updated_at`, used to order events that arrive out of order. */
  readonly updatedAt: string
  /**
   * The event's result when the receiver already knows that processing it would change nothing
   * (an event type with no outcome): it is stored processed at `receivedAt`, in the same insert,
   * and never claimed. Absent: stored pending, for a worker to claim.
   */
  readonly processedResult?: string
}

export interface WebhookEvent extends Omit<WebhookEventInput, "processedResult"> {
  readonly processedAt: string | null
  readonly result: string | null
}

export const insertWebhookEvent = async (db: Kysely<Database>, e: WebhookEventInput): Promise<"inserted" | "duplicate"> => {
  const r = await db.insertInto("webhook_events").values({
    webhook_id: e.webhookId, event_type: e.eventType, body: e.body, received_at: toMs(e.receivedAt),
    updated_at: toMs(e.updatedAt),
    processed_at: e.processedResult === undefined ? null : toMs(e.receivedAt), result: e.processedResult ?? null
  }).onConflict((oc) => oc.column("webhook_id").doNothing()).executeTakeFirst()
  return (r.numInsertedOrUpdatedRows ?? 0n) > 0n ? "inserted" : "duplicate"
}

/**
 * Unprocessed events. `includeWaiting: false` leaves out the events waiting for something that
 * can apply them (defer-webhook-event.ts: no worker holds them, not claimable before a future
 * `locked_until`), so "is the inbox empty?" means "is there anything to do now?".
 */
export const pendingWebhookEvents = async (db: Kysely<Database>, limit: number, now: number, includeWaiting = true): Promise<Array<WebhookEvent>> => {
  let q = db.selectFrom("webhook_events").selectAll().where("processed_at", "is", null)
  if (!includeWaiting) q = q.where((eb) => eb.or([eb("locked_by", "is not", null), eb("locked_until", "is", null), eb("locked_until", "<=", now)]))
  const rows = await q.orderBy("updated_at").orderBy("webhook_id").limit(limit).execute()
  return rows.map(webhookEventFromRow)
}

export const webhookEventFromRow = (r: Selectable<WebhookEventsTable>): WebhookEvent => ({
  webhookId: r.webhook_id, eventType: r.event_type, body: r.body, receivedAt: toIso(r.received_at),
  updatedAt: toIso(r.updated_at), processedAt: toIsoOrNull(r.processed_at), result: r.result
})

export const markWebhookProcessed = async (db: Kysely<Database>, webhookId: string, result: string, now: number): Promise<void> => {
  await db.updateTable("webhook_events").set({ processed_at: now, result }).where("webhook_id", "=", webhookId).execute()
}
