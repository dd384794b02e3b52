/**
 * Open verification requests (migration `0004_verification_resolution`): a case's requests still
 * waiting for the user, and resolving one (`superseded` by the scheduler, or `handled`). Before
 * asking Truv for a Bridge token or a new order, the scheduler reads the case's open requests and
 * does not ask again for connections an open request still covers.
 */
import { type QueuedVerification, requestResolvedEvent, type VerificationResolution } from "@recert/core"
import type { Kysely } from "kysely"
import type { Database } from "../database.js"
import type { DialectAdapter } from "../dialect/adapter.js"
import { toIso, verificationFromRow } from "../rows.js"
import { appendOutboxEvent } from "./outbox.js"

/** The case's open requests, oldest first; reads the partial index `verification_queue_case_open` (exported for the query-plan test). */
export const openForCase = (db: Kysely<Database>, caseId: string) =>
  db.selectFrom("verification_queue").selectAll()
    .where("case_id", "=", caseId).where("resolved_at", "is", null)
    .orderBy("created_at").orderBy("id")

export const openVerificationsForCase = async (db: Kysely<Database>, caseId: string): Promise<Array<QueuedVerification>> =>
  (await openForCase(db, caseId).execute()).map(verificationFromRow)

/**
 * Resolves the request at `now` with `resolution` if it is still open; true when it was. With
 * its outbox event in the same transaction (`case.client-action-completed` for `handled`,
 * `verification.expired` for `superseded`).
 */
export const resolveVerification = (db: Kysely<Database>, d: DialectAdapter, id: number, resolution: VerificationResolution, now: number): Promise<boolean> =>
  d.writeTransaction(db, async (trx) => {
    const r = await trx.updateTable("verification_queue").set({ resolved_at: now, resolution })
      .where("id", "=", id).where("resolved_at", "is", null).returning(["id", "case_id", "kind"]).executeTakeFirst()
    if (r === undefined) return false
    await appendOutboxEvent(trx, requestResolvedEvent({ id: Number(r.id), caseId: r.case_id, kind: r.kind as QueuedVerification["kind"] }, resolution, toIso(now)), now)
    return true
  })
