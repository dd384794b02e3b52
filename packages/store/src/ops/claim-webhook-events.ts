/**
 * Claiming inbox events: each worker leases a batch of unprocessed events, oldest Truv
 * `updated_at` first, so several workers share the inbox instead of all processing every event.
 * An event is claimable when it is unprocessed and has no live lease (`locked_until` null or
 * past): a crashed worker's events come back when its lease expires.
 *
 * Locking: one `UPDATE webhook_events ... WHERE webhook_id IN (SELECT ... LIMIT n) RETURNING *`.
 * Postgres adds `FOR UPDATE SKIP LOCKED` to the subquery: a claimer skips the rows another claimer
 * is leasing right now instead of waiting for its commit (and then re-checking, finding the rows
 * leased, and coming back empty-handed); cost: the order is "oldest not being claimed", not
 * strictly oldest. SQLite: the single statement is atomic under the database write lock (a
 * statement that writes takes it before reading), so claimers run one after another, a few
 * hundred microseconds each; no transaction around it is needed.
 */
import type { Kysely } from "kysely"
import type { Database } from "../database.js"
import type { DialectAdapter } from "../dialect/adapter.js"
import { webhookEventFromRow } from "./webhook-inbox.js"
import type { WebhookEvent } from "./webhook-inbox.js"

export interface ClaimWebhookEventsOptions {
  readonly workerId: string
  /** At most this many events (oldest Truv `updatedAt` first). */
  readonly limit: number
  /** The lease: after `leaseMs` without completion, other workers may claim the event again. */
  readonly leaseMs: number
}

/** An inbox event leased to the worker that claimed it. */
export interface ClaimedWebhookEvent extends WebhookEvent {
  readonly lockedBy: string
  readonly lockedUntil: string
  /** How many times the event has been claimed, this claim included (above 1: a previous holder lost its lease). */
  readonly claims: number
}

export const claimWebhookEvents = async (
  db: Kysely<Database>, d: DialectAdapter, o: ClaimWebhookEventsOptions, now: number
): Promise<Array<ClaimedWebhookEvent>> => {
  if (o.limit <= 0) return []
  let claimable = db.selectFrom("webhook_events").select("webhook_id")
    .where("processed_at", "is", null)
    .where((eb) => eb.or([eb("locked_until", "is", null), eb("locked_until", "<=", now)]))
    .orderBy("updated_at").orderBy("webhook_id").limit(o.limit)
  if (d.skipLocked) claimable = claimable.forUpdate().skipLocked()
  const rows = await db.updateTable("webhook_events")
    .set((eb) => ({ locked_by: o.workerId, locked_until: now + o.leaseMs, claims: eb("claims", "+", 1) }))
    .where("webhook_id", "in", claimable).returningAll().execute()
  return rows
    .sort((a, b) => a.updated_at - b.updated_at || (a.webhook_id < b.webhook_id ? -1 : 1))
    .map((r) => ({ ...webhookEventFromRow(r), lockedBy: o.workerId, lockedUntil: new Date(now + o.leaseMs).toISOString(), claims: r.claims }))
}
