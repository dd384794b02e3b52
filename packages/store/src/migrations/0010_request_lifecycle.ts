/**
 * Verification requests' lifecycle (issue 16). `verification_queue` gains the lifecycle columns:
 * - `lifecycle`: core's `RequestState` (`created`, `sent`, `reminded`, then a final one);
 * - `expires_at`: when the link or token stops serving (core's `requestExpiresAt`), set when sent;
 * - `reminders`, `last_reminded_at`: reminders sent (Truv's recorded, or our events);
 * - `next_due_at`: when the sweep must look next (a reminder or the expiry); null once final.
 * `verification_request_transitions`: every change of state with its instant and reason, in order
 * (`id`). Rows from before are backfilled in JS with core's rules and the default `requests` policy
 * (the configured one is not known to a migration; it applies from the next step of each request):
 * an intent is `created`, a created or unknown one `sent`, a resolved one `completed` (handled) or
 * `superseded`; each gets one transition at its creation. Nullable columns and a new table: no
 * rewrite. The partial index `verification_queue_due` holds only open requests, by `next_due_at`:
 * `dueRequests` scans it.
 */
import { DEFAULT_REQUEST_POLICY, requestExpiresAt, requestNextDueAt } from "@recert/core"
import { type Kysely, type Migration, sql } from "kysely"
import type { DialectAdapter } from "../dialect/adapter.js"

type Db = Kysely<unknown>

/** The predicate of `verification_queue_due`, also `dueRequests`' (SQLite matches partial indexes by text). */
export const REQUEST_OPEN = "lifecycle in ('sent', 'reminded')"

interface OldRow { id: number | string; kind: string; created_at: number | string; resolved_at: number | string | null; resolution: string | null; state: string | null }

const stateOf = (r: OldRow): string =>
  r.resolved_at !== null ? (r.resolution === "superseded" ? "superseded" : "completed") : r.state === "intent" ? "created" : "sent"

export const requestLifecycle = (d: DialectAdapter): Migration => ({
  up: async (db: Db) => {
    const instant = d.instantType
    await db.schema.alterTable("verification_queue").addColumn("lifecycle", "text").execute()
    await db.schema.alterTable("verification_queue").addColumn("expires_at", instant).execute()
    await db.schema.alterTable("verification_queue").addColumn("reminders", "integer", (c) => c.notNull().defaultTo(0)).execute()
    await db.schema.alterTable("verification_queue").addColumn("last_reminded_at", instant).execute()
    await db.schema.alterTable("verification_queue").addColumn("next_due_at", instant).execute()
    await db.schema.createTable("verification_request_transitions")
      .addColumn("id", d.autoIdType, (c) => d.autoIdAutoIncrement ? c.primaryKey().autoIncrement() : c.primaryKey())
      .addColumn("request_id", instant, (c) => c.notNull())
      .addColumn("case_id", "text", (c) => c.notNull())
      .addColumn("from_state", "text")
      .addColumn("to_state", "text", (c) => c.notNull())
      .addColumn("at", instant, (c) => c.notNull())
      .addColumn("reason", "text", (c) => c.notNull())
      .execute()
    // A request's transitions in order (`caseRequests`); removing a request's (a forgotten intent, removeCase).
    await db.schema.createIndex("verification_request_transitions_request").on("verification_request_transitions").columns(["request_id", "id"]).execute()
    // A case's transitions (`recert case` timeline, removeCase).
    await db.schema.createIndex("verification_request_transitions_case").on("verification_request_transitions").columns(["case_id", "at"]).execute()
    await db.schema.createIndex("verification_queue_due").on("verification_queue").columns(["next_due_at", "id"])
      .where(sql.raw<boolean>(REQUEST_OPEN)).execute()

    const { rows } = await sql<OldRow & { case_id: string }>`select id, case_id, kind, created_at, resolved_at, resolution, state from verification_queue`.execute(db)
    for (const r of rows) {
      const state = stateOf(r)
      const kind = r.kind === "bridge-update" ? "bridge-update" as const : "new-order" as const
      const created = Number(r.created_at)
      const sent = state !== "created"
      const expires = sent ? requestExpiresAt(kind, created) : null
      const next = state === "sent" ? requestNextDueAt(kind, created, null, DEFAULT_REQUEST_POLICY) : null
      await sql`update verification_queue set lifecycle = ${state}, expires_at = ${expires}, next_due_at = ${next} where id = ${r.id}`.execute(db)
      await sql`insert into verification_request_transitions (request_id, case_id, from_state, to_state, at, reason)
        values (${r.id}, ${r.case_id}, ${null}, ${state}, ${created}, ${"recorded by migration 0010 (stored before the lifecycle)"})`.execute(db)
    }
  },
  down: async (db: Db) => {
    await db.schema.dropIndex("verification_queue_due").execute()
    await db.schema.dropTable("verification_request_transitions").execute()
    for (const column of ["next_due_at", "last_reminded_at", "reminders", "expires_at", "lifecycle"]) {
      await db.schema.alterTable("verification_queue").dropColumn(column).execute()
    }
  }
})
