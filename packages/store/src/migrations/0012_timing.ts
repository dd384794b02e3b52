/**
 * `0012_timing` (issue 18, the lender pre-closing mode): `cases.closing_date`, the closing (note)
 * date `YYYY-MM-DD` of a case tied to a closing instead of a review cycle (null for a review case).
 * The planner reads it through core's `renewalWindow`; `moveClosing` (ops/move-closing.ts) changes
 * it with the due date. A nullable column: no rewrite on either dialect, no index (the due-case
 * query reads `due_at`, which a lender case keeps at the note date).
 */
import type { Kysely, Migration } from "kysely"

export const timing = (): Migration => ({
  up: async (db: Kysely<unknown>) => {
    await db.schema.alterTable("cases").addColumn("closing_date", "text").execute()
  },
  down: async (db: Kysely<unknown>) => {
    await db.schema.alterTable("cases").dropColumn("closing_date").execute()
  }
})
