/**
 * Appending to the outbox: the one way an event is written. Call `appendOutboxEvent` with the
 * transaction of the change the event reports, so neither exists without the other (a rollback
 * takes both). It reads the lineage's `order_number`, gives the event a UUID v7 id and its
 * instant, validates the whole event against core's `OutboxEvent` schema (a payload that does not
 * match the published JSON Schema fails the change rather than reaching the agency), and inserts
 * it. Core's drafts (`verificationStoredEvent`, `requestQueuedEvent`, `requestResolvedEvent`,
 * `caseEscalatedEvent`) build the `draft` from the change.
 *
 * @example
 * // inside an op, in the change's own write transaction:
 * await d.writeTransaction(db, async (trx) => {
 *   await trx.updateTable("verification_queue").set({ resolved_at: now, resolution: "handled" }).where("id", "=", id).execute()
 *   await appendOutboxEvent(trx, caseEscalatedEvent("case-17", "no answer after 3 links", "call the client"), now)
 * })
 */
import { OUTBOX_EVENT_VERSION, OutboxEvent, type OutboxEventDraft } from "@recert/core"
import type { Kysely } from "kysely"
import { randomBytes } from "node:crypto"
import type { Database } from "../database.js"
import { toIso } from "../rows.js"

/**
 * A UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then random bits; sortable by the
 * millisecond it was made (events of one millisecond are ordered by the outbox's `seq`).
 */
export const uuidV7 = (now: number, random: Uint8Array = randomBytes(10)): string => {
  const b = new Uint8Array(16)
  let t = now
  for (let i = 5; i >= 0; i -= 1) {
    b[i] = t % 256
    t = Math.floor(t / 256)
  }
  b.set(random.subarray(0, 10), 6)
  b[6] = 0x70 | (b[6]! & 0x0f)
  b[8] = 0x80 | (b[8]! & 0x3f)
  const hex = Buffer.from(b).toString("hex")
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/** Appends the event `draft` at `now` inside `trx` (the change's transaction) and returns it. */
export const appendOutboxEvent = async (trx: Kysely<Database>, draft: OutboxEventDraft, now: number): Promise<OutboxEvent> => {
  const lineage = await trx.selectFrom("cases").innerJoin("orders", "orders.id", "cases.root_order_id")
    .select("orders.order_number").where("cases.id", "=", draft.caseId).executeTakeFirst()
  const event = OutboxEvent.parse({
    id: uuidV7(now), type: draft.type, version: OUTBOX_EVENT_VERSION, occurredAt: toIso(now), caseId: draft.caseId,
    orderNumber: lineage?.order_number ?? null, payload: draft.payload
  })
  await trx.insertInto("outbox_events").values({
    id: event.id, type: event.type, version: event.version, case_id: event.caseId, order_number: event.orderNumber,
    occurred_at: now, body: JSON.stringify(event)
  }).execute()
  return event
}
