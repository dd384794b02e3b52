/**
 * Deleted links (issue 19). `connections.deleted_at`: when Truv deleted the link (our `DELETE
 * /v1/links/{link_id}/` from `recert cases close --delete-link`, or the client or the agency at
 * Truv: the `link-deleted` webhook), null while it lives. A deleted connection is never refreshed
 * nor re-authenticated again (core's `connection.deleted`), and its `access_token` is erased: the
 * column (NOT NULL since 0001) holds the empty string, which is no ciphertext (`ops/connection-deleted.ts`).
 * A nullable column: no rewrite.
 */
import type { Kysely, Migration } from "kysely"
import type { DialectAdapter } from "../dialect/adapter.js"

type Db = Kysely<unknown>

export const linkDeletion = (d: DialectAdapter): Migration => ({
  up: async (db: Db) => {
    await db.schema.alterTable("connections").addColumn("deleted_at", d.instantType).execute()
  },
  down: async (db: Db) => {
    await db.schema.alterTable("connections").dropColumn("deleted_at").execute()
  }
})
