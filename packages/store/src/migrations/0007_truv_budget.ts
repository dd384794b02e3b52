/**
 * `0007_truv_budget`: Truv's request budget, shared by every worker on one secret (issue 14; the
 * rule is core's `grantPermits`, the operation `ops/truv-budget.ts`). `truv_budgets`: one row per
 * budget key (a hash of the secret, never the secret): the `Retry-After` instant no holder may
 * send before, and the row the grant's lock is taken on (Postgres: the upsert's row lock;
 * SQLite: `BEGIN IMMEDIATE`). `truv_budget_grants`: the grants still counted, a few hundred rows
 * per key at most (each acquire deletes those past `counts_until`);
 * `truv_budget_grants_key (key, counts_until)` serves both the count and that delete. New
 * tables: no rewrite.
 */
import type { Kysely, Migration } from "kysely"
import type { DialectAdapter } from "../dialect/adapter.js"

export const truvBudget = (d: DialectAdapter): Migration => ({
  up: async (db: Kysely<unknown>) => {
    await db.schema.createTable("truv_budgets")
      .addColumn("key", "text", (c) => c.primaryKey())
      .addColumn("not_before", d.instantType, (c) => c.notNull().defaultTo(0))
      .addColumn("updated_at", d.instantType, (c) => c.notNull())
      .execute()
    await db.schema.createTable("truv_budget_grants")
      .addColumn("id", d.autoIdType, (c) => d.autoIdAutoIncrement ? c.primaryKey().autoIncrement() : c.primaryKey())
      .addColumn("key", "text", (c) => c.notNull())
      .addColumn("granted_at", d.instantType, (c) => c.notNull())
      .addColumn("counts_until", d.instantType, (c) => c.notNull())
      .addColumn("permits", "integer", (c) => c.notNull())
      .addColumn("holder", "text")
      .execute()
    await db.schema.createIndex("truv_budget_grants_key").on("truv_budget_grants").columns(["key", "counts_until"]).execute()
  },
  down: async (db: Kysely<unknown>) => {
    await db.schema.dropTable("truv_budget_grants").execute()
    await db.schema.dropTable("truv_budgets").execute()
  }
})
