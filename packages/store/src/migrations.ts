/**
 * The schema, as kysely migrations written once for both dialects. The few differences (the
 * type of an instant column, generated ids) come from the dialect adapter as data. Every index
 * says which query needs it. Migrations are inline (no files read at run time) and named with a
 * sortable prefix; `migrate.ts` runs them and refuses a database migrated by a newer build.
 */
import { type Kysely, type Migration, sql } from "kysely"
import type { DialectAdapter } from "./dialect/adapter.js"
import { verificationIntents } from "./migrations/0008_verification_intents.js"
import { clientContact } from "./migrations/0009_client_contact.js"
import { outbox } from "./migrations/0011_outbox.js"
import { requestLifecycle } from "./migrations/0010_request_lifecycle.js"
import { truvBudget } from "./migrations/0007_truv_budget.js"
import { timing } from "./migrations/0012_timing.js"
import { retention } from "./migrations/0014_retention.js"
import { linkDeletion } from "./migrations/0016_link_deletion.js"
import { attemptWriters } from "./migrations/0018_attempt_writers.js"

// Migrations see the database untyped: they must keep working as Database evolves.
type Db = Kysely<unknown>

const initial = (d: DialectAdapter): Migration => ({
  up: async (db: Db) => {
    const instant = d.instantType
    await db.schema.createTable("orders")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("root_order_id", "text", (c) => c.notNull())
      .addColumn("parent_id", "text")
      .addColumn("seq", "integer", (c) => c.notNull())
      .addColumn("created_at", instant, (c) => c.notNull())
      .addColumn("order_type", "text", (c) => c.notNull())
      .addColumn("gse", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("order_number", "text")
      .addColumn("user_id", "text")
      .addColumn("status", "text", (c) => c.notNull().defaultTo("open"))
      .execute()
    // Loads a lineage's chain in order (snapshot, stream pages, appendOrder's max(seq)); unique so
    // two appends can never claim the same position.
    await db.schema.createIndex("orders_lineage_seq").on("orders").columns(["root_order_id", "seq"]).unique().execute()

    await db.schema.createTable("cases")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("due_at", instant, (c) => c.notNull())
      .addColumn("cycle", "text", (c) => c.notNull())
      .addColumn("root_order_id", "text", (c) => c.notNull().references("orders.id"))
      .addColumn("product", "text")
      .addColumn("last_verified_at", instant)
      .addColumn("created_at", instant, (c) => c.notNull())
      .execute()
    // streamDueCases / countDue: `due_at <= until` in keyset order (due_at, id) without a sort.
    await db.schema.createIndex("cases_due").on("cases").columns(["due_at", "id"]).execute()
    // Postgres' reservation lock joins cases to a lineage's connections; also checks the FK on delete.
    await db.schema.createIndex("cases_lineage").on("cases").column("root_order_id").execute()

    await db.schema.createTable("connections")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("root_order_id", "text", (c) => c.notNull().references("orders.id"))
      .addColumn("position", "integer", (c) => c.notNull())
      .addColumn("suborder_id", "text", (c) => c.notNull())
      .addColumn("suborder_number", "text")
      .addColumn("kind", "text", (c) => c.notNull())
      .addColumn("provider", "text", (c) => c.notNull())
      .addColumn("auth_kind", "text", (c) => c.notNull())
      .addColumn("authenticated_at", instant, (c) => c.notNull())
      .addColumn("last_task_status", "text")
      .addColumn("last_status_at", instant)
      .addColumn("mfa_on_every_login", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("access_token", "text", (c) => c.notNull())
      .execute()
    // A lineage's connections in their order (snapshot, stream pages, the reservation lock).
    await db.schema.createIndex("connections_lineage").on("connections").columns(["root_order_id", "position"]).execute()

    await db.schema.createTable("attempts")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("case_id", "text", (c) => c.notNull().references("cases.id"))
      .addColumn("root_order_id", "text", (c) => c.notNull().references("orders.id"))
      .addColumn("at", instant, (c) => c.notNull())
      .addColumn("product", "text", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("order_id", "text")
      .addColumn("rejection", "text")
      .addColumn("outcomes", "text", (c) => c.notNull().defaultTo("{}"))
      .addColumn("resolved_at", instant)
      .addColumn("gse_free", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("updated_at", instant, (c) => c.notNull())
      .execute()
    // The ledger of a lineage, oldest first: what reserve re-reads under the lock and every snapshot loads.
    await db.schema.createIndex("attempts_lineage_at").on("attempts").columns(["root_order_id", "at"]).execute()
    // Webhooks name the refresh order: findAttemptByOrderId. Unique: one attempt per Truv order (NULLs are distinct).
    await db.schema.createIndex("attempts_order").on("attempts").column("order_id").unique().execute()
    // ledgerForCase.
    await db.schema.createIndex("attempts_case_at").on("attempts").columns(["case_id", "at"]).execute()
    // unresolvedAttempts (reconciliation) and stats({ since }) scan attempts by time.
    await db.schema.createIndex("attempts_at").on("attempts").columns(["at", "status"]).execute()

    await db.schema.createTable("attempt_connections")
      .addColumn("attempt_id", "text", (c) => c.notNull().references("attempts.id"))
      .addColumn("connection_id", "text", (c) => c.notNull().references("connections.id"))
      .addColumn("at", instant, (c) => c.notNull())
      .addPrimaryKeyConstraint("attempt_connections_pk", ["attempt_id", "connection_id"])
      .execute()
    // ledgerForConnection: one connection's refreshes by time (the rate window's own view).
    await db.schema.createIndex("attempt_connections_connection_at").on("attempt_connections").columns(["connection_id", "at"]).execute()

    await db.schema.createTable("webhook_events")
      .addColumn("webhook_id", "text", (c) => c.primaryKey())
      .addColumn("event_type", "text", (c) => c.notNull())
      .addColumn("body", "text", (c) => c.notNull())
      .addColumn("received_at", instant, (c) => c.notNull())
      .addColumn("updated_at", instant, (c) => c.notNull())
      .addColumn("processed_at", instant)
      .addColumn("result", "text")
      .execute()
    // pendingWebhookEvents: unprocessed events in `updated_at` order; partial, so processed ones cost nothing.
    await db.schema.createIndex("webhook_events_pending").on("webhook_events").columns(["updated_at", "webhook_id"])
      .where(sql.ref("processed_at"), "is", null).execute()

    await db.schema.createTable("case_results")
      .addColumn("case_id", "text", (c) => c.notNull().references("cases.id"))
      .addColumn("order_id", "text", (c) => c.notNull())
      .addColumn("product", "text", (c) => c.notNull())
      .addColumn("received_at", instant, (c) => c.notNull())
      .addColumn("employment_status", "text")
      .addColumn("annual_income", "double precision")
      .addColumn("pay_periods", "integer")
      .addColumn("data", "text", (c) => c.notNull())
      // One result per refresh order: saving it again (a duplicate webhook) replaces, never doubles.
      .addPrimaryKeyConstraint("case_results_pk", ["case_id", "order_id"])
      .execute()

    await db.schema.createTable("verification_queue")
      .addColumn("id", d.autoIdType, (c) => d.autoIdAutoIncrement ? c.primaryKey().autoIncrement() : c.primaryKey())
      .addColumn("case_id", "text", (c) => c.notNull().references("cases.id"))
      .addColumn("kind", "text", (c) => c.notNull())
      .addColumn("connection_ids", "text", (c) => c.notNull())
      .addColumn("reason", "text", (c) => c.notNull())
      .addColumn("detail", "text", (c) => c.notNull())
      .addColumn("bridge_token", "text")
      .addColumn("share_url", "text")
      .addColumn("order_id", "text")
      .addColumn("created_at", instant, (c) => c.notNull())
      .addColumn("resolved_at", instant)
      .execute()
    // listVerificationQueue: open requests, oldest first.
    await db.schema.createIndex("verification_queue_open").on("verification_queue").columns(["created_at", "id"])
      .where(sql.ref("resolved_at"), "is", null).execute()

    await db.schema.createTable("jobs")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("kind", "text", (c) => c.notNull())
      .addColumn("key", "text", (c) => c.unique())
      .addColumn("payload", "text", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("run_at", instant, (c) => c.notNull())
      .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("max_attempts", "integer", (c) => c.notNull())
      .addColumn("locked_by", "text")
      .addColumn("locked_until", instant)
      .addColumn("last_error", "text")
      .addColumn("last_backoff_ms", instant)
      .addColumn("created_at", instant, (c) => c.notNull())
      .addColumn("updated_at", instant, (c) => c.notNull())
      .execute()
    // claimJobs: runnable jobs of a kind by run_at; partial on `pending` so finished jobs do not slow claims.
    await db.schema.createIndex("jobs_claim").on("jobs").columns(["kind", "run_at", "id"])
      .where(sql.ref("status"), "=", "pending").execute()

    await db.schema.createTable("decisions")
      .addColumn("id", d.autoIdType, (c) => d.autoIdAutoIncrement ? c.primaryKey().autoIncrement() : c.primaryKey())
      .addColumn("case_id", "text", (c) => c.notNull().references("cases.id"))
      .addColumn("at", instant, (c) => c.notNull())
      .addColumn("policy_version", "text", (c) => c.notNull())
      .addColumn("inputs_digest", "text", (c) => c.notNull())
      .addColumn("verdict", "text", (c) => c.notNull())
      .addColumn("decision", "text", (c) => c.notNull())
      .execute()
    // "Why was this case not refreshed?": a case's decisions, newest first.
    await db.schema.createIndex("decisions_case_at").on("decisions").columns(["case_id", "at"]).execute()
    // stats({ since }): decisions by time.
    await db.schema.createIndex("decisions_at").on("decisions").column("at").execute()
  },
  down: async (db: Db) => {
    for (const table of ["decisions", "jobs", "verification_queue", "case_results", "webhook_events",
      "attempt_connections", "attempts", "connections", "cases", "orders"]) {
      await db.schema.dropTable(table).ifExists().execute()
    }
  }
})

/**
 * The webhook inbox becomes claimable: a lease (`locked_by`, `locked_until`) per event, and the
 * number of claims (a poison event shows up as a growing count). Nullable columns added to an
 * existing table: no rewrite on either dialect. The claim query scans the existing partial
 * `webhook_events_pending` index (unprocessed events in `updated_at` order) and filters leases
 * there, so no new index is needed.
 */
const webhookClaims = (d: DialectAdapter): Migration => ({
  up: async (db: Db) => {
    await db.schema.alterTable("webhook_events").addColumn("locked_by", "text").execute()
    await db.schema.alterTable("webhook_events").addColumn("locked_until", d.instantType).execute()
    await db.schema.alterTable("webhook_events").addColumn("claims", "integer", (c) => c.notNull().defaultTo(0)).execute()
  },
  down: async (db: Db) => {
    for (const column of ["claims", "locked_until", "locked_by"]) {
      await db.schema.alterTable("webhook_events").dropColumn(column).execute()
    }
  }
})

/**
 * Durable follow-ups. `attempts.followed_up_at`: when the follow-up of a final attempt finished
 * (null while it is owed), so a worker killed between recording the outcome and finishing the
 * follow-up leaves a row that recovery finds. Attempts already final when the migration runs were
 * followed up (or lost) by the build that finalised them: they are marked at their `updated_at`,
 * so an upgrade does not re-run the follow-up of the whole history. The partial index
 * `attempts_follow_up_owed` holds only the owed rows (few, transient): `pendingFollowUps` scans it.
 * `verification_queue.attempt_id`: the attempt whose follow-up queued the request; unique per
 * attempt, kind and connection ids, so a follow-up run twice cannot queue a second link (requests
 * queued by a decision have no attempt and are not constrained). Nullable columns: no rewrite.
 */
const followUps = (d: DialectAdapter): Migration => ({
  up: async (db: Db) => {
    await db.schema.alterTable("attempts").addColumn("followed_up_at", d.instantType).execute()
    await sql`update attempts set followed_up_at = updated_at where status in ('succeeded', 'failed')`.execute(db)
    await db.schema.createIndex("attempts_follow_up_owed").on("attempts").columns(["updated_at", "id"])
      .where(sql.raw<boolean>(FOLLOW_UP_OWED)).execute()
    await db.schema.alterTable("verification_queue").addColumn("attempt_id", "text").execute()
    await db.schema.createIndex("verification_queue_attempt").on("verification_queue").columns(["attempt_id", "kind", "connection_ids"]).unique()
      .where(sql.ref("attempt_id"), "is not", null).execute()
  },
  down: async (db: Db) => {
    await db.schema.dropIndex("verification_queue_attempt").execute()
    await db.schema.alterTable("verification_queue").dropColumn("attempt_id").execute()
    await db.schema.dropIndex("attempts_follow_up_owed").execute()
    await db.schema.alterTable("attempts").dropColumn("followed_up_at").execute()
  }
})

/**
 * The predicate of `attempts_follow_up_owed`, also the query's (SQLite uses a partial index only
 * when the query's WHERE contains the index's terms as written, literals included).
 */
export const FOLLOW_UP_OWED = "followed_up_at is null and status in ('succeeded', 'failed')"

/**
 * Open verification requests per case (issue 5, "without wasting": an open request is not asked
 * again). `verification_queue.resolution`: why a request was resolved, `superseded` (the scheduler
 * replaced it: a Bridge token past its validity) or `handled`; rows already resolved are marked
 * `handled`. The partial index `verification_queue_case_open` holds only open rows, by case:
 * `openVerificationsForCase` reads it. A nullable column: no rewrite.
 */
const verificationResolution = (): Migration => ({
  up: async (db: Db) => {
    await db.schema.alterTable("verification_queue").addColumn("resolution", "text").execute()
    await sql`update verification_queue set resolution = 'handled' where resolved_at is not null`.execute(db)
    await db.schema.createIndex("verification_queue_case_open").on("verification_queue").columns(["case_id", "created_at", "id"])
      .where(sql.ref("resolved_at"), "is", null).execute()
  },
  down: async (db: Db) => {
    await db.schema.dropIndex("verification_queue_case_open").execute()
    await db.schema.alterTable("verification_queue").dropColumn("resolution").execute()
  }
})

/**
 * Renewal results (issue 13). Every verification's snapshot, normalised and immutable: one
 * `verifications` row per (case, order) (first write wins: the primary key and `ON CONFLICT DO
 * NOTHING`), its employment records in `verification_employers` and their pay statements in
 * `verification_statements`, so any two verifications can be compared column by column and a
 * case's latest verification and its class are read without touching the raw JSON.
 * `verifications_case_at (case_id, verified_at, order_id)`: a case's verifications in order
 * (`listVerifications`, `latestVerification`), and the "is there a later one" probe of
 * `latestVerifications`. `cases.baseline`: the baseline a case import supplied (JSON), nullable.
 * `case_results` stays as it was, read-only legacy (decisions.md). New tables and a nullable
 * column: no rewrite.
 */
const verificationResults = (d: DialectAdapter): Migration => ({
  up: async (db: Db) => {
    // Money in cents as 64-bit integers (bigint on Postgres, parsed back to numbers; integer on SQLite).
    const cents = d.instantType
    await db.schema.alterTable("cases").addColumn("baseline", "text").execute()
    await db.schema.createTable("verifications")
      .addColumn("case_id", "text", (c) => c.notNull())
      .addColumn("order_id", "text", (c) => c.notNull())
      .addColumn("attempt_id", "text")
      .addColumn("via", "text", (c) => c.notNull())
      .addColumn("verified_at", d.instantType, (c) => c.notNull())
      .addColumn("class", "text", (c) => c.notNull())
      .addColumn("product", "text", (c) => c.notNull())
      .addColumn("policy_version", "text", (c) => c.notNull())
      .addColumn("classified_at", d.instantType, (c) => c.notNull())
      .addColumn("reason_codes", "text", (c) => c.notNull())
      .addColumn("source_provider", "text", (c) => c.notNull())
      .addColumn("source_order_id", "text", (c) => c.notNull())
      .addColumn("source_fetched_at", d.instantType, (c) => c.notNull())
      .addColumn("source_report", "text", (c) => c.notNull())
      .addColumn("issues", "text", (c) => c.notNull())
      .addColumn("reasons", "text", (c) => c.notNull())
      .addColumn("notes", "text", (c) => c.notNull())
      .addColumn("summary", "text")
      .addColumn("baseline", "text")
      .addColumn("problems", "text", (c) => c.notNull())
      .addColumn("raw", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("verifications_pk", ["case_id", "order_id"])
      .execute()
    await db.schema.createIndex("verifications_case_at").on("verifications").columns(["case_id", "verified_at", "order_id"]).execute()
    await db.schema.createTable("verification_employers")
      .addColumn("case_id", "text", (c) => c.notNull())
      .addColumn("order_id", "text", (c) => c.notNull())
      .addColumn("position", "integer", (c) => c.notNull())
      .addColumn("employment_id", "text")
      .addColumn("name", "text")
      .addColumn("ein", "text")
      .addColumn("job_title", "text")
      .addColumn("status_state", "text", (c) => c.notNull())
      .addColumn("status_confidence", "text", (c) => c.notNull())
      .addColumn("status_why", "text", (c) => c.notNull())
      .addColumn("start_date", "text")
      .addColumn("original_hire_date", "text")
      .addColumn("end_date", "text")
      .addColumn("pay_frequency", "text", (c) => c.notNull())
      .addColumn("pay_frequency_code", "text")
      .addColumn("income_cents", cents)
      .addColumn("income_unit", "text")
      .addColumn("pay_rate_cents", cents)
      .addColumn("has_statements", "integer", (c) => c.notNull())
      .addPrimaryKeyConstraint("verification_employers_pk", ["case_id", "order_id", "position"])
      .execute()
    await db.schema.createTable("verification_statements")
      .addColumn("case_id", "text", (c) => c.notNull())
      .addColumn("order_id", "text", (c) => c.notNull())
      .addColumn("employer_position", "integer", (c) => c.notNull())
      .addColumn("position", "integer", (c) => c.notNull())
      .addColumn("statement_id", "text")
      .addColumn("pay_date", "text")
      .addColumn("period_start", "text")
      .addColumn("period_end", "text")
      .addColumn("gross_cents", cents)
      .addColumn("net_cents", cents)
      .addColumn("gross_ytd_cents", cents)
      .addColumn("net_ytd_cents", cents)
      .addColumn("hours", "double precision")
      .addColumn("basis_of_pay", "text")
      .addColumn("regular_cents", cents)
      .addColumn("overtime_cents", cents)
      .addColumn("bonus_cents", cents)
      .addColumn("commission_cents", cents)
      .addColumn("other_pay_cents", cents)
      .addColumn("earnings", "text", (c) => c.notNull())
      .addColumn("deductions", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("verification_statements_pk", ["case_id", "order_id", "employer_position", "position"])
      .execute()
  },
  down: async (db: Db) => {
    for (const table of ["verification_statements", "verification_employers", "verifications"]) await db.schema.dropTable(table).execute()
    await db.schema.alterTable("cases").dropColumn("baseline").execute()
  }
})

/**
 * `store_meta`: named values the store keeps about the database itself; today the fingerprint of
 * the encryption key (`ops/key-fingerprint.ts`), written at the first open with a key.
 */
const storeMeta = (): Migration => ({
  up: async (db: Db) => {
    await db.schema.createTable("store_meta")
      .addColumn("name", "text", (c) => c.primaryKey())
      .addColumn("value", "text", (c) => c.notNull())
      .execute()
  },
  down: async (db: Db) => {
    await db.schema.dropTable("store_meta").execute()
  }
})

/** Every migration, by name, in order. Append only: never edit or rename one that has shipped. */
export const migrations = (d: DialectAdapter): Record<string, Migration> => ({
  "0001_initial": initial(d),
  "0002_webhook_claims": webhookClaims(d),
  "0003_follow_ups": followUps(d),
  "0004_verification_resolution": verificationResolution(),
  "0005_verification_results": verificationResults(d),
  "0006_store_meta": storeMeta(),
  "0007_truv_budget": truvBudget(d),
  "0008_verification_intents": verificationIntents(d),
  "0009_client_contact": clientContact(d),
  "0010_request_lifecycle": requestLifecycle(d),
  "0011_outbox": outbox(d),
  "0012_timing": timing(),
  "0014_retention": retention(d),
  "0016_link_deletion": linkDeletion(d),
  "0018_attempt_writers": attemptWriters()
})

export const LATEST_MIGRATION = "0018_attempt_writers"
