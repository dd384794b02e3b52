/**
 * Retention (issue 19). `cases.closed_at`, `cases.closed_reason`: a case closed by hand (`recert
 * cases close`) or by an import column; a closed case is never due again, and its closing starts
 * the retention clock of its personal data. `redactions`: one row per piece of personal data a
 * redaction removed (`target` names the redactor, `ref` the piece: an order id, an event id, a
 * request id), with its instant and reason; unique per (case, target, ref), so a redaction run
 * again finds the piece already gone and writes nothing. `redactions_case`: a case's redactions
 * in order (`recert result`, `recert redact --case`). Nullable columns and a new table: no rewrite.
 */
import type { Kysely, Migration } from "kysely"
import type { DialectAdapter } from "../dialect/adapter.js"

type Db = Kysely<unknown>

export const retention = (d: DialectAdapter): Migration => ({
  up: async (db: Db) => {
    await db.schema.alterTable("cases").addColumn("closed_at", d.instantType).execute()
    await db.schema.alterTable("cases").addColumn("closed_reason", "text").execute()
    await db.schema.createTable("redactions")
      .addColumn("case_id", "text", (c) => c.notNull())
      .addColumn("target", "text", (c) => c.notNull())
      .addColumn("ref", "text", (c) => c.notNull())
      .addColumn("kind", "text", (c) => c.notNull())
      .addColumn("at", d.instantType, (c) => c.notNull())
      .addColumn("reason", "text", (c) => c.notNull())
      .addColumn("rows", "integer", (c) => c.notNull())
      .addPrimaryKeyConstraint("redactions_pk", ["case_id", "target", "ref"])
      .execute()
    await db.schema.createIndex("redactions_case_at").on("redactions").columns(["case_id", "at"]).execute()
  },
  down: async (db: Db) => {
    await db.schema.dropTable("redactions").execute()
    for (const column of ["closed_reason", "closed_at"]) await db.schema.alterTable("cases").dropColumn(column).execute()
  }
})
