/**
 * Verification requests stored as intents before Truv is asked (issue 15/16: no orphan orders or
 * tokens). `verification_queue` gains:
 * - `request_key`: our own key of the request, sent to Truv with the call (a new order's
 *   `order_number` carries it, so a lost answer is looked up by it; a Bridge token's
 *   `tracking_info`); unique where set (the partial index `verification_queue_request_key`);
 * - `state`: `intent` (stored, Truv not asked yet or its answer not known), `created` (the answer
 *   recorded), `unknown` (a token whose answer was lost); null on rows from before (all created);
 * - `sent_at`: when the call was last about to leave (null: never sent: safe to send);
 * - `lease_until`, `claim`: who may complete an intent, until when (a worker that died holding
 *   one leaves it to whoever asks next after the lease).
 * Nullable columns added to an existing table: no rewrite on either dialect. The open-request
 * reads keep their partial index `verification_queue_case_open`.
 */
import { type Kysely, type Migration, sql } from "kysely"
import type { DialectAdapter } from "../dialect/adapter.js"

type Db = Kysely<unknown>

export const verificationIntents = (d: DialectAdapter): Migration => ({
  up: async (db: Db) => {
    await db.schema.alterTable("verification_queue").addColumn("request_key", "text").execute()
    await db.schema.alterTable("verification_queue").addColumn("state", "text").execute()
    await db.schema.alterTable("verification_queue").addColumn("sent_at", d.instantType).execute()
    await db.schema.alterTable("verification_queue").addColumn("lease_until", d.instantType).execute()
    await db.schema.alterTable("verification_queue").addColumn("claim", "text").execute()
    await db.schema.createIndex("verification_queue_request_key").on("verification_queue").column("request_key").unique()
      .where(sql.ref("request_key"), "is not", null).execute()
  },
  down: async (db: Db) => {
    await db.schema.dropIndex("verification_queue_request_key").execute()
    for (const column of ["claim", "lease_until", "sent_at", "state", "request_key"]) {
      await db.schema.alterTable("verification_queue").dropColumn(column).execute()
    }
  }
})
