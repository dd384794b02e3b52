/**
 * Moves a lender case's closing (note) date (`recert cases move-closing`): the closing date and the
 * due date (the start of the note date) change together, in one statement. Nothing else is
 * touched: `lastVerifiedAt` stays, and the planner decides whether it still counts (core's
 * `renewalNotNeeded`: a verification outside the new window is not reused), so the next pass
 * re-plans the case. A case without a closing date is refused (`NotAClosingCase`): moving a review
 * case's due date is `rescheduleCase`'s job.
 */
import type { Kysely } from "kysely"
import type { Database } from "../database.js"
import { toIso } from "../rows.js"

export type MoveClosingResult =
  | { readonly _tag: "Moved"; readonly from: string; readonly to: string; readonly dueAt: string }
  | { readonly _tag: "NotFound" }
  | { readonly _tag: "NotAClosingCase" }

export const moveClosing = async (db: Kysely<Database>, caseId: string, closingDate: string): Promise<MoveClosingResult> => {
  const row = await db.selectFrom("cases").select(["closing_date"]).where("id", "=", caseId).executeTakeFirst()
  if (row === undefined) return { _tag: "NotFound" }
  if (row.closing_date === null) return { _tag: "NotAClosingCase" }
  const dueAt = Date.parse(`${closingDate}T00:00:00.000Z`)
  await db.updateTable("cases").set({ closing_date: closingDate, due_at: dueAt }).where("id", "=", caseId).execute()
  return { _tag: "Moved", from: row.closing_date, to: closingDate, dueAt: toIso(dueAt) }
}
