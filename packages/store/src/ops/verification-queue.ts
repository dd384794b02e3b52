/**
 * Open verification requests (migration `0004_verification_resolution`): a case's requests still
 * waiting for the user, and resolving one (`superseded` by the scheduler, or `handled`). Before
 * asking Truv for a Bridge token or a new order, the scheduler reads the case's open requests and
 * does not ask again for connections an open request still covers.
 */
import { IllegalRequestTransition, type QueuedVerification, type RequestPolicy, type VerificationResolution } from "@recert/core"
import type { Kysely } from "kysely"
import type { Database } from "../database.js"
import type { DialectAdapter } from "../dialect/adapter.js"
import { verificationFromRow } from "../rows.js"
import { stepRequest } from "./request-lifecycle.js"

/** The case's open requests, oldest first; reads the partial index `verification_queue_case_open` (exported for the query-plan test). */
export const openForCase = (db: Kysely<Database>, caseId: string) =>
  db.selectFrom("verification_queue").selectAll()
    .where("case_id", "=", caseId).where("resolved_at", "is", null)
    .orderBy("created_at").orderBy("id")

export const openVerificationsForCase = async (db: Kysely<Database>, caseId: string): Promise<Array<QueuedVerification>> =>
  (await openForCase(db, caseId).execute()).map(verificationFromRow)

/**
 * Resolves the request at `now` with `resolution` if it is still open; true when it was. It is
 * the lifecycle's step to `completed` (`handled`) or `superseded` (ops/request-lifecycle.ts), with
 * its transition and its outbox event in the same transaction (`case.client-action-completed` for
 * `handled`, `verification.expired` for `superseded`).
 */
export const resolveVerification = (db: Kysely<Database>, d: DialectAdapter, id: number, resolution: VerificationResolution, now: number, policy: RequestPolicy): Promise<boolean> =>
  d.writeTransaction(db, async (trx) => {
    let q = trx.selectFrom("verification_queue").selectAll().where("id", "=", id).where("resolved_at", "is", null)
    if (d.rowLocks) q = q.forUpdate()
    const row = await q.executeTakeFirst()
    if (row === undefined) return false
    const to = resolution === "handled" ? "completed" : "superseded"
    const step = await stepRequest(trx, { ...row, resolution }, to, resolution === "handled" ? "handled" : "superseded by the scheduler", now, policy, { emit: true, notify: false })
    if (step instanceof IllegalRequestTransition) throw step
    return step._tag === "applied"
  })
