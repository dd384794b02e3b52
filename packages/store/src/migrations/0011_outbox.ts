/**
 * The outbox (issue 17). `outbox_events`: every event the agency's system must learn about,
 * appended in the same transaction as the change it reports (`ops/outbox.ts`); `seq` orders them
 * (a generated integer: ids are UUID v7, sortable by millisecond only), `body` is the event's JSON
 * exactly as every delivery POSTs it. `outbox_deliveries`: one row per (destination, event) the
 * deliverer owes, with its lease, attempts, next try and the last answer
 * (`ops/outbox-deliveries.ts`). `outbox_cursors`: per destination, the last event fanned out into
 * deliveries. New tables only: no rewrite.
 */
import { type Kysely, type Migration, sql } from "kysely"
import type { DialectAdapter } from "../dialect/adapter.js"

type Db = Kysely<unknown>

/** The predicate of `outbox_deliveries_open`, also the ordering probe's (SQLite matches partial indexes by text). */
export const DELIVERY_OPEN = "status in ('pending', 'dead')"

export const outbox = (d: DialectAdapter): Migration => ({
  up: async (db: Db) => {
    const instant = d.instantType
    await db.schema.createTable("outbox_events")
      .addColumn("seq", d.autoIdType, (c) => d.autoIdAutoIncrement ? c.primaryKey().autoIncrement() : c.primaryKey())
      .addColumn("id", "text", (c) => c.notNull().unique())
      .addColumn("type", "text", (c) => c.notNull())
      .addColumn("version", "integer", (c) => c.notNull())
      .addColumn("case_id", "text", (c) => c.notNull())
      .addColumn("order_number", "text")
      .addColumn("occurred_at", instant, (c) => c.notNull())
      .addColumn("body", "text", (c) => c.notNull())
      .execute()
    // `recert events --case`: a case's events in order.
    await db.schema.createIndex("outbox_events_case").on("outbox_events").columns(["case_id", "seq"]).execute()

    await db.schema.createTable("outbox_deliveries")
      .addColumn("destination", "text", (c) => c.notNull())
      // The event's seq: integer on SQLite, bigint on Postgres (the instant type is exactly that pair).
      .addColumn("event_seq", instant, (c) => c.notNull())
      .addColumn("event_id", "text", (c) => c.notNull())
      .addColumn("case_id", "text", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("next_attempt_at", instant, (c) => c.notNull())
      .addColumn("locked_by", "text")
      .addColumn("locked_until", instant)
      .addColumn("last_status", "integer")
      .addColumn("last_error", "text")
      .addColumn("delivered_at", instant)
      .addColumn("created_at", instant, (c) => c.notNull())
      .addColumn("updated_at", instant, (c) => c.notNull())
      .addPrimaryKeyConstraint("outbox_deliveries_pk", ["destination", "event_seq"])
      .execute()
    // claimDeliveries: pending deliveries by next try; partial, so delivered ones cost nothing.
    await db.schema.createIndex("outbox_deliveries_due").on("outbox_deliveries").columns(["destination", "next_attempt_at", "event_seq"])
      .where(sql.ref("status"), "=", "pending").execute()
    // The ordering probe (an earlier open delivery of the same case and destination) and `--failed`.
    await db.schema.createIndex("outbox_deliveries_open").on("outbox_deliveries").columns(["destination", "case_id", "event_seq"])
      .where(sql.raw<boolean>(DELIVERY_OPEN)).execute()
    // `recert events`: an event's deliveries.
    await db.schema.createIndex("outbox_deliveries_event").on("outbox_deliveries").column("event_id").execute()

    await db.schema.createTable("outbox_cursors")
      .addColumn("destination", "text", (c) => c.primaryKey())
      .addColumn("last_seq", instant, (c) => c.notNull())
      .execute()
  },
  down: async (db: Db) => {
    for (const table of ["outbox_cursors", "outbox_deliveries", "outbox_events"]) await db.schema.dropTable(table).execute()
  }
})
