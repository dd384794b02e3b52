/**
 * The client behind a case (issue 16): `case_contacts`, one row per case that has one, its
 * identity and contact (first and last name, email, phone, external user id) as one JSON document
 * encrypted under the store's key (AES-256-GCM, the case id bound as additional data:
 * `ops/client-contacts.ts`). A table of its own rather than columns on `cases`: every read of a
 * case (snapshots, pages of due cases) stays free of personal data, and retention can redact the
 * contact without touching the case. New table only: no rewrite.
 */
import type { Kysely, Migration } from "kysely"
import type { DialectAdapter } from "../dialect/adapter.js"

type Db = Kysely<unknown>

export const clientContact = (d: DialectAdapter): Migration => ({
  up: async (db: Db) => {
    await db.schema.createTable("case_contacts")
      .addColumn("case_id", "text", (c) => c.primaryKey().references("cases.id"))
      .addColumn("ciphertext", "text", (c) => c.notNull())
      .addColumn("updated_at", d.instantType, (c) => c.notNull())
      .execute()
  },
  down: async (db: Db) => {
    await db.schema.dropTable("case_contacts").execute()
  }
})
